from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser

from tenants.access import access_membership_by_tenant
from tenants.errors import NotFoundError
from tenants.models import Tenant, User
from tests.conftest import OrganizerFixture


def test_member_gets_their_membership(tenant_a: OrganizerFixture) -> None:
    membership = access_membership_by_tenant(user=tenant_a.owner, tenant=tenant_a.tenant)

    assert membership.role == "owner"
    assert membership.tenant == tenant_a.tenant


@pytest.mark.parametrize("who", ["anonymous", "other_tenant_owner", "platform_staff"])
def test_non_members_get_not_found(
    who: str,
    tenant_a: OrganizerFixture,
    tenant_b: OrganizerFixture,
    make_user: Callable[..., User],
) -> None:
    user = {
        "anonymous": AnonymousUser(),
        "other_tenant_owner": tenant_b.owner,
        "platform_staff": make_user("staff@sentra.test", is_staff=True),
    }[who]

    with pytest.raises(NotFoundError):
        access_membership_by_tenant(user=user, tenant=tenant_a.tenant)


def test_role_filter_refuses_a_member_without_the_role(
    tenant_a: OrganizerFixture, make_member: Callable[..., User]
) -> None:
    checker = make_member(tenant_a, "checkin_staff", "checkin@alpha.test")

    with pytest.raises(NotFoundError):
        access_membership_by_tenant(user=checker, tenant=tenant_a.tenant, roles=["owner", "admin"])
    assert access_membership_by_tenant(user=checker, tenant=tenant_a.tenant).role == "checkin_staff"


def test_the_public_tenant_has_no_members(tenant_a: OrganizerFixture) -> None:
    public = Tenant.objects.get(schema_name="public")

    with pytest.raises(NotFoundError):
        access_membership_by_tenant(user=tenant_a.owner, tenant=public)
