"""Seat counters and booking refusals, as the booking and waitlist tests check them."""

from __future__ import annotations

import pytest

from organizers.models import Booking, Slot
from organizers.services.booking.engine import booking_create
from organizers.services.booking.refusals import BookingRefusedError


def seat_counters(slot: Slot) -> tuple[int, int, int]:
    """(seats taken, seats taken for dose 1, active bookings) of the slot, read afresh."""
    slot.refresh_from_db()
    active = Booking.objects.filter(slot=slot, status="active").count()
    return slot.booked, slot.booked_dose1, active


def booking_refused(code: str, **kwargs: object) -> None:
    """booking_create(**kwargs) is refused with `code`."""
    with pytest.raises(BookingRefusedError) as refused:
        booking_create(**kwargs)
    assert refused.value.code == code
