"""Idempotency-Key for POSTs: a retried request gets the first response instead of acting twice.

The key is claimed by inserting a row in the same transaction as the work. A concurrent retry
with the same key blocks on the unique index until the first transaction ends, then sees the
stored response. If the work fails with an unexpected error the whole transaction, claim
included, rolls back, so the client may retry. Stored per tenant (the table is in its schema).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from organizers.models import IdempotencyRecord
from organizers.personal_data import keyring
from tenants.errors import ApplicationError

HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX_LENGTH = 100


class IdempotencyKeyReusedError(ApplicationError):
    status_code = 422


def idempotent(
    *, scope: str, key: str | None, body: bytes, respond: Callable[[], tuple[int, Any]]
) -> tuple[int, Any, bool]:
    """Run `respond` (which returns status and data) at most once per key: returns status,
    data and whether it was a replay of an earlier response."""
    if not key:
        status, data = respond()
        return status, data, False
    if len(key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise ApplicationError(
            _("The Idempotency-Key is longer than 100 characters."), code="invalid_idempotency_key"
        )
    # Keyed: a plain hash of a body holding a NIK and a date of birth could be reversed by
    # trying candidates (a NIK has little entropy). Records are purged after a day.
    fingerprint = hmac.new(keyring().index_key, b"idempotency:" + body, hashlib.sha256).hexdigest()
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    scope=scope, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            return _replay(scope=scope, key=key, fingerprint=fingerprint)
        status, data = respond()
        record.status_code = status
        record.body = data
        record.save(update_fields=["status_code", "body"])
        return status, data, False


def _replay(*, scope: str, key: str, fingerprint: str) -> tuple[int, Any, bool]:
    record = IdempotencyRecord.objects.get(scope=scope, key=key)
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReusedError(
            _("This Idempotency-Key was used for a different request."),
            code="idempotency_key_reused",
        )
    # Both were saved with the record in idempotent() (same transaction): never None here.
    return record.status_code or 0, record.body, True
