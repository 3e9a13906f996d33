"""The e-voucher's token: signed, it verifies without the database and only for its organiser;
tampered, expired or signed with another key, it is refused."""

from __future__ import annotations

import base64
import datetime as dt
import re
import uuid

import pytest

from organizers.services.vouchers.signed_token import (
    VoucherTokenError,
    voucher_public_key,
    voucher_token_issue,
    voucher_token_verify,
)
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture
from tests.organizers.services.vouchers.voucher_bookings import a_booking


def test_token_verifies_without_the_database_and_carries_the_booking(
    tenant_a: OrganizerFixture, django_assert_num_queries: object
) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = a_booking()
        token = voucher_token_issue(booking)

    with django_assert_num_queries(0):
        claims = voucher_token_verify(token, tenant_uid=tenant_a.tenant.uid)

    assert claims.voucher_code == booking.voucher_code
    assert claims.starts_at == booking.slot.starts_at
    assert claims.starts_at.tzinfo == dt.UTC
    assert claims.venue_id == booking.slot.venue_id
    assert (claims.dose, claims.brand) == (1, "sinovac")
    assert claims.expires_at > booking.slot.ends_at
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert len(token) < 200  # a small QR code


def test_token_is_refused_for_another_organiser_tampered_or_expired(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = a_booking()
        token = voucher_token_issue(booking)
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[20] ^= 0x01  # one bit of the voucher code
    tampered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()

    with pytest.raises(VoucherTokenError) as other:
        voucher_token_verify(token, tenant_uid=tenant_b.tenant.uid)
    with pytest.raises(VoucherTokenError) as changed:
        voucher_token_verify(tampered, tenant_uid=tenant_a.tenant.uid)
    with pytest.raises(VoucherTokenError) as late:
        voucher_token_verify(
            token, tenant_uid=tenant_a.tenant.uid, now=booking.slot.ends_at + dt.timedelta(days=1)
        )
    with pytest.raises(VoucherTokenError) as garbage:
        voucher_token_verify("not-a-token", tenant_uid=tenant_a.tenant.uid)

    assert other.value.code == "voucher_token_other_tenant"
    assert changed.value.code == "voucher_token_invalid"
    assert late.value.code == "voucher_token_expired"
    assert garbage.value.code == "voucher_token_invalid"


def test_token_signed_with_another_key_is_refused(
    tenant_a: OrganizerFixture, settings: object
) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = a_booking()
        token = voucher_token_issue(booking)
    settings.SENTRA_VOUCHER_SIGNING_KEY = base64.b64encode(b"x" * 32).decode()

    with pytest.raises(VoucherTokenError) as refused:
        voucher_token_verify(token, tenant_uid=tenant_a.tenant.uid)

    assert refused.value.code == "voucher_token_invalid"


def test_a_verifier_with_only_the_public_key_accepts_the_token(
    tenant_a: OrganizerFixture,
) -> None:
    with tenant_scope(tenant_a.tenant):
        token = voucher_token_issue(a_booking())
    public_key = voucher_public_key()

    claims = voucher_token_verify(token, tenant_uid=str(tenant_a.tenant.uid), public_key=public_key)

    assert isinstance(claims.tenant_uid, uuid.UUID)
