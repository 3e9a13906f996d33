"""Access gateways: fetch-and-check in one audited place. "Does not exist" and "not yours" give
the same error, so a tenant's host never tells a stranger what it holds."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _

from tenants.errors import NotFoundError
from tenants.models import Membership, Tenant, User


def access_membership_by_tenant(
    *,
    user: User | AnonymousUser,
    tenant: Tenant,
    roles: Iterable[str] | None = None,
) -> Membership:
    """The user's membership of `tenant`, or NotFoundError. Platform staff get no implicit
    access to an organiser's data: they act through the control plane."""
    if not user.is_authenticated:
        raise NotFoundError(_("Page not found."))
    if tenant.is_public:
        raise NotFoundError(_("Page not found."))
    membership = (
        Membership.objects.filter(user=user, tenant=tenant).select_related("tenant").first()
    )
    if membership is None:
        raise NotFoundError(_("Page not found."))
    if roles is not None and membership.role not in set(roles):
        raise NotFoundError(_("Page not found."))
    return membership
