from typing import Any

from django.core.management.base import BaseCommand

from tenants.services.public_tenant import public_tenant_ensure, template_tenant_ensure


class Command(BaseCommand):
    help = (
        "Create or update the public tenant and route SENTRA_ROOT_DOMAIN to it; create the "
        "template schema new organisers are cloned from."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = public_tenant_ensure()
        template_tenant_ensure()
        self.stdout.write(f"Public schema routed from {tenant.domains.get(is_primary=True)}")
