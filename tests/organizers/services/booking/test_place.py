"""Placing bookings (organizers.services.booking.place): a party is booked together or not at
all, and a booking's e-voucher is resent at most once every few minutes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from organizers.models import Booking, Message
from organizers.services.booking.changes import booking_cancel_with_notice
from organizers.services.booking.place import (
    PARTY_SIZE_MAX,
    VOUCHER_RESEND_MINUTES,
    PartyMember,
    booking_place,
    booking_place_party,
    booking_voucher_resend,
)
from tenants.errors import ApplicationError
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue


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
