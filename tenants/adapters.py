"""allauth behaviour that depends on the host."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse


def _on_tenant_host(request: HttpRequest) -> bool:
    tenant = getattr(request, "tenant", None)
    return tenant is not None and not tenant.is_public


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Organisers sign up on the root domain; organiser staff join a tenant by invitation.
        return not _on_tenant_host(request)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        if _on_tenant_host(request):
            return reverse("dashboard")
        return reverse("home")
