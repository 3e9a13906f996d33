"""Joining the waitlist (organizers.services.waitlist.join): only for a full day, only for a
person without a booking for the dose, and after the eligibility rules of a booking."""

from __future__ import annotations

import datetime as dt

import pytest

from organizers.models import Slot, WaitlistEntry
from organizers.services.booking.engine import booking_create
from organizers.services.booking.refusals import BookingRefusedError
from organizers.services.waitlist.join import waitlist_join, waitlist_join_checked
from tenants.errors import ApplicationError
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue


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


def test_joining_the_waitlist_checks_who_may_book_first(alpha: OrganizerFixture) -> None:
    programme = a_programme(kind="company", uses_roster=True)
    venue = a_venue()
    slot = a_slot(venue=venue, programme=programme, capacity=0)
    day = slot.starts_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date()

    with pytest.raises(ApplicationError) as refused:
        waitlist_join_checked(
            programme_id=programme.id, venue_id=venue.id, day=day, dose=1, person=a_person()
        )

    assert refused.value.code == "not_on_roster"
    assert not WaitlistEntry.objects.exists()


def test_joining_the_waitlist_by_email_domain_needs_the_address_proven(
    alpha: OrganizerFixture,
) -> None:
    programme = a_programme(kind="company", allowed_email_domains=["acme.co.id"])
    venue = a_venue()
    slot = a_slot(venue=venue, programme=programme, capacity=0)
    day = slot.starts_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    person = a_person(email="siti@acme.co.id")
    wait = {"programme_id": programme.id, "venue_id": venue.id, "day": day, "dose": 1}

    with pytest.raises(ApplicationError) as refused:
        waitlist_join_checked(**wait, person=person)
    assert refused.value.code == "email_verification_required"
    assert not WaitlistEntry.objects.exists()

    entry = waitlist_join_checked(**wait, person=person, email_verified=True)
    assert entry.status == WaitlistEntry.Status.WAITING
