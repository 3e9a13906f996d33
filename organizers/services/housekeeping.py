"""Deleting what is no longer needed. Tenant schema."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from organizers.models import IdempotencyRecord

IDEMPOTENCY_RETENTION = dt.timedelta(hours=24)


def idempotency_records_purge(*, now: dt.datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - IDEMPOTENCY_RETENTION
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
