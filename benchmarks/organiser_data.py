"""What the bench and the reliability command book at, made one way: an approved venue with a
public programme (one vaccine), and open slots back to back. Tenant schema (the caller enters
the organiser's with tenants.context.tenant_scope)."""

from __future__ import annotations

import datetime as dt
from typing import Any

VACCINE = "sinovac"


def public_programme_and_venue(*, programme: str, venue: str, **address: str) -> tuple[Any, Any]:
    """A public programme and an approved venue for it; `address`: the venue's address, city
    and province."""
    from organizers.models import Programme, Venue

    made_programme = Programme.objects.create(
        name=programme, kind="public", vaccine_brands=[VACCINE]
    )
    made_venue = Venue.objects.create(
        name=venue, status="approved", vaccine_brands=[VACCINE], **address
    )
    return made_programme, made_venue


def open_slots_make(
    venue: Any,
    programme: Any,
    *,
    first: dt.datetime,
    minutes: int,
    per_day: int,
    capacity: int,
    days: int = 1,
) -> list[int]:
    """`per_day` slots of `minutes` back to back from `first`, on each of `days` days, open for
    booking from an hour ago until each starts; their ids, in order."""
    from django.utils import timezone

    from organizers.models import Slot

    now = timezone.now()
    rows = []
    for day in range(days):
        for index in range(per_day):
            starts = first + dt.timedelta(days=day, minutes=minutes * index)
            rows.append(
                Slot(
                    venue=venue,
                    programme=programme,
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(minutes=minutes),
                    capacity=capacity,
                    vaccine_brand=VACCINE,
                    booking_opens_at=now - dt.timedelta(hours=1),
                    booking_closes_at=starts,
                )
            )
    made = Slot.objects.bulk_create(rows)
    return sorted(slot.id for slot in made)
