"""Waitlist offers (organizers.services.waitlist.offers): a freed seat is held for the first
person waiting who has no booking yet, only while the slot still takes bookings; an expired
offer passes the seat on (in every organiser, by beat); an accepted one brings the e-voucher."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from organizers.models import Booking, Message, Slot, WaitlistEntry
from organizers.services.booking.changes import booking_cancel, booking_cancel_with_notice
from organizers.services.booking.engine import booking_create
from organizers.services.booking.place import booking_place
from organizers.services.waitlist.join import waitlist_join
from organizers.services.waitlist.offers import waitlist_offer_accept, waitlist_offers_expire
from organizers.tasks import waitlist_offers_expire_all
from tenants.context import tenant_scope
from tenants.errors import NotFoundError
from tests.conftest import OrganizerFixture
from tests.organizers.conftest import BeatInline
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue
from tests.organizers.seats import seat_counters


def _day(slot: Slot) -> dt.date:
    return slot.starts_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date()


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
    assert seat_counters(slot) == (1, 1, 0)  # the seat is held, not released
    later = first.offer_expires_at + dt.timedelta(seconds=1)
    assert waitlist_offers_expire(now=later) == 1
    second.refresh_from_db()
    assert second.status == "offered"

    booking = waitlist_offer_accept(token=second.offer_token, now=later)

    assert booking.full_name == "Second"
    assert seat_counters(slot) == (1, 1, 1)
    with pytest.raises(NotFoundError):
        waitlist_offer_accept(token=first.offer_token, now=later)
    assert WaitlistEntry.objects.get(id=first.id).status == "expired"


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


def test_a_seat_from_the_waitlist_brings_the_e_voucher_in_the_waiting_persons_language(
    alpha: OrganizerFixture,
) -> None:
    programme, venue = a_programme(), a_venue()
    slot = a_slot(venue=venue, programme=programme, capacity=1)
    taken = booking_place(programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())
    day = slot.starts_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    entry = waitlist_join(
        programme_id=programme.id,
        venue_id=venue.id,
        day=day,
        dose=1,
        person=a_person(name="Budi", language="en", email="budi@example.id"),
    )

    booking_cancel_with_notice(booking_id=taken.id)
    entry.refresh_from_db()
    offer = Message.objects.get(waitlist_entry=entry)
    booking = waitlist_offer_accept(token=entry.offer_token)

    assert (offer.kind, offer.language, offer.to_email) == (
        "waitlist_offer",
        "en",
        "budi@example.id",
    )
    assert booking.language == "en"
    voucher = Message.objects.get(booking=booking)
    assert (voucher.kind, voucher.language, voucher.to_email) == (
        "voucher",
        "en",
        "budi@example.id",
    )
