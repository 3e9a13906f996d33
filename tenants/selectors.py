"""Reads of the control plane (public schema)."""

from __future__ import annotations

from django.db.models import QuerySet

from tenants.models import Domain, Membership, Tenant, User


def user_has_totp(*, user: User) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def tenant_primary_host(*, tenant: Tenant) -> str:
    domain = Domain.objects.filter(tenant=tenant, is_primary=True).values_list("domain", flat=True)
    return domain.first() or ""


def membership_list_for_user(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .exclude(tenant__schema_name="public")
        .select_related("tenant")
        .order_by("tenant__name")
    )


def tenant_get_by_slug(*, slug: str) -> Tenant | None:
    return Tenant.objects.filter(slug=slug).first()


def tenant_list_organizers() -> list[Tenant]:
    """Every organiser tenant (not the public one), for per-tenant housekeeping tasks."""
    return list(Tenant.objects.organizers().order_by("id"))
