"""The e-voucher's signed token. Tenant schema to issue; verifying needs no database.

A **token** signed with Ed25519 (`SENTRA_VOUCHER_SIGNING_KEY`) that anyone with the public key
checks without the database: a check-in phone offline, another service. It is bound to the
organiser (tenant uid) and to its purpose (a signing context), and it expires after the slot.
Binary, not JSON, so that the QR code stays small (about 150 characters, a version 8 code).
"""

from __future__ import annotations

import base64
import datetime as dt
import struct
import uuid
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy

from organizers.models import Booking
from tenants.context import require_current_tenant
from tenants.errors import NotFoundError

TOKEN_VERSION = 1
# The signature covers this context too: a signature made for something else never verifies.
_SIGNING_CONTEXT = b"sentra/e-voucher/v1\x00"
_HEADER = struct.Struct(">B16s8sIIIB")  # version, tenant uid, code, start, expiry, venue, dose
_SIGNATURE_BYTES = 64
# The token stays valid this long after the slot ends (late arrivals on the same day).
TOKEN_GRACE = dt.timedelta(hours=12)


class VoucherTokenError(NotFoundError):
    """The token does not verify: bad signature or shape (`voucher_token_invalid`), another
    organiser's (`voucher_token_other_tenant`) or past its expiry (`voucher_token_expired`)."""


@dataclass(frozen=True)
class VoucherClaims:
    tenant_uid: uuid.UUID
    voucher_code: str
    starts_at: dt.datetime  # UTC
    expires_at: dt.datetime  # UTC
    venue_id: int
    dose: int
    brand: str


@cache
def _private_key(seed_b64: str) -> Ed25519PrivateKey:
    seed = base64.b64decode(seed_b64, validate=True)
    if len(seed) != 32:
        raise ValueError("SENTRA_VOUCHER_SIGNING_KEY must be base64 of 32 random bytes")
    return Ed25519PrivateKey.from_private_bytes(seed)


def _signing_key() -> Ed25519PrivateKey:
    return _private_key(settings.SENTRA_VOUCHER_SIGNING_KEY)


def voucher_public_key() -> bytes:
    """The raw 32-byte public key, for verifiers that have no database (check-in devices)."""
    return _signing_key().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def voucher_token_issue(booking: Booking) -> str:
    """The signed token of a booking, for the current organiser. Tenant schema."""
    tenant = require_current_tenant()
    slot = booking.slot
    expires = slot.ends_at + TOKEN_GRACE
    code = booking.voucher_code.replace("-", "").encode("ascii")
    brand = booking.vaccine_brand.encode("ascii")
    payload = (
        _HEADER.pack(
            TOKEN_VERSION,
            uuid.UUID(str(tenant.uid)).bytes,
            code,
            int(slot.starts_at.timestamp()),
            int(expires.timestamp()),
            slot.venue_id,
            booking.dose,
        )
        + bytes([len(brand)])
        + brand
    )
    signature = _signing_key().sign(_SIGNING_CONTEXT + payload)
    return _b64url(payload + signature)


def voucher_token_verify(
    token: str,
    *,
    tenant_uid: uuid.UUID | str,
    now: dt.datetime | None = None,
    public_key: bytes | None = None,
) -> VoucherClaims:
    """Check a token without the database. Raises VoucherTokenError (a NotFoundError)."""
    invalid = VoucherTokenError(
        gettext_lazy("This voucher is not valid."), code="voucher_token_invalid"
    )
    try:
        raw = _unb64url(token.strip())
    except (ValueError, TypeError):
        raise invalid from None
    if len(raw) < _HEADER.size + 1 + _SIGNATURE_BYTES:
        raise invalid
    payload, signature = raw[:-_SIGNATURE_BYTES], raw[-_SIGNATURE_BYTES:]
    key = (
        Ed25519PublicKey.from_public_bytes(public_key)
        if public_key is not None
        else _signing_key().public_key()
    )
    try:
        key.verify(signature, _SIGNING_CONTEXT + payload)
    except InvalidSignature:
        raise invalid from None
    version, uid, code, start, expiry, venue_id, dose = _HEADER.unpack_from(payload)
    brand_length = payload[_HEADER.size]
    brand = payload[_HEADER.size + 1 :]
    if version != TOKEN_VERSION or len(brand) != brand_length:
        raise invalid
    if uuid.UUID(bytes=uid) != uuid.UUID(str(tenant_uid)):
        raise VoucherTokenError(
            gettext_lazy("This voucher is for another organiser."),
            code="voucher_token_other_tenant",
        )
    expires_at = dt.datetime.fromtimestamp(expiry, tz=dt.UTC)
    if (now or timezone.now()) >= expires_at:
        raise VoucherTokenError(
            gettext_lazy("This voucher has expired."), code="voucher_token_expired"
        )
    text = code.decode("ascii")
    return VoucherClaims(
        tenant_uid=uuid.UUID(bytes=uid),
        voucher_code=f"{text[:4]}-{text[4:]}",
        starts_at=dt.datetime.fromtimestamp(start, tz=dt.UTC),
        expires_at=expires_at,
        venue_id=venue_id,
        dose=dose,
        brand=brand.decode("ascii"),
    )
