"""Venues and their slots. Tenant schema. Slot templates, overrides and the capacity engine come
with the venues-and-slots issue; this is what provisioning and the demo data need now."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction

from organizers.models import Slot, Venue


def venue_create(
    *,
    name: str,
    address: str,
    city: str,
    province: str,
    time_zone: str = Venue.TimeZone.WIB,
    status: str = Venue.Status.PENDING,
) -> Venue:
    venue = Venue(
        name=name,
        address=address,
        city=city,
        province=province,
        time_zone=time_zone,
        status=status,
    )
    venue.full_clean()
    venue.save()
    return venue


@transaction.atomic
def slots_generate_days(
    *,
    venue: Venue,
    first_day: dt.date,
    days: int,
    opens: dt.time,
    closes: dt.time,
    slot_minutes: int,
    capacity: int,
) -> int:
    """Create the slots of `days` days from `first_day`, in the venue's local time. Slots that
    already exist are left untouched (booked seats are never reset). Returns how many were
    created."""
    zone = ZoneInfo(venue.time_zone)
    step = dt.timedelta(minutes=slot_minutes)
    new_slots: list[Slot] = []
    for offset in range(days):
        day = first_day + dt.timedelta(days=offset)
        start = dt.datetime.combine(day, opens, tzinfo=zone)
        end_of_day = dt.datetime.combine(day, closes, tzinfo=zone)
        while start + step <= end_of_day:
            new_slots.append(
                Slot(venue=venue, starts_at=start, ends_at=start + step, capacity=capacity)
            )
            start += step
    starts = [slot.starts_at for slot in new_slots]
    before = Slot.objects.filter(venue=venue, starts_at__in=starts).count()
    # ignore_conflicts: an existing slot (maybe with bookings) is never overwritten.
    Slot.objects.bulk_create(new_slots, ignore_conflicts=True)
    return Slot.objects.filter(venue=venue, starts_at__in=starts).count() - before
