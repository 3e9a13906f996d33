"""Reads of the review console (public schema): the queue, with each item's time waiting in
working days against the target, and an organiser's history. One query on the review index
(tenants.models.ReviewItem): never a loop over tenant schemas."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from tenants.models import AuditEntry, ReviewItem, Tenant

# Staff decide within two working days of an item's arrival (issue #12).
TARGET_WORKING_DAYS = 2.0
# Working days are counted on the platform's clock (WIB), Monday to Friday. Public holidays
# are not subtracted yet: the queue errs on the side of "late".
WORKING_TIME_ZONE = ZoneInfo("Asia/Jakarta")
QUEUE_LIMIT = 200
# The audit action of a reviewer opening an organiser's page on the console (a look-up of its
# data, recorded like every look-up by staff); not a step of a review round.
ORGANISER_VIEWED = "console.organiser_view"


def working_days_between(start: dt.datetime, end: dt.datetime) -> float:
    """Working time from `start` to `end`, in days of 24 hours, weekends left out."""
    cursor = start.astimezone(WORKING_TIME_ZONE)
    end = end.astimezone(WORKING_TIME_ZONE)
    seconds = 0.0
    while cursor < end:
        next_day = (cursor + dt.timedelta(days=1)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        chunk_end = min(next_day, end)
        if cursor.weekday() < 5:
            seconds += (chunk_end - cursor).total_seconds()
        cursor = chunk_end
    return seconds / 86400


@dataclass(frozen=True)
class QueueRow:
    item: ReviewItem
    waiting_days: float

    @property
    def overdue(self) -> bool:
        return self.waiting_days > TARGET_WORKING_DAYS


def review_queue_list(
    *,
    states: frozenset[str] | None = None,
    province: str = "",
    kind: str = "",
    organisation_kind: str = "",
    now: dt.datetime | None = None,
    limit: int = QUEUE_LIMIT,
) -> list[QueueRow]:
    """Items oldest first, filtered; `states` None means those waiting for staff."""
    from tenants.services.review_queue import WAITING_STATES

    items: QuerySet[ReviewItem] = ReviewItem.objects.select_related("tenant", "claimed_by")
    items = items.filter(state__in=states if states is not None else WAITING_STATES)
    if province:
        items = items.filter(province=province)
    if kind:
        items = items.filter(kind=kind)
    if organisation_kind:
        items = items.filter(organisation_kind=organisation_kind)
    now = now or timezone.now()
    return [
        QueueRow(item=item, waiting_days=working_days_between(item.waiting_since, now))
        for item in items.order_by("waiting_since", "id")[:limit]
    ]


def audit_entries_for_tenant(*, tenant: Tenant) -> QuerySet[AuditEntry]:
    """The organiser's history, oldest first: its own transitions and its venues' decisions,
    each round of review among them."""
    return AuditEntry.objects.filter(tenant=tenant).order_by("at", "id")


def review_items_for_tenant(*, tenant: Tenant) -> QuerySet[ReviewItem]:
    """The organiser's own index row and its venues'."""
    return (
        ReviewItem.objects.filter(tenant=tenant)
        .select_related("claimed_by")
        .order_by("kind", "name")
    )


def review_rounds_for_tenant(*, tenant: Tenant) -> list[list[AuditEntry]]:
    """The organiser's history cut into rounds: a round starts at each submission (the
    entries before the first one, e.g. venues created while in draft, are a round of their
    own). Oldest round first."""
    rounds: list[list[AuditEntry]] = []
    for entry in audit_entries_for_tenant(tenant=tenant).exclude(action=ORGANISER_VIEWED):
        if not rounds or entry.action == "organiser.submit":
            rounds.append([])
        rounds[-1].append(entry)
    return rounds


@dataclass(frozen=True)
class ReviewNotice:
    """What the organiser's own pages say about its review: its state and, after a decision
    that asks something of it or stops its bookings, the reason staff gave."""

    state: str
    label: str
    reason: str


def organiser_review_notice(*, tenant: Tenant) -> ReviewNotice:
    reason = ""
    if tenant.review_status in ("changes_requested", "rejected", "suspended"):
        latest = (
            AuditEntry.objects.filter(
                tenant=tenant, target_type="tenants.tenant", target_id=str(tenant.pk)
            )
            .order_by("-at", "-id")
            .first()
        )
        reason = latest.reason if latest is not None else ""
    return ReviewNotice(
        state=tenant.review_status,
        label=str(Tenant.ReviewStatus(tenant.review_status).label),
        reason=reason,
    )


def venue_review_reason(*, tenant: Tenant, venue_id: int) -> str:
    """The reason of staff's latest decision on a venue ("" when none was given)."""
    latest = (
        AuditEntry.objects.filter(
            tenant=tenant, target_type="organizers.venue", target_id=str(venue_id)
        )
        .order_by("-at", "-id")
        .first()
    )
    return latest.reason if latest is not None else ""
