"""Sensitive personal data: the NIK and the date of birth (UU PDP No. 27/2022).

- Sealed with AES-256-GCM (authenticated encryption). Keys come from settings (the environment
  in production), never from the database. Every sealed value names its key id, so keys can be
  rotated: new values use the first key of SENTRA_PII_KEYS, older ones still open with theirs
  until `reseal_personal_data` rewrites them.
- The associated data binds a sealed value to its tenant and its field: a value copied to
  another organiser's schema, or from the NIK column to the date-of-birth column, will not open.
- Lookups and uniqueness use a keyed HMAC-SHA256 blind index of the NIK, never a plain hash: a
  NIK has 16 digits with known structure, so an unkeyed hash is reversed by enumeration.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from tenants.context import require_current_tenant

# The personal data kept sealed: each is kept in a column named "<field>_sealed" on every model
# that holds it, and the field's name is bound into its seal. This list is the one place that
# says which: sealing refuses any other name, and re-sealing after a key rotation finds the
# columns on the models from it (organizers.services.personal_data_rotation).
SEALED_FIELDS = ("nik", "date_of_birth")
# The people a helper enters on the booking pages, kept sealed in the session until booked
# (booking_pages.views.wizard): personal data too, though in no column.
SEALED_SESSION_PEOPLE = "booking_wizard_people"
_SEALABLE = frozenset((*SEALED_FIELDS, SEALED_SESSION_PEOPLE))


def sealed_column(field: str) -> str:
    """The column that keeps `field` sealed."""
    if field not in SEALED_FIELDS:
        raise ValueError(f"{field!r} is not a sealed field (SEALED_FIELDS)")
    return f"{field}_sealed"


class PersonalDataError(Exception):
    """A sealed value could not be opened: wrong tenant, wrong field, unknown key, tampered."""


@dataclass(frozen=True)
class Keyring:
    current_id: str
    keys: dict[str, bytes]
    index_key: bytes


def _decode_key(text: str, name: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise PersonalDataError(f"{name} is not base64") from exc
    if len(raw) != 32:
        raise PersonalDataError(f"{name} must be 32 bytes (base64 of 32 random bytes)")
    return raw


@cache
def _keyring(keys_setting: str, index_setting: str) -> Keyring:
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for item in keys_setting.split(","):
        key_id, _, encoded = item.strip().partition(":")
        if not key_id or not encoded or not key_id.isalnum():
            raise PersonalDataError("SENTRA_PII_KEYS is 'id:base64key,id:base64key'")
        keys[key_id] = _decode_key(encoded, f"SENTRA_PII_KEYS[{key_id}]")
        order.append(key_id)
    return Keyring(
        current_id=order[0],
        keys=keys,
        index_key=_decode_key(index_setting, "SENTRA_PII_INDEX_KEY"),
    )


def keyring() -> Keyring:
    return _keyring(settings.SENTRA_PII_KEYS, settings.SENTRA_PII_INDEX_KEY)


@cache
def _cipher(key: bytes) -> AESGCM:
    return AESGCM(key)


def _associated_data(field: str, tenant_uid: object = None) -> bytes:
    if field not in _SEALABLE:  # a misspelt field would seal a value nobody can open
        raise ValueError(f"{field!r} is not a sealed field (SEALED_FIELDS)")
    uid = require_current_tenant().uid if tenant_uid is None else tenant_uid
    return f"sentra:{uid}:{field}".encode()


def seal(value: str, *, field: str, tenant_uid: object = None) -> str:
    """Encrypt `value` for a tenant's `field`: the current tenant's (tenant schema), or the one
    whose `tenant_uid` is given (the rush front, which never switches Django's connection)."""
    ring = keyring()
    nonce = os.urandom(12)
    sealed = _cipher(ring.keys[ring.current_id]).encrypt(
        nonce, value.encode(), _associated_data(field, tenant_uid)
    )
    return f"{ring.current_id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def unseal(token: str, *, field: str) -> str:
    ring = keyring()
    key_id, _, payload = token.partition(".")
    key = ring.keys.get(key_id)
    if key is None:
        raise PersonalDataError(f"unknown key id {key_id!r}")
    raw = base64.urlsafe_b64decode(payload)
    try:
        return _cipher(key).decrypt(raw[:12], raw[12:], _associated_data(field)).decode()
    except InvalidTag as exc:
        raise PersonalDataError("sealed value does not open here") from exc


def person_key(nik: str) -> str:
    """The blind index of a NIK: the same NIK gives the same key in every organiser (so that a
    platform-wide duplicate check is possible), and nothing without the index key."""
    return hmac.new(keyring().index_key, nik.encode(), hashlib.sha256).hexdigest()


def mask_nik(nik: str) -> str:
    """Show a NIK as 3273••••••••0002: the region and the last digits, never the birth date."""
    return f"{nik[:4]}{'•' * 8}{nik[-4:]}" if len(nik) == 16 else "•" * len(nik)


def mask_sealed_nik(token: str) -> str:
    """The masked form of a sealed NIK, for a page or a list; dots when the value cannot be
    opened (a damaged value must not break the page)."""
    try:
        return mask_nik(unseal(token, field="nik"))
    except (PersonalDataError, ValueError):
        return "•" * 16
