"""What people do with bookings (organizers.services.bookings): every change they make sends
them one message, in their language, and a seat from the waitlist brings its e-voucher."""

from __future__ import annotations

import datetime as dt

from organizers.models import Booking, Message
from organizers.services.bookings import (
    booking_cancel_with_notice,
    booking_place,
    booking_reschedule_with_notice,
)
from organizers.services.capacity import waitlist_join, waitlist_offer_accept
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
        programme_id=programme.id, venue_id=venue.id, day=day, dose=1,
        person=a_person(name="Budi", language="en", email="budi@example.id"),
    )  # fmt: skip

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
