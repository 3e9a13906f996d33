"""The capacity engine: every refusal leaves the counters and the bookings as they were."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from organizers.models import Booking, Programme, Slot, WaitlistEntry
from organizers.personal_data import person_key, unseal
from organizers.services.capacity import (
    BookingRefusedError,
    booking_cancel,
    booking_create,
    booking_reschedule,
    waitlist_join,
    waitlist_offer_accept,
    waitlist_offers_expire,
)
from organizers.services.slots import slot_capacity_set
from tenants.errors import ApplicationError, NotFoundError
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue


def _counters(slot: Slot) -> tuple[int, int, int]:
    slot.refresh_from_db()
    active = Booking.objects.filter(slot=slot, status="active").count()
    return slot.booked, slot.booked_dose1, active


def _refused(code: str, **kwargs: object) -> None:
    with pytest.raises(BookingRefusedError) as refused:
        booking_create(**kwargs)
    assert refused.value.code == code


def test_booking_takes_one_seat_and_seals_the_personal_data(alpha: OrganizerFixture) -> None:
    programme, venue = a_programme(), a_venue()
    slot = a_slot(venue=venue, programme=programme)
    person = a_person(nik="3273014403580002")

    booking = booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=person)

    assert _counters(slot) == (1, 1, 1)
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

    _refused("slot_full", programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())

    assert _counters(slot) == (1, 1, 1)


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

    _refused("window_closed", programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())

    assert _counters(slot) == (0, 0, 0)


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

    _refused("slot_in_past", programme_id=programme.id, slot_id=past.id, dose=1, person=a_person())
    _refused(
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

    _refused("already_booked", programme_id=programme.id, slot_id=second.id, dose=1, person=person)

    assert _counters(second) == (0, 0, 0)  # the seat taken before the refusal was given back


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

    _refused(
        "previous_dose_missing", programme_id=programme.id, slot_id=inside.id, dose=2, person=person
    )
    booking_create(programme_id=programme.id, slot_id=first.id, dose=1, person=person)
    with pytest.raises(BookingRefusedError) as early:
        booking_create(programme_id=programme.id, slot_id=too_early.id, dose=2, person=person)
    assert early.value.code == "outside_dose_interval"
    assert early.value.extra == {"min_days": 28, "max_days": 42, "days": 18}
    _refused(
        "outside_dose_interval",
        programme_id=programme.id,
        slot_id=too_late.id,
        dose=2,
        person=person,
    )
    _refused(
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

    _refused(
        "next_dose_full",
        programme_id=programme.id,
        slot_id=first.id,
        dose=1,
        person=a_person(),
        reserve_next_dose=True,
    )

    assert _counters(first) == (0, 0, 0)


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

    assert _counters(first) == (0, 0, 0)
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
    assert (_counters(old), _counters(full)) == ((1, 1, 1), (1, 1, 1))

    booking_reschedule(booking_id=booking.id, new_slot_id=new.id)

    assert (_counters(old), _counters(new)) == ((0, 0, 0), (1, 1, 1))


def test_dose_split_limits_each_dose_inside_the_slot(alpha: OrganizerFixture) -> None:
    programme, venue = a_programme(), a_venue()
    slot = a_slot(venue=venue, programme=programme, capacity=10, capacity_dose1=1)
    booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())

    _refused("slot_full", programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())

    slot.refresh_from_db()
    assert slot.remaining == 9
    assert slot.remaining_for_dose(1) == 0


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


def test_freed_seat_is_held_for_the_waitlist_then_passed_on_when_the_offer_expires(
    alpha: OrganizerFixture,
) -> None:
    programme, venue = a_programme(), a_venue()
    slot = a_slot(venue=venue, programme=programme, capacity=1)
    taken = booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())
    day = slot.starts_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    first = waitlist_join(
        programme_id=programme.id, venue_id=venue.id, day=day, dose=1, person=a_person(name="First")
    )
    second = waitlist_join(
        programme_id=programme.id,
        venue_id=venue.id,
        day=day,
        dose=1,
        person=a_person(name="Second"),
    )

    booking_cancel(booking_id=taken.id)

    first.refresh_from_db()
    assert first.status == "offered"
    assert first.offered_slot_id == slot.id
    assert _counters(slot) == (1, 1, 0)  # the seat is held, not released
    later = first.offer_expires_at + dt.timedelta(seconds=1)
    assert waitlist_offers_expire(now=later) == 1
    second.refresh_from_db()
    assert second.status == "offered"

    booking = waitlist_offer_accept(token=second.offer_token, now=later)

    assert booking.full_name == "Second"
    assert _counters(slot) == (1, 1, 1)
    with pytest.raises(NotFoundError):
        waitlist_offer_accept(token=first.offer_token, now=later)
    assert WaitlistEntry.objects.get(id=first.id).status == "expired"


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
