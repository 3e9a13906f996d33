"""The booking engine (organizers.services.booking.engine): a booking takes one seat, and every
refusal leaves the counters and the bookings as they were."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from organizers.models import Booking, Programme, Slot
from organizers.personal_data import person_key, unseal
from organizers.services.booking.engine import booking_create
from organizers.services.booking.refusals import BookingRefusedError
from tenants.errors import NotFoundError
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue
from tests.organizers.seats import booking_refused, seat_counters


def test_booking_takes_one_seat_and_seals_the_personal_data(alpha: OrganizerFixture) -> None:
    programme, venue = a_programme(), a_venue()
    slot = a_slot(venue=venue, programme=programme)
    person = a_person(nik="3273014403580002")

    booking = booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=person)

    assert seat_counters(slot) == (1, 1, 1)
    assert len(booking.voucher_code) == 9
    assert booking.voucher_code[4] == "-"
    stored = Booking.objects.get(id=booking.id)
    assert unseal(stored.nik_sealed, field="nik") == "3273014403580002"
    assert unseal(stored.date_of_birth_sealed, field="date_of_birth") == "1958-03-14"
    assert stored.person_key == person_key("3273014403580002")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM organizers_booking WHERE nik_sealed LIKE %s "
            "OR person_key LIKE %s OR date_of_birth_sealed LIKE %s",
            ["%3273014403580002%", "%3273014403580002%", "%1958%"],
        )
        assert cursor.fetchone() == (0,)


def test_full_slot_is_refused_and_nothing_changes(alpha: OrganizerFixture) -> None:
    programme, venue = a_programme(), a_venue()
    slot = a_slot(venue=venue, programme=programme, capacity=1)
    booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())

    booking_refused(
        "slot_full", programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person()
    )

    assert seat_counters(slot) == (1, 1, 1)


@pytest.mark.parametrize(
    ("opens", "closes", "closed"),
    [
        (dt.timedelta(hours=1), dt.timedelta(days=1), False),  # the drop has not happened
        (dt.timedelta(days=-2), dt.timedelta(hours=-1), False),  # closed before the slot
        (dt.timedelta(days=-2), dt.timedelta(days=1), True),  # closed by the organiser
    ],
)
def test_booking_outside_the_window_is_refused(
    alpha: OrganizerFixture, opens: dt.timedelta, closes: dt.timedelta, closed: bool
) -> None:
    programme, venue = a_programme(), a_venue()
    now = timezone.now()
    slot = a_slot(
        venue=venue,
        programme=programme,
        booking_opens_at=now + opens,
        booking_closes_at=now + closes,
        is_closed=closed,
    )

    booking_refused(
        "window_closed", programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person()
    )

    assert seat_counters(slot) == (0, 0, 0)


def test_past_slot_unapproved_venue_and_foreign_slot_are_refused(alpha: OrganizerFixture) -> None:
    programme, other_programme, venue = a_programme(), a_programme(name="Other"), a_venue()
    past = a_slot(
        venue=venue,
        programme=programme,
        starts_in=dt.timedelta(hours=-1),
        booking_closes_at=timezone.now() + dt.timedelta(hours=1),
    )
    pending = a_slot(venue=a_venue(name="New", status="pending"), programme=programme)
    foreign = a_slot(venue=venue, programme=other_programme, starts_in=dt.timedelta(days=3))

    booking_refused(
        "slot_in_past", programme_id=programme.id, slot_id=past.id, dose=1, person=a_person()
    )
    booking_refused(
        "venue_not_bookable",
        programme_id=programme.id,
        slot_id=pending.id,
        dose=1,
        person=a_person(),
    )
    with pytest.raises(NotFoundError):
        booking_create(programme_id=programme.id, slot_id=foreign.id, dose=1, person=a_person())
    assert Booking.objects.count() == 0
    assert {s.booked for s in Slot.objects.all()} == {0}


def test_a_refusal_names_the_first_reason_as_the_checks_order_them(alpha: OrganizerFixture) -> None:
    # One query says why the booking statement took no seat (the rush front asks it too); its
    # order is the checks' order: programme, dose, slot, venue, past, window, full.
    programme, venue = a_programme(), a_venue()
    second_only, inactive = a_programme(name="Dosis 2", doses=[2]), a_programme(name="Lama")
    Programme.objects.filter(id=inactive.id).update(is_active=False)
    now = timezone.now()
    full_and_past = a_slot(
        venue=venue,
        programme=programme,
        capacity=1,
        starts_in=dt.timedelta(hours=-1),
        booking_closes_at=now + dt.timedelta(hours=1),
    )
    Slot.objects.filter(id=full_and_past.id).update(booked=1, booked_dose1=1)
    full_and_closed = a_slot(
        venue=venue, programme=programme, capacity=1, is_closed=True, starts_in=dt.timedelta(days=3)
    )
    Slot.objects.filter(id=full_and_closed.id).update(booked=1, booked_dose1=1)
    of_second_only = a_slot(venue=venue, programme=second_only, starts_in=dt.timedelta(days=4))

    cases = [
        (NotFoundError, "programme_not_found", inactive.id, full_and_past.id),
        (NotFoundError, "programme_not_found", 10**9, full_and_past.id),
        (BookingRefusedError, "dose_not_offered", second_only.id, of_second_only.id),
        (NotFoundError, "slot_not_found", programme.id, of_second_only.id),
        (BookingRefusedError, "slot_in_past", programme.id, full_and_past.id),
        (BookingRefusedError, "window_closed", programme.id, full_and_closed.id),
    ]
    for error, code, programme_id, slot_id in cases:
        with pytest.raises(error) as refused:
            booking_create(programme_id=programme_id, slot_id=slot_id, dose=1, person=a_person())
        assert refused.value.code == code, (code, programme_id, slot_id)
    assert Booking.objects.count() == 0


def test_second_active_booking_for_the_same_nik_and_dose_is_refused(
    alpha: OrganizerFixture,
) -> None:
    programme, venue = a_programme(), a_venue()
    first = a_slot(venue=venue, programme=programme)
    second = a_slot(venue=venue, programme=programme, starts_in=dt.timedelta(days=3))
    person = a_person()
    booking_create(programme_id=programme.id, slot_id=first.id, dose=1, person=person)

    booking_refused(
        "already_booked", programme_id=programme.id, slot_id=second.id, dose=1, person=person
    )

    assert seat_counters(second) == (0, 0, 0)  # the seat taken before the refusal was given back


def test_dose_split_limits_each_dose_inside_the_slot(alpha: OrganizerFixture) -> None:
    programme, venue = a_programme(), a_venue()
    slot = a_slot(venue=venue, programme=programme, capacity=10, capacity_dose1=1)
    booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())

    booking_refused(
        "slot_full", programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person()
    )

    slot.refresh_from_db()
    assert slot.remaining == 9
    assert slot.remaining_for_dose(1) == 0


def _run_checked(sql: str, params: list[object]) -> None:
    """Run a statement and check the deferred constraints at once, in a savepoint."""
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_booking_must_point_at_a_slot_of_its_own_programme(alpha: OrganizerFixture) -> None:
    """One composite foreign key (slot, programme) keeps bookings consistent in the database
    itself, whatever code writes them; a deleted slot cannot leave orphans."""
    from django.db import IntegrityError

    programme, other, venue = a_programme(), a_programme(name="Lain"), a_venue()
    slot = a_slot(venue=venue, programme=programme)
    booking = booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())

    for column, value in (("programme_id", other.id), ("slot_id", slot.id + 10_000)):
        sql = f"UPDATE organizers_booking SET {column} = %s WHERE id = %s"  # noqa: S608
        with pytest.raises(IntegrityError):
            _run_checked(sql, [value, booking.id])
    with pytest.raises(IntegrityError):
        _run_checked("DELETE FROM organizers_slot WHERE id = %s", [slot.id])
    assert Booking.objects.get(id=booking.id).slot_id == slot.id
