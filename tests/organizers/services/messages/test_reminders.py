"""Reminders recorded by beat: the day before, from eight venue time, once per booking and
day; the note that the second dose can be booked, once, when its window opens."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.core import mail
from django.utils import timezone

from organizers.models import Booking, Message
from organizers.services.booking.changes import booking_cancel
from organizers.services.booking.engine import booking_create
from organizers.services.messages import outbox, reminders
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture
from tests.organizers.services.messages.factories import book, booking_person, slot_at


def _at(booking: Booking, *, days_before: int, hour: int) -> dt.datetime:
    zone = ZoneInfo(booking.slot.venue.time_zone)
    day = booking.slot.starts_at.astimezone(zone).date() - dt.timedelta(days=days_before)
    return dt.datetime.combine(day, dt.time(hour, 0), zone)


def test_reminder_is_recorded_once_the_day_before_from_eight_venue_time(
    tenant_a: OrganizerFixture,
) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = book(days=3, time_zone="Asia/Jayapura")

        too_early = reminders.reminders_record(now=_at(booking, days_before=1, hour=7))
        two_days_before = reminders.reminders_record(now=_at(booking, days_before=2, hour=9))
        first = reminders.reminders_record(now=_at(booking, days_before=1, hour=8))
        second = reminders.reminders_record(now=_at(booking, days_before=1, hour=9))
        reminder = Message.objects.get(kind="reminder")
        outbox.message_deliver(message_id=reminder.id)

    assert (too_early, two_days_before, first, second) == (0, 0, 1, 0)
    assert reminder.event_key == f"reminder:{booking.id}:{booking.slot_id}"
    (sent,) = mail.outbox
    assert sent.subject == "Besok: vaksinasi Anda di Puskesmas Cempaka"
    assert "10:00-10:30 WIT" in sent.body
    assert sent.attachments == []  # the QR code is inline, the PDF came with the voucher


def test_a_booking_moved_after_its_reminder_is_reminded_again_for_the_new_day(
    tenant_a: OrganizerFixture,
) -> None:
    from organizers.services.booking.changes import booking_reschedule_with_notice

    with tenant_scope(tenant_a.tenant):
        booking = book(days=3)
        later = slot_at(days=6, programme=booking.programme, venue=booking.slot.venue)
        assert reminders.reminders_record(now=_at(booking, days_before=1, hour=9)) == 1
        moved = booking_reschedule_with_notice(booking_id=booking.id, new_slot_id=later.id)
        moved = Booking.objects.select_related("slot__venue").get(id=moved.id)

        again = reminders.reminders_record(now=_at(moved, days_before=1, hour=9))
        keys = sorted(Message.objects.filter(kind="reminder").values_list("event_key", flat=True))

    assert again == 1
    assert keys == sorted(
        [f"reminder:{booking.id}:{booking.slot_id}", f"reminder:{booking.id}:{later.id}"]
    )


def test_no_reminder_for_a_cancelled_booking_or_one_without_email(
    tenant_a: OrganizerFixture,
) -> None:
    with tenant_scope(tenant_a.tenant):
        cancelled = book(days=3)
        booking_cancel(booking_id=cancelled.id)
        book(
            days=3,
            email_address="",
            programme=cancelled.programme,
            venue=cancelled.slot.venue,
            hour=11,
        )

        recorded = reminders.reminders_record(now=_at(cancelled, days_before=1, hour=9))

    assert recorded == 0


def test_dose2_window_note_once_when_the_interval_opens(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = book(days=2)  # Sinovac: dose 2 from 28 to 42 days later

        before = reminders.reminders_record(now=_at(booking, days_before=-27, hour=9))
        opened = reminders.reminders_record(now=_at(booking, days_before=-28, hour=9))
        again = reminders.reminders_record(now=_at(booking, days_before=-29, hour=9))
        note = Message.objects.get(kind="dose2_window")
        outbox.message_deliver(message_id=note.id)

    assert (before, opened, again) == (0, 1, 0)
    assert note.event_key == f"dose2_window:{booking.id}"
    (sent,) = mail.outbox
    assert sent.subject == "Anda sekarang dapat mendaftar dosis kedua"
    assert f"http://{tenant_a.host}:8000/" in sent.body


def test_no_dose2_note_for_someone_who_booked_the_second_dose(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        first = book(days=2)
        second_slot = slot_at(days=32, programme=first.programme, venue=first.slot.venue)
        booking_create(
            programme_id=first.programme_id,
            slot_id=second_slot.id,
            dose=2,
            person=booking_person(),
            now=timezone.now(),
        )

        recorded = reminders.reminders_record(now=_at(first, days_before=-28, hour=9))

    assert recorded == 0
