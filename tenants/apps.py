from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Control plane"

    def ready(self) -> None:
        from tenants import checks  # noqa: F401 (registers the deployment checks)
