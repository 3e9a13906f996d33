"""Reads inside the current tenant's schema."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from organizers.models import Programme, Slot, Venue


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
