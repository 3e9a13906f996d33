"""What each message to a person says: the e-voucher in both languages, a new time, a
cancellation, a waitlist offer, an invitation, and a message that no longer makes sense."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.core import mail

from organizers.models import Invite, Message, WaitlistEntry
from organizers.services.booking.changes import booking_cancel
from organizers.services.manage_links import manage_link_consume
from organizers.services.messages import outbox
from organizers.services.waitlist.join import waitlist_join
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_programme
from tests.organizers.services.messages.factories import (
    book,
    booking_person,
    parsed_email,
)
from tests.organizers.services.vouchers.file_readers import ics_lines


def test_manage_link_in_the_email_opens_the_booking_once(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = book()
        outbox.message_deliver(message_id=Message.objects.get(booking=booking).id)
        (sent,) = mail.outbox
        token = sent.body.split("/janji/masuk/")[1].split("/")[0]

        assert manage_link_consume(token).id == booking.id


def test_voucher_email_in_english_for_an_english_booking(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = book(language="en")
        outbox.message_deliver(message_id=Message.objects.get(booking=booking).id)

    (sent,) = mail.outbox
    assert sent.subject == f"Your vaccination e-voucher: {booking.voucher_code}"
    assert "First dose" in sent.body
    assert "Bring your KTP" in sent.body


def test_rescheduled_and_cancelled_messages_say_what_changed(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = book()
        moved = outbox.message_record(
            kind="rescheduled", booking=booking, event_key=f"rescheduled:{booking.id}:1"
        )
        again = outbox.message_record(
            kind="rescheduled", booking=booking, event_key=f"rescheduled:{booking.id}:1"
        )
        outbox.message_deliver(message_id=moved.id)
        booking_cancel(booking_id=booking.id)
        booking.refresh_from_db()
        cancelled = outbox.message_record(kind="cancelled", booking=booking)
        outbox.message_deliver(message_id=cancelled.id)

    rescheduled_email, cancelled_email = mail.outbox
    assert again is None  # one message per event
    assert rescheduled_email.subject.startswith("Waktu baru vaksinasi Anda")
    assert len(rescheduled_email.attachments) == 2
    assert "dibatalkan" in cancelled_email.subject
    assert booking.voucher_code in cancelled_email.body
    assert "multipart/related" not in cancelled_email.message().as_string()
    # The cancellation carries the same calendar event, cancelled: calendars remove it.
    moved_ics, cancel_ics = (
        next(
            p
            for p in parsed_email(sent).iter_attachments()
            if p.get_content_type() == "text/calendar"
        )
        for sent in (rescheduled_email, cancelled_email)
    )
    assert cancel_ics.get_param("method") == "CANCEL"
    assert cancel_ics.get_filename() == f"vaksinasi-{booking.voucher_code}-batal.ics"
    moved_fields, cancel_fields = (
        dict(line.split(":", 1) for line in ics_lines(part.get_payload(decode=True).decode()))
        for part in (moved_ics, cancel_ics)
    )
    assert (cancel_fields["METHOD"], cancel_fields["STATUS"]) == ("CANCEL", "CANCELLED")
    assert (
        cancel_fields["UID"]
        == moved_fields["UID"]
        == f"booking-{booking.id}-{tenant_a.tenant.uid}@sentra"
    )
    assert int(cancel_fields["SEQUENCE"]) > int(moved_fields["SEQUENCE"])
    assert cancel_fields["DTSTART"] == moved_fields["DTSTART"]


def test_voucher_of_a_booking_cancelled_before_sending_is_not_sent(
    tenant_a: OrganizerFixture,
) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = book()
        booking_cancel(booking_id=booking.id)
        message = Message.objects.get(booking=booking, kind="voucher")

        status = outbox.message_deliver(message_id=message.id)

        message.refresh_from_db()
    assert status == "failed"
    assert "cancelled" in message.last_error
    assert mail.outbox == []


def test_waitlist_offer_is_recorded_when_a_seat_frees_and_links_to_accept_it(
    tenant_a: OrganizerFixture,
) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = book(capacity=1)
        day = booking.slot.starts_at.astimezone(ZoneInfo("Asia/Makassar")).date()
        entry = waitlist_join(
            programme_id=booking.programme_id,
            venue_id=booking.slot.venue_id,
            day=day,
            dose=1,
            person=booking_person(nik="3273015403580010", email_address="budi@example.id"),
        )
        booking_cancel(booking_id=booking.id)
        entry.refresh_from_db()
        offer = Message.objects.get(kind="waitlist_offer")

        outbox.message_deliver(message_id=offer.id)

    (sent,) = mail.outbox
    assert entry.status == WaitlistEntry.Status.OFFERED
    assert offer.event_key == f"waitlist_offer:{entry.id}:{entry.offer_token[:8]}"
    assert sent.to == ["budi@example.id"]
    assert f"/daftar/tawaran/{entry.offer_token}/" in sent.body
    assert "10:00 WITA" in sent.body


def test_invite_email_links_to_the_invite_page(tenant_a: OrganizerFixture) -> None:
    from organizers.services.eligibility.invites import invite_token

    with tenant_scope(tenant_a.tenant):
        invite = Invite.objects.create(
            programme=a_programme(kind="company"), email="ani@acme.co.id", token_hash="x" * 64
        )
        message = outbox.message_record(kind=Message.Kind.INVITE, invite=invite)
        outbox.message_deliver(message_id=message.id)
        token = invite_token(invite)

    (sent,) = mail.outbox
    assert sent.to == ["ani@acme.co.id"]
    assert f"http://{tenant_a.host}:8000/undangan/{token}/" in sent.body
