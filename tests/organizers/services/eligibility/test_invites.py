"""Invites: a deterministic, tenant-bound token (only its hash stored), one outbox email per
invite, duplicates and bad addresses handled, revocation."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from django.utils import translation

from organizers.models import Invite, Message, Programme
from organizers.services.eligibility.invites import (
    invite_find,
    invite_revoke,
    invite_status,
    invite_token,
    invites_create,
)
from tenants.context import tenant_scope
from tenants.errors import ApplicationError, NotFoundError
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_programme


@pytest.fixture
def company(tenant_a: OrganizerFixture) -> Iterator[Programme]:
    with tenant_scope(tenant_a.tenant), translation.override("en"):
        yield a_programme(name="Vaksinasi Karyawan", kind="company", uses_invites=True)


def test_one_invite_and_one_outbox_email_per_new_address(company: Programme) -> None:
    invites = invites_create(
        company, "siti@acme.co.id\n  Budi@Acme.co.id  \n\nsiti@acme.co.id, ani@acme.co.id"
    )

    assert [i.email for i in invites] == ["siti@acme.co.id", "budi@acme.co.id", "ani@acme.co.id"]
    messages = Message.objects.filter(kind=Message.Kind.INVITE).order_by("id")
    assert [(m.invite_id, m.to_email, m.event_key) for m in messages] == [
        (i.id, i.email, f"invite:{i.id}") for i in invites
    ]
    # Sending to the same people again does not invite them twice.
    assert invites_create(company, ["SITI@acme.co.id", "dewi@acme.co.id"])[0].email == (
        "dewi@acme.co.id"
    )
    assert Invite.objects.count() == 4


def test_the_token_is_deterministic_tenant_bound_and_only_hashed(
    company: Programme, tenant_b: OrganizerFixture
) -> None:
    (invite,) = invites_create(company, ["siti@acme.co.id"])
    token = invite_token(invite)

    assert len(token) == 32
    assert token == invite_token(invite)
    assert invite.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invite.token_hash
    assert invite_find(token) == invite
    assert invite_find(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert invite_find("") is None
    with tenant_scope(tenant_b.tenant):
        assert invite_token(invite) != token  # the same id elsewhere is another link
        assert invite_find(token) is None


def test_bad_addresses_refuse_the_whole_batch(company: Programme) -> None:
    with pytest.raises(ApplicationError) as refused:
        invites_create(company, "siti@acme.co.id\nbukan email\nbudi@")
    assert refused.value.code == "invalid_email"
    assert "bukan email" in refused.value.message
    assert "budi@" in refused.value.message
    assert not Invite.objects.exists()
    assert not Message.objects.exists()
    with pytest.raises(ApplicationError) as empty:
        invites_create(company, "  \n ")
    assert empty.value.code == "no_email"


def test_invites_are_for_company_programmes(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant), pytest.raises(ApplicationError) as refused:
        invites_create(a_programme(), ["siti@example.id"])
    assert refused.value.code == "invites_company_only"


def test_revoke(company: Programme) -> None:
    (invite,) = invites_create(company, ["siti@acme.co.id"])
    assert invite_status(invite) == "sent"

    revoked = invite_revoke(company, invite.id)

    assert invite_status(revoked) == "revoked"
    other = a_programme(name="Lain", kind="company")
    with pytest.raises(NotFoundError):
        invite_revoke(other, invite.id)
