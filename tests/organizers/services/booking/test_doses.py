"""The rules of a later dose (organizers.services.booking.doses): the previous dose first, the
same vaccine, inside the brand's interval; and the second dose reserved with the first, whole
or not at all."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from organizers.services.booking.engine import booking_create
from organizers.services.booking.refusals import BookingRefusedError
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue
from tests.organizers.seats import booking_refused, seat_counters


def test_second_dose_needs_the_first_and_respects_the_interval(alpha: OrganizerFixture) -> None:
    programme, venue = a_programme(), a_venue()
    first = a_slot(venue=venue, programme=programme)
    too_early = a_slot(venue=venue, programme=programme, starts_in=dt.timedelta(days=20))
    inside = a_slot(venue=venue, programme=programme, starts_in=dt.timedelta(days=30))
    too_late = a_slot(venue=venue, programme=programme, starts_in=dt.timedelta(days=60))
    other_brand = a_slot(
        venue=venue, programme=programme, starts_in=dt.timedelta(days=31), brand="pfizer"
    )
    person = a_person()

    booking_refused(
        "previous_dose_missing", programme_id=programme.id, slot_id=inside.id, dose=2, person=person
    )
    booking_create(programme_id=programme.id, slot_id=first.id, dose=1, person=person)
    with pytest.raises(BookingRefusedError) as early:
        booking_create(programme_id=programme.id, slot_id=too_early.id, dose=2, person=person)
    assert early.value.code == "outside_dose_interval"
    assert early.value.extra == {"min_days": 28, "max_days": 42, "days": 18}
    booking_refused(
        "outside_dose_interval",
        programme_id=programme.id,
        slot_id=too_late.id,
        dose=2,
        person=person,
    )
    booking_refused(
        "brand_mismatch", programme_id=programme.id, slot_id=other_brand.id, dose=2, person=person
    )

    second = booking_create(programme_id=programme.id, slot_id=inside.id, dose=2, person=person)

    assert second.first_dose.slot_id == first.id
    for slot in (too_early, too_late, other_brand):
        slot.refresh_from_db()
        assert slot.booked == 0


def test_first_dose_can_reserve_the_second_at_the_same_venue(alpha: OrganizerFixture) -> None:
    programme, venue = a_programme(), a_venue()
    first = a_slot(venue=venue, programme=programme)
    a_slot(venue=venue, programme=programme, starts_in=dt.timedelta(days=10))  # too early
    target = a_slot(
        venue=venue,
        programme=programme,
        starts_in=dt.timedelta(days=31),
        booking_opens_at=timezone.now() + dt.timedelta(days=20),
    )

    booking = booking_create(
        programme_id=programme.id,
        slot_id=first.id,
        dose=1,
        person=a_person(),
        reserve_next_dose=True,
    )

    reserved = booking.later_doses.get()
    assert (reserved.dose, reserved.slot_id, reserved.status) == (2, target.id, "active")
    target.refresh_from_db()
    assert (target.booked, target.booked_dose2) == (1, 1)


def test_reserving_the_second_dose_fails_whole_when_no_seat(alpha: OrganizerFixture) -> None:
    programme, venue = a_programme(), a_venue()
    first = a_slot(venue=venue, programme=programme)

    booking_refused(
        "next_dose_full",
        programme_id=programme.id,
        slot_id=first.id,
        dose=1,
        person=a_person(),
        reserve_next_dose=True,
    )

    assert seat_counters(first) == (0, 0, 0)
