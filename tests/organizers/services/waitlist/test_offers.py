"""Waitlist eligibility, swaps without deadlocks, and other rules found in review."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from organizers.models import Booking, Slot, WaitlistEntry
from organizers.services.capacity import (
    BookingRefusedError,
    booking_cancel,
    booking_create,
    booking_reschedule,
    waitlist_join,
)
from organizers.services.slots import slot_override
from organizers.tasks import waitlist_offers_expire_all
from tenants.context import tenant_scope
from tenants.errors import ApplicationError
from tenants.models import Tenant
from tests.conftest import OrganizerFixture
from tests.organizers.concurrency import run_at_once
from tests.organizers.conftest import BeatInline
from tests.organizers.factories import (
    a_person,
    a_programme,
    a_slot,
    a_venue,
)


def _day(slot: Slot) -> dt.date:
    return slot.starts_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date()


def _join(code: str, **kwargs: object) -> None:
    with pytest.raises(BookingRefusedError) as refused:
        waitlist_join(**kwargs)
    assert refused.value.code == code


def test_waitlist_is_only_for_a_full_day_and_people_without_a_booking(
    alpha: OrganizerFixture,
) -> None:
    programme, venue = a_programme(), a_venue()
    slot = a_slot(venue=venue, programme=programme, capacity=1)
    common = {"programme_id": programme.id, "venue_id": venue.id, "day": _day(slot), "dose": 1}

    _join("seats_available", person=a_person(), **common)
    booked = a_person()
    booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=booked)
    _join("already_booked", person=booked, **common)
    _join("previous_dose_missing", person=a_person(), **{**common, "dose": 2})

    assert WaitlistEntry.objects.count() == 0


def test_freed_seat_skips_a_waiting_person_who_booked_meanwhile(alpha: OrganizerFixture) -> None:
    programme, venue = a_programme(), a_venue()
    slot = a_slot(venue=venue, programme=programme, capacity=1)
    other = a_slot(
        venue=venue, programme=programme, capacity=1, starts_in=dt.timedelta(days=2, hours=1)
    )
    first = booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())
    booking_create(programme_id=programme.id, slot_id=other.id, dose=1, person=a_person())
    waiting = a_person()
    entry = waitlist_join(
        programme_id=programme.id, venue_id=venue.id, day=_day(slot), dose=1, person=waiting
    )
    # The waiting person got a seat elsewhere (someone cancelled and they were quicker).
    Booking.objects.filter(slot=other).update(status="cancelled")
    Slot.objects.filter(id=other.id).update(booked=0, booked_dose1=0)
    booking_create(programme_id=programme.id, slot_id=other.id, dose=1, person=waiting)

    booking_cancel(booking_id=first.id)

    entry.refresh_from_db()
    slot.refresh_from_db()
    assert entry.status == "waiting"
    assert slot.booked == 0  # released to everyone instead of held for nobody


def test_no_offer_once_the_slot_stopped_taking_bookings(alpha: OrganizerFixture) -> None:
    programme, venue = a_programme(), a_venue()
    slot = a_slot(venue=venue, programme=programme, capacity=1)
    booking = booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())
    entry = waitlist_join(
        programme_id=programme.id, venue_id=venue.id, day=_day(slot), dose=1, person=a_person()
    )
    Slot.objects.filter(id=slot.id).update(booking_closes_at=timezone.now() - dt.timedelta(1))

    booking_cancel(booking_id=booking.id)

    entry.refresh_from_db()
    slot.refresh_from_db()
    assert (entry.status, slot.booked) == ("waiting", 0)


def test_beat_task_expires_offers_in_every_tenant(
    tenant_a: OrganizerFixture, beat_inline: BeatInline
) -> None:
    with tenant_scope(tenant_a.tenant):
        programme, venue = a_programme(), a_venue()
        slot = a_slot(venue=venue, programme=programme, capacity=1)
        booking = booking_create(
            programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person()
        )
        entry = waitlist_join(
            programme_id=programme.id, venue_id=venue.id, day=_day(slot), dose=1, person=a_person()
        )
        booking_cancel(booking_id=booking.id)
        WaitlistEntry.objects.filter(id=entry.id).update(
            offer_expires_at=timezone.now() - dt.timedelta(minutes=1)
        )

    waitlist_offers_expire_all.apply().get()

    assert beat_inline.total() == 1

    with tenant_scope(tenant_a.tenant):
        slot.refresh_from_db()
        assert WaitlistEntry.objects.get(id=entry.id).status == "expired"
        assert slot.booked == 0


def test_vaccine_of_a_booked_slot_cannot_change(alpha: OrganizerFixture) -> None:
    programme, venue = a_programme(), a_venue()
    slot = a_slot(venue=venue, programme=programme)
    booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())

    with pytest.raises(ApplicationError) as refused:
        slot_override(slot_id=slot.id, vaccine_brand="pfizer")

    assert refused.value.code == "slot_has_bookings"
    slot.refresh_from_db()
    assert slot.vaccine_brand == "sinovac"


@pytest.fixture
def two_full_slots(alpha_committed: Tenant) -> tuple[Tenant, list[int], list[int]]:
    tenant = alpha_committed
    with tenant_scope(tenant):
        programme, venue = a_programme(), a_venue()
        slots = [
            a_slot(venue=venue, programme=programme, capacity=2, starts_in=dt.timedelta(days=d))
            for d in (2, 3)
        ]
        bookings = [
            booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())
            for slot in slots
        ]
    return tenant, [s.id for s in slots], [b.id for b in bookings]


def test_two_people_swapping_slots_at_once_never_deadlock(
    two_full_slots: tuple[Tenant, list[int], list[int]],
) -> None:
    tenant, slot_ids, booking_ids = two_full_slots

    def swap(index: int) -> str:
        """Booking 0 moves to slot 1 while booking 1 moves to slot 0."""
        try:
            with tenant_scope(tenant):
                booking_reschedule(booking_id=booking_ids[index], new_slot_id=slot_ids[1 - index])
        except Exception as exc:  # a deadlock, or any other failure, is named in the outcome
            return type(exc).__name__
        return "moved"

    for _round in range(5):
        assert run_at_once(2, swap) == Counter({"moved": 2})
        slot_ids.reverse()

    with tenant_scope(tenant):
        assert sorted(Slot.objects.values_list("booked", flat=True)) == [1, 1]
