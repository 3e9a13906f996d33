"""What people do with bookings (organizers.services.bookings): every change they make sends
them one message, in their language, and a seat from the waitlist brings its e-voucher."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from organizers.models import Booking, Message, WaitlistEntry
from organizers.services.bookings import (
    PARTY_SIZE_MAX,
    VOUCHER_RESEND_MINUTES,
    PartyMember,
    booking_cancel_with_notice,
    booking_place,
    booking_place_party,
    booking_reschedule_with_notice,
    booking_voucher_resend,
    waitlist_join_checked,
)
from organizers.services.capacity import waitlist_join, waitlist_offer_accept
from tenants.errors import ApplicationError
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue


def _kinds(booking: Booking) -> list[str]:
    return list(
        Message.objects.filter(booking=booking).order_by("id").values_list("kind", flat=True)
    )


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


def test_a_party_is_booked_together_with_one_party_id(alpha: OrganizerFixture) -> None:
    programme = a_programme()
    slot = a_slot(venue=a_venue(), programme=programme)
    members = [
        PartyMember(person=a_person(name="Siti"), dose=1),
        PartyMember(person=a_person(name="Budi", email=""), dose=1),
    ]

    booked = booking_place_party(programme_id=programme.id, slot_id=slot.id, members=members)

    assert [b.full_name for b in booked] == ["Siti", "Budi"]
    parties = set(Booking.objects.values_list("party", flat=True))
    assert len(parties) == 1
    assert None not in parties
    slot.refresh_from_db()
    assert slot.booked == 2


def test_a_refusal_for_one_of_the_party_books_nobody_and_names_them(
    alpha: OrganizerFixture,
) -> None:
    programme = a_programme()
    slot = a_slot(venue=a_venue(), programme=programme, capacity=1)
    members = [
        PartyMember(person=a_person(name="Siti"), dose=1),
        PartyMember(person=a_person(name="Budi"), dose=1),
    ]

    with pytest.raises(ApplicationError) as refused, translation.override("en"):
        booking_place_party(programme_id=programme.id, slot_id=slot.id, members=members)

    assert refused.value.code == "slot_full"
    with translation.override("en"):
        assert str(refused.value.message) == (
            "Budi: This arrival time is full. Choose another. Nobody has been booked yet."
        )
    assert not Booking.objects.exists()
    assert not Message.objects.exists()
    slot.refresh_from_db()
    assert slot.booked == 0


def test_a_party_larger_than_allowed_is_refused(alpha: OrganizerFixture) -> None:
    programme = a_programme()
    slot = a_slot(venue=a_venue(), programme=programme)
    members = [PartyMember(person=a_person(), dose=1) for _ in range(PARTY_SIZE_MAX + 1)]

    with pytest.raises(ApplicationError) as refused:
        booking_place_party(programme_id=programme.id, slot_id=slot.id, members=members)

    assert refused.value.code == "party_too_large"
    assert not Booking.objects.exists()


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


def test_the_voucher_is_resent_once_per_few_minutes_and_never_for_a_cancelled_booking(
    alpha: OrganizerFixture,
) -> None:
    programme = a_programme()
    slot = a_slot(venue=a_venue(), programme=programme)
    booking = booking_place(programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())
    now = timezone.now()

    assert booking_voucher_resend(booking_id=booking.id, now=now) is True
    assert booking_voucher_resend(booking_id=booking.id, now=now) is False
    later = now + dt.timedelta(minutes=VOUCHER_RESEND_MINUTES)
    assert booking_voucher_resend(booking_id=booking.id, now=later) is True
    assert Message.objects.filter(kind="resend").count() == 2

    booking_cancel_with_notice(booking_id=booking.id)
    with pytest.raises(ApplicationError) as refused:
        booking_voucher_resend(booking_id=booking.id, now=later + dt.timedelta(hours=1))
    assert refused.value.code == "voucher_not_sendable"
    assert Message.objects.filter(kind="resend").count() == 2


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
