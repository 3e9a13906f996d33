"""Access gateways: fetch-and-check in one audited place. "Does not exist" and "not yours" give
the same error, so a tenant's host never tells a stranger what it holds."""

from __future__ import annotations

import uuid
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


def access_review_console(*, user: User | AnonymousUser) -> User:
    """The user, if platform staff with TOTP set up (allauth asked for the code at sign-in),
    else NotFoundError: the review console does not exist for anyone else. Staff still without
    TOTP never get here: tenants.middleware sends them to set it up first."""
    from tenants.selectors import user_has_totp

    if not user.is_authenticated:
        raise NotFoundError(_("Page not found."))
    if not isinstance(user, User):
        raise NotFoundError(_("Page not found."))
    if not user.is_staff or not user.is_active:
        raise NotFoundError(_("Page not found."))
    if not user_has_totp(user=user):
        raise NotFoundError(_("Page not found."))
    return user


def access_organiser_by_uid(*, user: User | AnonymousUser, uid: uuid.UUID | str) -> Tenant:
    """An organiser (not the public tenant nor the template) for the review console."""
    from tenants.models import TEMPLATE_SCHEMA

    access_review_console(user=user)
    tenant = (
        Tenant.objects.filter(uid=uid).exclude(schema_name__in=("public", TEMPLATE_SCHEMA)).first()
    )
    if tenant is None:
        raise NotFoundError(_("Page not found."))
    return tenant
