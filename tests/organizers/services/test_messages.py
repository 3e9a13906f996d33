"""The outbox: what each message says, delivered once, retried while the mail server is down,
reminders recorded once, and a real worker sending the e-voucher after a booking."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as MemoryBackend
from django.db import connection
from django.utils import timezone

from organizers.models import Booking, Invite, Message, WaitlistEntry
from organizers.services import messages
from organizers.services.booking.changes import booking_cancel
from organizers.services.booking.engine import booking_create
from organizers.services.booking.person import Person
from organizers.services.manage_links import manage_link_consume
from organizers.services.vouchers.rendering import voucher_qr_png
from organizers.services.vouchers.signed_token import voucher_token_issue, voucher_token_verify
from organizers.services.waitlist.join import waitlist_join
from organizers.tasks import message_deliver as message_deliver_task
from tenants.context import tenant_scope
from tenants.models import Tenant
from tests.conftest import OrganizerFixture, WorkerProcess, host_client
from tests.organizers.concurrency import run_at_once
from tests.organizers.conftest import BeatInline
from tests.organizers.factories import a_programme, a_slot, a_venue
from tests.organizers.services.vouchers.file_readers import ics_lines, pdf_text

NIK = "3273015403580002"


def _person(*, email_address: str = "siti@example.id", language: str = "id", nik: str = NIK):
    return Person(
        nik=nik,
        date_of_birth=dt.date(1958, 3, 14),
        full_name="Siti Aminah",
        phone="+6281234567890",
        email=email_address,
        language=language,
    )


def _slot_at(*, days: int = 3, hour: int = 10, time_zone: str = "Asia/Makassar", **kw: object):
    zone = ZoneInfo(time_zone)
    programme = kw.pop("programme", None) or a_programme()
    venue = kw.pop("venue", None) or a_venue(name="Puskesmas Cempaka", time_zone=time_zone)
    day = timezone.now().astimezone(zone).date() + dt.timedelta(days=days)
    starts = dt.datetime.combine(day, dt.time(hour, 0), zone)
    return a_slot(
        venue=venue,
        programme=programme,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=30),
        booking_closes_at=starts - dt.timedelta(hours=1),
        **kw,
    )


def _book(*, language: str = "id", email_address: str = "siti@example.id", **kw: object):
    slot = _slot_at(**kw)
    booking = booking_create(
        programme_id=slot.programme_id,
        slot_id=slot.id,
        dose=1,
        person=_person(language=language, email_address=email_address),
    )
    return Booking.objects.select_related("slot__venue").get(id=booking.id)


def _parsed(sent: mail.EmailMessage) -> email.message.EmailMessage:
    return email.message_from_bytes(sent.message().as_bytes(), policy=email.policy.default)


class FailingBackend(MemoryBackend):
    """The mail server is down."""

    def send_messages(self, email_messages: list) -> int:
        raise ConnectionRefusedError(111, "Connection refused")


class FlakyBackend(MemoryBackend):
    """Down for the first two messages, then up."""

    failures = 0

    def send_messages(self, email_messages: list) -> int:
        if FlakyBackend.failures < 2:
            FlakyBackend.failures += 1
            raise TimeoutError("timed out")
        return super().send_messages(email_messages)


class SlowBackend(MemoryBackend):
    """A mail server that takes its time: two deliveries overlap."""

    def send_messages(self, email_messages: list) -> int:
        time.sleep(0.5)
        return super().send_messages(email_messages)


# --- What the e-voucher email says ------------------------------------------------------------


def test_voucher_email_in_indonesian_with_both_parts_attachments_and_the_qr_inline(
    tenant_a: OrganizerFixture,
) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = _book()
        message = Message.objects.get(booking=booking)

        status = messages.message_deliver(message_id=message.id)

        token = voucher_token_issue(booking)
        expected_qr = voucher_qr_png(token)
    (sent,) = mail.outbox
    html = sent.alternatives[0].content
    assert status == "sent"
    assert sent.to == ["siti@example.id"]
    assert sent.subject == f"E-voucher vaksinasi Anda: {booking.voucher_code}"
    assert "Alpha Clinic" in sent.from_email
    for part in (sent.body, html):
        assert "Puskesmas Cempaka" in part
        assert "Jl. Cempaka 1" in part
        assert "10:00-10:30 WITA" in part
        assert "Dosis pertama" in part
        assert "Sinovac (CoronaVac)" in part
        assert "KTP" in part
        assert booking.voucher_code in part
        assert "3273••••••••0002" in part
        assert NIK not in part
        assert f"http://{tenant_a.host}:8000/janji/masuk/" in part
    assert sent.alternatives[0].mimetype == "text/html"
    assert 'src="cid:voucher-qr"' in html
    parsed = _parsed(sent)
    assert parsed.get_content_type() == "multipart/mixed"
    related = next(p for p in parsed.walk() if p.get_content_type() == "multipart/related")
    qr = next(p for p in related.walk() if p.get_content_type() == "image/png")
    assert qr["Content-ID"] == "<voucher-qr>"
    assert qr.get_content() == expected_qr  # the QR holds exactly the token that verifies
    voucher_token_verify(token, tenant_uid=tenant_a.tenant.uid)
    files = {p.get_filename(): p for p in parsed.iter_attachments() if p.get_filename()}
    pdf = files[f"e-voucher-{booking.voucher_code}.pdf"].get_content()
    assert pdf.startswith(b"%PDF")
    assert "Siti Aminah" in pdf_text(pdf)
    ics = files[f"vaksinasi-{booking.voucher_code}.ics"]
    assert ics.get_content_type() == "text/calendar"
    fields = dict(line.split(":", 1) for line in ics_lines(ics.get_payload(decode=True).decode()))
    assert fields["DTSTART"] == booking.slot.starts_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    with tenant_scope(tenant_a.tenant):
        message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 1)
    assert message.sent_at is not None


def test_manage_link_in_the_email_opens_the_booking_once(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = _book()
        messages.message_deliver(message_id=Message.objects.get(booking=booking).id)
        (sent,) = mail.outbox
        token = sent.body.split("/janji/masuk/")[1].split("/")[0]

        assert manage_link_consume(token).id == booking.id


def test_email_carries_the_organisers_colour_and_contact(
    tenant_a: OrganizerFixture, django_capture_on_commit_callbacks: Callable
) -> None:
    from organizers.services.branding.editing import branding_draft, branding_update

    with tenant_scope(tenant_a.tenant):
        with django_capture_on_commit_callbacks(execute=True):
            branding_update(
                draft=branding_draft(
                    primary_colour="#7b1fa2",
                    contact_email="halo@alpha.test",
                    contact_phone="0812 3456 7890",
                )
            )
        booking = _book()
        messages.message_deliver(message_id=Message.objects.get(booking=booking).id)

    (sent,) = mail.outbox
    html = sent.alternatives[0].content
    assert "background:#7b1fa2" in html
    assert "halo@alpha.test" in sent.body
    assert "https://wa.me/6281234567890" in sent.body
    assert sent.reply_to == ["halo@alpha.test"]


def test_voucher_email_in_english_for_an_english_booking(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = _book(language="en")
        messages.message_deliver(message_id=Message.objects.get(booking=booking).id)

    (sent,) = mail.outbox
    assert sent.subject == f"Your vaccination e-voucher: {booking.voucher_code}"
    assert "First dose" in sent.body
    assert "Bring your KTP" in sent.body


def test_rescheduled_and_cancelled_messages_say_what_changed(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = _book()
        moved = messages.message_record(
            kind="rescheduled", booking=booking, event_key=f"rescheduled:{booking.id}:1"
        )
        again = messages.message_record(
            kind="rescheduled", booking=booking, event_key=f"rescheduled:{booking.id}:1"
        )
        messages.message_deliver(message_id=moved.id)
        booking_cancel(booking_id=booking.id)
        booking.refresh_from_db()
        cancelled = messages.message_record(kind="cancelled", booking=booking)
        messages.message_deliver(message_id=cancelled.id)

    rescheduled_email, cancelled_email = mail.outbox
    assert again is None  # one message per event
    assert rescheduled_email.subject.startswith("Waktu baru vaksinasi Anda")
    assert len(rescheduled_email.attachments) == 2
    assert "dibatalkan" in cancelled_email.subject
    assert booking.voucher_code in cancelled_email.body
    assert "multipart/related" not in cancelled_email.message().as_string()
    # The cancellation carries the same calendar event, cancelled: calendars remove it.
    moved_ics, cancel_ics = (
        next(p for p in _parsed(sent).iter_attachments() if p.get_content_type() == "text/calendar")
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
        booking = _book()
        booking_cancel(booking_id=booking.id)
        message = Message.objects.get(booking=booking, kind="voucher")

        status = messages.message_deliver(message_id=message.id)

        message.refresh_from_db()
    assert status == "failed"
    assert "cancelled" in message.last_error
    assert mail.outbox == []


def test_waitlist_offer_is_recorded_when_a_seat_frees_and_links_to_accept_it(
    tenant_a: OrganizerFixture,
) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = _book(capacity=1)
        day = booking.slot.starts_at.astimezone(ZoneInfo("Asia/Makassar")).date()
        entry = waitlist_join(
            programme_id=booking.programme_id,
            venue_id=booking.slot.venue_id,
            day=day,
            dose=1,
            person=_person(nik="3273015403580010", email_address="budi@example.id"),
        )
        booking_cancel(booking_id=booking.id)
        entry.refresh_from_db()
        offer = Message.objects.get(kind="waitlist_offer")

        messages.message_deliver(message_id=offer.id)

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
        message = messages.message_record(kind=Message.Kind.INVITE, invite=invite)
        messages.message_deliver(message_id=message.id)
        token = invite_token(invite)

    (sent,) = mail.outbox
    assert sent.to == ["ani@acme.co.id"]
    assert f"http://{tenant_a.host}:8000/undangan/{token}/" in sent.body


# --- Never lost, never twice ---------------------------------------------------------------------


def test_mail_server_down_keeps_the_message_pending_with_the_error_then_it_goes_out(
    tenant_a: OrganizerFixture, settings: object
) -> None:
    settings.EMAIL_BACKEND = "tests.organizers.services.test_messages.FailingBackend"
    with tenant_scope(tenant_a.tenant):
        message = Message.objects.get(booking=_book())

        with pytest.raises(messages.MessageDeliveryError) as failed:
            messages.message_deliver(message_id=message.id)
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("pending", 1)
        assert "Connection refused" in message.last_error
        # The next try is due one backoff step after the failure, and the task waits as long.
        assert failed.value.countdown == messages.retry_countdown(attempt=0)
        due_in = (message.next_attempt_at - timezone.now()).total_seconds()
        assert failed.value.countdown - 5 < due_in <= failed.value.countdown

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        assert messages.message_deliver(message_id=message.id) == "sent"
        message.refresh_from_db()

    assert (message.status, message.attempts) == ("sent", 2)
    assert len(mail.outbox) == 1


def test_after_the_last_attempt_the_message_is_failed_and_not_retried(
    tenant_a: OrganizerFixture, settings: object
) -> None:
    settings.EMAIL_BACKEND = "tests.organizers.services.test_messages.FailingBackend"
    with tenant_scope(tenant_a.tenant):
        message = Message.objects.get(booking=_book())
        Message.objects.filter(id=message.id).update(attempts=messages.MESSAGE_MAX_ATTEMPTS - 1)

        status = messages.message_deliver(message_id=message.id)
        message.refresh_from_db()

    assert status == "failed"
    assert message.attempts == messages.MESSAGE_MAX_ATTEMPTS


def test_the_task_retries_with_backoff_until_the_mail_server_answers(
    tenant_a: OrganizerFixture, settings: object
) -> None:
    FlakyBackend.failures = 0
    settings.EMAIL_BACKEND = "tests.organizers.services.test_messages.FlakyBackend"
    with tenant_scope(tenant_a.tenant):
        message = Message.objects.get(booking=_book())

        result = message_deliver_task.apply(args=[message.id])  # retries run eagerly
        message.refresh_from_db()

    assert result.get() == "sent"
    assert (message.status, message.attempts) == ("sent", 3)
    assert len(mail.outbox) == 1
    assert [messages.retry_countdown(attempt=n) for n in range(9)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
        3600,
    ]


def test_booking_succeeds_while_the_mail_server_is_down(
    tenant_a: OrganizerFixture, settings: object, django_capture_on_commit_callbacks: Callable
) -> None:
    settings.EMAIL_BACKEND = "tests.organizers.services.test_messages.FailingBackend"
    with tenant_scope(tenant_a.tenant):
        slot = _slot_at()
    body = {
        "nik": NIK,
        "date_of_birth": "1958-03-14",
        "full_name": "Siti Aminah",
        "phone": "+6281234567890",
        "email": "siti@example.id",
        "programme_id": slot.programme_id,
        "slot_id": slot.id,
        "dose": 1,
    }

    with django_capture_on_commit_callbacks() as callbacks:
        response = host_client(tenant_a.host).post(
            "/api/v1/bookings", body, content_type="application/json"
        )

    assert response.status_code == 201
    assert len(callbacks) == 1  # the delivery task, sent after the commit
    with tenant_scope(tenant_a.tenant):
        message = Message.objects.get(booking__voucher_code=response.json()["voucher_code"])
        assert message.status == "pending"
        with pytest.raises(messages.MessageDeliveryError):
            messages.message_deliver(message_id=message.id)
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        assert messages.message_deliver(message_id=message.id) == "sent"


def test_a_failed_message_can_be_sent_again_and_others_cannot(
    tenant_a: OrganizerFixture, django_capture_on_commit_callbacks: Callable
) -> None:
    with tenant_scope(tenant_a.tenant):
        message = Message.objects.get(booking=_book())
        Message.objects.filter(id=message.id).update(status="failed", attempts=8)

        with django_capture_on_commit_callbacks() as callbacks:
            again = messages.message_send_again(message_id=message.id)
        with pytest.raises(messages.NotFoundError) as refused:
            messages.message_send_again(message_id=message.id)  # pending now

    assert (again.status, again.attempts) == ("pending", 0)
    assert len(callbacks) == 1
    assert refused.value.code == "message_not_failed"


def test_sweep_resends_pending_messages_whose_task_was_lost(
    tenant_a: OrganizerFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = timezone.now()
    with tenant_scope(tenant_a.tenant):
        lost = Message.objects.get(booking=_book())
        Message.objects.filter(id=lost.id).update(created_at=now - dt.timedelta(minutes=3))
        Message.objects.get(booking=_book(days=4))  # just made: its task is still on its way
        backing_off = Message.objects.get(booking=_book(days=5))
        # Tried four times, the last failure saying the next try is due in a minute (the
        # mail server was slow to fail: the time counts from the failure, not from the start).
        Message.objects.filter(id=backing_off.id).update(
            created_at=now - dt.timedelta(minutes=30),
            attempts=4,
            next_attempt_at=now + dt.timedelta(minutes=1),
        )
        sent = Message.objects.get(booking=_book(days=6))
        Message.objects.filter(id=sent.id).update(
            status="sent", created_at=now - dt.timedelta(hours=1)
        )
        enqueued: list[int] = []
        monkeypatch.setattr(
            messages,
            "message_deliver_after_commit",
            lambda *, message_id: enqueued.append(message_id),
        )

        swept = messages.messages_sweep(now=now)
        later = messages.messages_sweep(now=now + dt.timedelta(minutes=10))

    assert (swept, enqueued[:1]) == (1, [lost.id])
    assert later == 3  # by then the fresh one and the backing-off one look lost too
    assert sent.id not in enqueued


@pytest.fixture
def committed_message(alpha_committed: Tenant) -> tuple[Tenant, int]:
    """A pending voucher message on committed data (no task sent for it)."""
    tenant = alpha_committed
    with tenant_scope(tenant):
        slot = _slot_at()
        booking = booking_create(
            programme_id=slot.programme_id,
            slot_id=slot.id,
            dose=1,
            person=_person(email_address=""),  # no message (and no task) from the booking
        )
        message = Message.objects.create(
            kind="voucher",
            event_key=f"voucher:{booking.id}",
            booking_id=booking.id,
            to_email="siti@example.id",
            language="id",
        )
    return tenant, message.id


def test_two_workers_delivering_the_same_message_send_it_once(
    committed_message: tuple[Tenant, int], settings: object
) -> None:
    tenant, message_id = committed_message
    settings.EMAIL_BACKEND = "tests.organizers.services.test_messages.SlowBackend"

    def worker(_index: int) -> str:
        with tenant_scope(tenant):
            return messages.message_deliver(message_id=message_id)

    results = run_at_once(2, worker)

    assert len(mail.outbox) == 1
    assert "sent" in results
    with tenant_scope(tenant):
        message = Message.objects.get(id=message_id)
    assert (message.status, message.attempts) == ("sent", 1)


# --- Reminders by beat ---------------------------------------------------------------------------


def _at(booking: Booking, *, days_before: int, hour: int) -> dt.datetime:
    zone = ZoneInfo(booking.slot.venue.time_zone)
    day = booking.slot.starts_at.astimezone(zone).date() - dt.timedelta(days=days_before)
    return dt.datetime.combine(day, dt.time(hour, 0), zone)


def test_reminder_is_recorded_once_the_day_before_from_eight_venue_time(
    tenant_a: OrganizerFixture,
) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = _book(days=3, time_zone="Asia/Jayapura")

        too_early = messages.reminders_record(now=_at(booking, days_before=1, hour=7))
        two_days_before = messages.reminders_record(now=_at(booking, days_before=2, hour=9))
        first = messages.reminders_record(now=_at(booking, days_before=1, hour=8))
        second = messages.reminders_record(now=_at(booking, days_before=1, hour=9))
        reminder = Message.objects.get(kind="reminder")
        messages.message_deliver(message_id=reminder.id)

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
        booking = _book(days=3)
        later = _slot_at(days=6, programme=booking.programme, venue=booking.slot.venue)
        assert messages.reminders_record(now=_at(booking, days_before=1, hour=9)) == 1
        moved = booking_reschedule_with_notice(booking_id=booking.id, new_slot_id=later.id)
        moved = Booking.objects.select_related("slot__venue").get(id=moved.id)

        again = messages.reminders_record(now=_at(moved, days_before=1, hour=9))
        keys = sorted(Message.objects.filter(kind="reminder").values_list("event_key", flat=True))

    assert again == 1
    assert keys == sorted(
        [f"reminder:{booking.id}:{booking.slot_id}", f"reminder:{booking.id}:{later.id}"]
    )


def test_no_reminder_for_a_cancelled_booking_or_one_without_email(
    tenant_a: OrganizerFixture,
) -> None:
    with tenant_scope(tenant_a.tenant):
        cancelled = _book(days=3)
        booking_cancel(booking_id=cancelled.id)
        _book(
            days=3,
            email_address="",
            programme=cancelled.programme,
            venue=cancelled.slot.venue,
            hour=11,
        )

        recorded = messages.reminders_record(now=_at(cancelled, days_before=1, hour=9))

    assert recorded == 0


def test_dose2_window_note_once_when_the_interval_opens(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = _book(days=2)  # Sinovac: dose 2 from 28 to 42 days later

        before = messages.reminders_record(now=_at(booking, days_before=-27, hour=9))
        opened = messages.reminders_record(now=_at(booking, days_before=-28, hour=9))
        again = messages.reminders_record(now=_at(booking, days_before=-29, hour=9))
        note = Message.objects.get(kind="dose2_window")
        messages.message_deliver(message_id=note.id)

    assert (before, opened, again) == (0, 1, 0)
    assert note.event_key == f"dose2_window:{booking.id}"
    (sent,) = mail.outbox
    assert sent.subject == "Anda sekarang dapat mendaftar dosis kedua"
    assert f"http://{tenant_a.host}:8000/" in sent.body


def test_no_dose2_note_for_someone_who_booked_the_second_dose(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        first = _book(days=2)
        second_slot = _slot_at(days=32, programme=first.programme, venue=first.slot.venue)
        booking_create(
            programme_id=first.programme_id,
            slot_id=second_slot.id,
            dose=2,
            person=_person(),
            now=timezone.now(),
        )

        recorded = messages.reminders_record(now=_at(first, days_before=-28, hour=9))

    assert recorded == 0


# --- A real worker ---------------------------------------------------------------------------


@pytest.mark.worker
def test_booking_email_is_sent_by_the_worker_with_its_attachments(
    celery_worker: WorkerProcess, alpha_committed: Tenant
) -> None:
    tenant = alpha_committed
    with tenant_scope(tenant):
        slot = _slot_at()
        booking = booking_create(
            programme_id=slot.programme_id,
            slot_id=slot.id,
            dose=1,
            person=_person(email_address="worker-test@example.id"),
        )

    deadline = time.monotonic() + 60
    found: list[str] = []
    while time.monotonic() < deadline and not found:
        found = [
            text
            for path in celery_worker.mail_dir.iterdir()
            if path.stat().st_size
            and "worker-test@example.id" in (text := path.read_text(errors="replace"))
        ]
        time.sleep(0.3)
    assert found, "the worker sent no e-voucher"
    raw = found[0].split("\n" + "-" * 79)[0]
    parsed = email.message_from_string(raw, policy=email.policy.default)
    assert parsed["Subject"] == f"E-voucher vaksinasi Anda: {booking.voucher_code}"
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    assert "10:00-10:30 WITA" in text
    names = [part.get_filename() for part in parsed.iter_attachments()]
    assert f"e-voucher-{booking.voucher_code}.pdf" in names
    with tenant_scope(tenant):  # the row is marked sent right after the hand-off
        while time.monotonic() < deadline + 10:
            message = Message.objects.get(booking_id=booking.id)
            if message.status != "pending":
                break
            time.sleep(0.2)
    assert (message.status, message.attempts) == ("sent", 1)


def test_beat_sweeps_every_organiser_and_its_tasks_exist(
    tenant_a: OrganizerFixture,
    tenant_b: OrganizerFixture,
    monkeypatch: pytest.MonkeyPatch,
    beat_inline: BeatInline,
) -> None:
    from django.conf import settings

    from config.celery import app
    from organizers.tasks import messages_sweep_all

    lost = []
    for organizer in (tenant_a, tenant_b):
        with tenant_scope(organizer.tenant):
            message = Message.objects.get(booking=_book())
            Message.objects.filter(id=message.id).update(
                created_at=timezone.now() - dt.timedelta(minutes=5)
            )
            lost.append((organizer.tenant.schema_name, message.id))
    enqueued: list[tuple[str, int]] = []
    monkeypatch.setattr(
        messages,
        "message_deliver_after_commit",
        lambda *, message_id: enqueued.append((connection.schema_name, message_id)),
    )

    messages_sweep_all()

    assert beat_inline.total() == 2
    assert enqueued == lost  # each from its own organiser's schema
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for name in ("organizers.tasks.messages_sweep_all", "organizers.tasks.reminders_record_all"):
        assert name in scheduled
        assert name in app.tasks
