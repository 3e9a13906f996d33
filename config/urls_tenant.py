"""URLs of an organiser's host (<slug>.<root domain>). Every pattern here needs a row in
tests/test_isolation.py."""

from django.urls import include, path

from public_site.views import health, tenant

urlpatterns = [
    path("", tenant.home, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("kelola/", tenant.dashboard, name="dashboard"),
    path("accounts/", include("allauth.urls")),
    path("api/", include("api.urls")),
]
