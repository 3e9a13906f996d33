"""allauth behaviour that depends on the host."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.http import HttpRequest
from django.urls import reverse

from tenants.services.provisioning import organizer_signups_release


def _on_tenant_host(request: HttpRequest) -> bool:
    tenant = getattr(request, "tenant", None)
    return tenant is not None and not tenant.is_public


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Organisers sign up on the root domain; organiser staff join a tenant by invitation.
        return not _on_tenant_host(request)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth keys failed logins by host and login; an account is the same on every host,
        # so the host is left out: five wrong passwords in all, not five per organiser.
        login = credentials.get("email", credentials.get("username", "")).lower()
        return f"any-host:{login}"

    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        confirmed = super().confirm_email(request, email_address)
        if confirmed:
            # Only now is the organiser's workspace created (see tenants.services.provisioning).
            organizer_signups_release(user=email_address.user)
        return confirmed

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        if _on_tenant_host(request):
            return reverse("dashboard")
        if request.user.is_staff:
            return reverse("review_queue")  # platform staff work on the review console
        return reverse("home")
