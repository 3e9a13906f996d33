"""Schedules and slot settings as the organiser's pages save them (organizers.services.slots):
a schedule comes with its slots or not at all, a slot's settings are saved together, and a
booked slot keeps its seats and its vaccine."""

from __future__ import annotations

import datetime as dt

import pytest

from organizers.models import Slot, SlotTemplate
from organizers.services.booking.engine import booking_create
from organizers.services.slots import (
    slot_capacity_set,
    slot_override,
    slot_settings_update,
    slot_template_create_with_slots,
)
from tenants.errors import ApplicationError
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue

MONDAY = dt.date(2030, 1, 7)


def _schedule(**changes: object) -> dict[str, object]:
    return {
        "first_day": MONDAY,
        "last_day": MONDAY + dt.timedelta(days=6),
        "weekdays": [0, 1],
        "opens": dt.time(8),
        "closes": dt.time(10),
        "slot_minutes": 30,
        "capacity": 10,
        "vaccine_brand": "sinovac",
        **changes,
    }


def test_a_schedule_is_saved_with_its_slots(alpha: OrganizerFixture) -> None:
    programme, venue = a_programme(), a_venue()

    template, result = slot_template_create_with_slots(
        venue=venue, programme=programme, **_schedule()
    )

    assert (result.created, result.kept, result.skipped_blackout_days) == (8, 0, 0)
    assert Slot.objects.filter(template=template).count() == 8


def test_a_refused_generation_leaves_no_schedule(alpha: OrganizerFixture) -> None:
    programme, venue = a_programme(), a_venue()

    with pytest.raises(ApplicationError):
        slot_template_create_with_slots(
            venue=venue, programme=programme, **_schedule(capacity=10, capacity_dose1=11)
        )

    assert not SlotTemplate.objects.exists()
    assert not Slot.objects.exists()


def test_slot_settings_are_saved_together_or_not_at_all(alpha: OrganizerFixture) -> None:
    programme = a_programme()
    slot = a_slot(venue=a_venue(), programme=programme, capacity=2)
    booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())
    closes = slot.starts_at - dt.timedelta(hours=3)

    with pytest.raises(ApplicationError):  # below the one booked seat
        slot_settings_update(slot_id=slot.id, capacity=0, is_closed=True, booking_closes_at=closes)
    slot.refresh_from_db()
    assert (slot.capacity, slot.is_closed) == (2, False)

    slot_settings_update(slot_id=slot.id, capacity=5, is_closed=True, booking_closes_at=closes)
    slot.refresh_from_db()
    assert (slot.capacity, slot.is_closed, slot.booking_closes_at) == (5, True, closes)


def test_capacity_cannot_drop_below_what_is_booked(alpha: OrganizerFixture) -> None:
    programme, venue = a_programme(), a_venue()
    slot = a_slot(venue=venue, programme=programme, capacity=5)
    for _ in range(3):
        booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())

    with pytest.raises(ApplicationError) as refused:
        slot_capacity_set(slot_id=slot.id, capacity=2)
    assert refused.value.code == "capacity_below_booked"
    assert "3" in str(refused.value.message)
    assert slot_capacity_set(slot_id=slot.id, capacity=3).capacity == 3


def test_vaccine_of_a_booked_slot_cannot_change(alpha: OrganizerFixture) -> None:
    programme, venue = a_programme(), a_venue()
    slot = a_slot(venue=venue, programme=programme)
    booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())

    with pytest.raises(ApplicationError) as refused:
        slot_override(slot_id=slot.id, vaccine_brand="pfizer")

    assert refused.value.code == "slot_has_bookings"
    slot.refresh_from_db()
    assert slot.vaccine_brand == "sinovac"
