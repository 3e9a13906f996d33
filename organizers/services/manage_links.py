"""Manage-booking links: a signed, one-time login to one booking (view, cancel, reschedule,
resend), sent by email. Tenant schema.

The token is the organiser's uid, a random nonce and an HMAC over both (key from SECRET_KEY with
a purpose salt). Only a SHA-256 of the nonce is stored (ManageLink.nonce_hash): a database dump
gives no working link. A token from another organiser fails its tenant check before any query;
opening a link spends it in one guarded UPDATE, so two clicks at once log in only once.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from organizers.models import Booking, ManageLink
from tenants.context import require_current_tenant
from tenants.errors import NotFoundError
from tenants.links import current_tenant_url

_SALT = "sentra.organizers.manage-link"
_NONCE_BYTES = 18
_MAC_BYTES = 16
MANAGE_LINK_LIFETIME = dt.timedelta(days=30)
# A link still opens this long after the slot ends (to book the next dose, say), within the
# 30 days.
MANAGE_LINK_AFTER_SLOT = dt.timedelta(days=1)


def _mac(body: bytes) -> bytes:
    return salted_hmac(_SALT, body, algorithm="sha256").digest()[:_MAC_BYTES]


def _nonce_hash(nonce: bytes) -> str:
    return hashlib.sha256(nonce).hexdigest()


def manage_link_path(token: str) -> str:
    return f"/janji/masuk/{token}/"


def manage_link_token_create(booking: Booking, *, now: dt.datetime | None = None) -> str:
    """Store a new one-time link for `booking` (in the caller's transaction) and return its
    token. Tenant schema."""
    now = now or timezone.now()
    tenant = require_current_tenant()
    nonce = secrets.token_bytes(_NONCE_BYTES)
    body = uuid.UUID(str(tenant.uid)).bytes + nonce
    ManageLink.objects.create(
        booking=booking,
        nonce_hash=_nonce_hash(nonce),
        created_at=now,
        expires_at=min(now + MANAGE_LINK_LIFETIME, booking.slot.ends_at + MANAGE_LINK_AFTER_SLOT),
    )
    return base64.urlsafe_b64encode(body + _mac(body)).rstrip(b"=").decode()


def manage_link_create(booking: Booking, *, now: dt.datetime | None = None) -> str:
    """The absolute URL of a new one-time link, https://<organiser host>/janji/masuk/<token>/."""
    token = manage_link_token_create(booking, now=now)
    return current_tenant_url(manage_link_path(token))


def _invalid() -> NotFoundError:
    return NotFoundError(
        _("This link does not work. Ask for a new one with your voucher code."),
        code="manage_link_invalid",
    )


@transaction.atomic
def manage_link_consume(token: str, *, now: dt.datetime | None = None) -> Booking:
    """Spend a link and return its booking. Raises NotFoundError with code
    `manage_link_invalid` (forged, mangled, another organiser's, unknown), `manage_link_used`
    or `manage_link_expired`; then nothing was written. Tenant schema."""
    now = now or timezone.now()
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        raise _invalid() from None
    if len(raw) != 16 + _NONCE_BYTES + _MAC_BYTES:
        raise _invalid()
    body, mac = raw[:-_MAC_BYTES], raw[-_MAC_BYTES:]
    if not hmac.compare_digest(mac, _mac(body)):
        raise _invalid()
    if uuid.UUID(bytes=body[:16]) != uuid.UUID(str(require_current_tenant().uid)):
        raise _invalid()
    link = (
        ManageLink.objects.select_for_update(of=("self",))
        .select_related("booking__slot__venue", "booking__programme")
        .filter(nonce_hash=_nonce_hash(body[16:]))
        .first()
    )
    if link is None:
        raise _invalid()
    if link.used_at is not None:
        raise NotFoundError(
            _("This link has been used already. Ask for a new one with your voucher code."),
            code="manage_link_used",
        )
    if link.expires_at <= now:
        raise NotFoundError(
            _("This link has expired. Ask for a new one with your voucher code."),
            code="manage_link_expired",
        )
    link.used_at = now
    link.save(update_fields=["used_at"])
    return link.booking
