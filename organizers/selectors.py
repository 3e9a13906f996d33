"""Reads inside the current tenant's schema."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from organizers.models import Programme, Slot, Venue, WaitlistEntry


def programme_list_active() -> QuerySet[Programme]:
    return Programme.objects.filter(is_active=True)


@dataclass(frozen=True)
class DashboardSummary:
    venues: int
    venues_approved: int
    upcoming_slots: int
    upcoming_seats: int
    upcoming_booked: int


def dashboard_summary() -> DashboardSummary:
    venue_counts = Venue.objects.aggregate(
        total=Count("id"), approved=Count("id", filter=Q(status=Venue.Status.APPROVED))
    )
    upcoming = Slot.objects.filter(starts_at__gte=timezone.now()).aggregate(
        slots=Count("id"), seats=Sum("capacity"), booked=Sum("booked")
    )
    return DashboardSummary(
        venues=venue_counts["total"],
        venues_approved=venue_counts["approved"],
        upcoming_slots=upcoming["slots"] or 0,
        upcoming_seats=upcoming["seats"] or 0,
        upcoming_booked=upcoming["booked"] or 0,
    )


def venue_list_bookable() -> QuerySet[Venue]:
    return Venue.objects.filter(status=Venue.Status.APPROVED)


def venue_get_bookable(*, venue_id: int) -> Venue | None:
    return venue_list_bookable().filter(id=venue_id).first()


def slot_list_for_venue_day(
    *, venue: Venue, day: dt.date, programme_id: int | None = None
) -> QuerySet[Slot]:
    """The slots of `venue` on `day` in the venue's own time zone (WIB, WITA or WIT)."""
    zone = ZoneInfo(venue.time_zone)
    start = dt.datetime.combine(day, dt.time(), zone)
    slots = Slot.objects.filter(
        venue=venue, starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1)
    )
    if programme_id is not None:
        slots = slots.filter(programme_id=programme_id)
    return slots.order_by("starts_at")


def waitlist_position(*, entry: WaitlistEntry) -> int:
    """1 for the first person waiting for that venue, day, programme and dose."""
    return WaitlistEntry.objects.filter(
        venue_id=entry.venue_id, day=entry.day, programme_id=entry.programme_id, dose=entry.dose,
        status=WaitlistEntry.Status.WAITING, created_at__lte=entry.created_at,
    ).count()  # fmt: skip
