"""Changing a booking (organizers.services.booking.changes): a cancel frees its seat exactly
once, a move takes the new seat before freeing the old one, nothing changes once the slot has
started or for a slot at another venue, and each change tells the person once."""

from __future__ import annotations

import datetime as dt

import pytest

from organizers.models import Booking, Message
from organizers.services.booking.changes import (
    booking_cancel,
    booking_cancel_with_notice,
    booking_reschedule,
    booking_reschedule_with_notice,
)
from organizers.services.booking.engine import booking_create
from organizers.services.booking.place import booking_place
from organizers.services.booking.refusals import BookingRefusedError
from tenants.errors import ApplicationError
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue
from tests.organizers.seats import seat_counters


def _kinds(booking: Booking) -> list[str]:
    return list(
        Message.objects.filter(booking=booking).order_by("id").values_list("kind", flat=True)
    )


def test_cancel_frees_the_seat_exactly_once_and_cancels_the_reserved_dose(
    alpha: OrganizerFixture,
) -> None:
    programme, venue = a_programme(), a_venue()
    first = a_slot(venue=venue, programme=programme)
    later = a_slot(venue=venue, programme=programme, starts_in=dt.timedelta(days=31))
    booking = booking_create(
        programme_id=programme.id,
        slot_id=first.id,
        dose=1,
        person=a_person(),
        reserve_next_dose=True,
    )

    assert booking_cancel(booking_id=booking.id) is True
    assert booking_cancel(booking_id=booking.id) is False

    assert seat_counters(first) == (0, 0, 0)
    later.refresh_from_db()
    assert (later.booked, later.booked_dose2) == (0, 0)
    assert set(Booking.objects.values_list("status", flat=True)) == {"cancelled"}


def test_reschedule_moves_the_seat_and_a_full_target_changes_nothing(
    alpha: OrganizerFixture,
) -> None:
    programme, venue = a_programme(), a_venue()
    old = a_slot(venue=venue, programme=programme)
    new = a_slot(venue=venue, programme=programme, starts_in=dt.timedelta(days=3))
    full = a_slot(venue=venue, programme=programme, starts_in=dt.timedelta(days=4), capacity=1)
    booking_create(programme_id=programme.id, slot_id=full.id, dose=1, person=a_person())
    booking = booking_create(programme_id=programme.id, slot_id=old.id, dose=1, person=a_person())

    with pytest.raises(BookingRefusedError) as refused:
        booking_reschedule(booking_id=booking.id, new_slot_id=full.id)
    assert refused.value.code == "slot_full"
    assert (seat_counters(old), seat_counters(full)) == ((1, 1, 1), (1, 1, 1))

    booking_reschedule(booking_id=booking.id, new_slot_id=new.id)

    assert (seat_counters(old), seat_counters(new)) == ((0, 0, 0), (1, 1, 1))


def test_cancel_and_move_each_tell_the_person_once(alpha: OrganizerFixture) -> None:
    programme, venue = a_programme(), a_venue()
    first = a_slot(venue=venue, programme=programme)
    second = a_slot(venue=venue, programme=programme, starts_in=dt.timedelta(days=3))
    booking = booking_place(
        programme_id=programme.id, slot_id=first.id, dose=1, person=a_person(language="en")
    )

    booking_reschedule_with_notice(booking_id=booking.id, new_slot_id=second.id)
    booking_reschedule_with_notice(booking_id=booking.id, new_slot_id=second.id)  # no move
    assert booking_cancel_with_notice(booking_id=booking.id) is True
    assert booking_cancel_with_notice(booking_id=booking.id) is False

    stored = Booking.objects.get(id=booking.id)
    assert _kinds(stored) == ["voucher", "rescheduled", "cancelled"]
    assert set(Message.objects.filter(booking=stored).values_list("language", flat=True)) == {"en"}


def test_cancel_and_move_are_refused_once_the_slot_has_started(alpha: OrganizerFixture) -> None:
    programme, venue = a_programme(), a_venue()
    slot = a_slot(venue=venue, programme=programme)
    later = a_slot(venue=venue, programme=programme, starts_in=dt.timedelta(days=3))
    booking = booking_place(programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())
    started = slot.starts_at  # the boundary: from the slot's start

    for change in (
        lambda: booking_cancel_with_notice(booking_id=booking.id, now=started),
        lambda: booking_reschedule_with_notice(
            booking_id=booking.id, new_slot_id=later.id, now=started
        ),
    ):
        with pytest.raises(ApplicationError) as refused:
            change()
        assert refused.value.code == "booking_time_passed"
    slot.refresh_from_db()
    later.refresh_from_db()
    assert (slot.booked, later.booked) == (1, 0)
    assert Booking.objects.get(id=booking.id).status == "active"
    assert _kinds(booking) == ["voucher"]
    # A moment before the start it still may.
    assert booking_cancel_with_notice(booking_id=booking.id, now=started - dt.timedelta(seconds=1))


def test_a_move_to_another_venue_is_refused(alpha: OrganizerFixture) -> None:
    programme = a_programme()
    slot = a_slot(venue=a_venue(), programme=programme)
    elsewhere = a_slot(venue=a_venue(name="Lain"), programme=programme)
    booking = booking_place(programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())

    with pytest.raises(ApplicationError) as refused:
        booking_reschedule_with_notice(booking_id=booking.id, new_slot_id=elsewhere.id)

    assert refused.value.code == "other_venue"
    slot.refresh_from_db()
    elsewhere.refresh_from_db()
    assert (slot.booked, elsewhere.booked) == (1, 0)
    assert Booking.objects.get(id=booking.id).slot_id == slot.id
