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

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.request import Request
from rest_framework.response import Response

from organizers.models import IdempotencyRecord
from organizers.personal_data import keyring
from tenants.errors import ApplicationError

HEADER = "Idempotency-Key"


class IdempotencyKeyReusedError(ApplicationError):
    status_code = 422


def idempotent(*, scope: str, request: Request, respond: Callable[[], Response]) -> Response:
    key = request.headers.get(HEADER)
    if not key:
        return respond()
    if len(key) > 100:
        raise ApplicationError(_("The Idempotency-Key is longer than 100 characters."),
                               code="invalid_idempotency_key")  # fmt: skip
    # Keyed: a plain hash of a body holding a NIK and a date of birth could be reversed by
    # trying candidates (a NIK has little entropy). Records are purged after a day.
    fingerprint = hmac.new(
        keyring().index_key, b"idempotency:" + request.body, hashlib.sha256
    ).hexdigest()
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    scope=scope, key=key, fingerprint=fingerprint
                )
        except IntegrityError:
            return _replay(scope=scope, key=key, fingerprint=fingerprint)
        response = respond()
        record.status_code = response.status_code
        record.body = response.data
        record.save(update_fields=["status_code", "body"])
        return response


def _replay(*, scope: str, key: str, fingerprint: str) -> Response:
    record = IdempotencyRecord.objects.get(scope=scope, key=key)
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReusedError(
            _("This Idempotency-Key was used for a different request."),
            code="idempotency_key_reused",
        )
    return Response(record.body, status=record.status_code, headers={"Idempotent-Replayed": "true"})
