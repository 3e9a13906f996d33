"""A booking to make vouchers of, for the voucher tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from organizers.models import Booking
from organizers.services.booking.engine import booking_create
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue


def a_booking(*, time_zone: str = "Asia/Jakarta", language: str = "id") -> Booking:
    """A first dose at 10:00 venue-local, three days from now."""
    from zoneinfo import ZoneInfo

    programme = a_programme()
    venue = a_venue(name="Puskesmas Cempaka", address="Jl. Cempaka 1", time_zone=time_zone)
    day = timezone.now().astimezone(ZoneInfo(time_zone)).date() + dt.timedelta(days=3)
    starts = dt.datetime.combine(day, dt.time(10, 0), ZoneInfo(time_zone))
    slot = a_slot(
        venue=venue,
        programme=programme,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=30),
        booking_closes_at=starts - dt.timedelta(hours=1),
    )
    person = a_person(nik="3273015403580002", name="Siti Aminah")
    person = type(person)(**{**person.__dict__, "language": language})
    booking = booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=person)
    return Booking.objects.select_related("slot__venue").get(id=booking.id)
