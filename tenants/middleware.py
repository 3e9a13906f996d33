"""Request middleware of the control plane: host routing to a tenant, and MFA for platform
staff."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, ResolverMatch, get_resolver, reverse
from django_tenants.middleware.main import TenantMainMiddleware

from tenants.selectors import user_has_totp


class TenantHostMiddleware(TenantMainMiddleware):
    """django-tenants' host routing: `<slug>.<root domain>` -> that tenant's schema and the
    tenant URLconf; the root domain -> public schema and the public URLconf; an unknown host ->
    the "organiser not found" page (settings.DEFAULT_NOT_FOUND_TENANT_VIEW)."""


# URL names a platform staff member without TOTP may still reach: enough to set it up or leave.
_MFA_SETUP_URL_NAMES = (
    "mfa_activate_totp",
    "mfa_index",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "account_logout",
    "account_reauthenticate",
    "healthz",
    "set_language",
)


class PlatformStaffMFAMiddleware:
    """Platform staff must use TOTP: until they have set it up, every page sends them to the
    set-up page. allauth then asks for the code at every later login."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            match = _resolve(request)
            url_name = match.url_name if match else None
            if url_name not in _MFA_SETUP_URL_NAMES and not user_has_totp(user=user):
                return HttpResponseRedirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def _resolve(request: HttpRequest) -> ResolverMatch | None:
    try:
        return get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
    except Resolver404:
        return None
