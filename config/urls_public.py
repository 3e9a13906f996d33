"""URLs of the root domain: landing page, organiser sign-up, staff console, Django admin."""

from django.contrib import admin
from django.urls import include, path

from public_site.views import health, public

urlpatterns = [
    path("", public.landing, name="home"),
    path("healthz", health.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Before allauth's own: the organiser sign-up in one transaction.
    path("accounts/signup/", public.signup, name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
