"""Zero overbooking under real concurrency: many threads, each with its own PostgreSQL
connection, on committed data (no test transaction to hide the races); and two people swapping
slots at once never deadlock (organizers.services.booking.seats locks slots in id order)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db import connection

from organizers.models import Programme, Slot
from organizers.services.booking.changes import booking_cancel, booking_reschedule
from organizers.services.booking.engine import booking_create
from tenants.context import tenant_scope
from tenants.models import Tenant
from tests.organizers.concurrency import run_at_once
from tests.organizers.factories import (
    a_person,
    a_programme,
    a_slot,
    a_venue,
)


@pytest.fixture
def committed_slot(alpha_committed: Tenant) -> tuple[Tenant, Programme, Slot]:
    tenant = alpha_committed
    with tenant_scope(tenant):
        programme = a_programme()
        slot = a_slot(venue=a_venue(), programme=programme, capacity=10)
    return tenant, programme, slot


def _oracle(tenant: Tenant) -> None:
    """The benchmark's oracle, in SQL: no slot over capacity, counters equal bookings."""
    with tenant_scope(tenant), connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT s.id, s.capacity, s.booked,
                   (SELECT count(*) FROM organizers_booking b
                     WHERE b.slot_id = s.id AND b.status = 'active')
              FROM organizers_slot s
            """
        )
        for slot_id, capacity, booked, active in cursor.fetchall():
            assert booked <= capacity, f"slot {slot_id} overbooked"
            assert booked == active, f"slot {slot_id}: counter {booked}, bookings {active}"


def test_forty_people_racing_for_ten_seats_get_exactly_ten(
    committed_slot: tuple[Tenant, Programme, Slot],
) -> None:
    tenant, programme, slot = committed_slot

    def book(_index: int) -> str:
        with tenant_scope(tenant):
            booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())
        return "booked"

    outcomes = run_at_once(40, book)

    assert outcomes == Counter({"booked": 10, "slot_full": 30})
    with tenant_scope(tenant):
        slot.refresh_from_db()
        assert slot.booked == 10
    _oracle(tenant)


def test_one_person_booking_ten_times_at_once_gets_one_booking(
    committed_slot: tuple[Tenant, Programme, Slot],
) -> None:
    tenant, programme, slot = committed_slot
    person = a_person()

    def book(_index: int) -> str:
        with tenant_scope(tenant):
            booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=person)
        return "booked"

    outcomes = run_at_once(10, book)

    assert outcomes == Counter({"booked": 1, "already_booked": 9})
    _oracle(tenant)


def test_cancelling_the_same_booking_concurrently_frees_one_seat(
    committed_slot: tuple[Tenant, Programme, Slot],
) -> None:
    tenant, programme, slot = committed_slot
    with tenant_scope(tenant):
        booking = booking_create(
            programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person()
        )
        booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())

    def cancel(_index: int) -> str:
        with tenant_scope(tenant):
            return "cancelled" if booking_cancel(booking_id=booking.id) else "no-op"

    outcomes = run_at_once(8, cancel)

    assert outcomes == Counter({"cancelled": 1, "no-op": 7})
    with tenant_scope(tenant):
        slot.refresh_from_db()
        assert slot.booked == 1
    _oracle(tenant)


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
