"""The outbox: a message is delivered once, retried while the mail server is down, swept up
when its task was lost, sent again on the organiser's word; a real worker sends the e-voucher
after a booking."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import time
from collections.abc import Callable

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as MemoryBackend
from django.db import connection
from django.utils import timezone

from organizers.models import Message
from organizers.services.booking.engine import booking_create
from organizers.services.messages import outbox, relay
from organizers.tasks import message_deliver as message_deliver_task
from tenants.context import tenant_scope
from tenants.errors import NotFoundError
from tenants.models import Tenant
from tests.conftest import OrganizerFixture, WorkerProcess, host_client
from tests.organizers.concurrency import run_at_once
from tests.organizers.conftest import BeatInline
from tests.organizers.services.messages.factories import NIK, book, booking_person, slot_at


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


class DatabaseGoneBackend(MemoryBackend):
    """The mail server takes the message, then the database goes away (a restart) before the
    message's status is written."""

    def send_messages(self, email_messages: list) -> int:
        sent = super().send_messages(email_messages)
        connection.connection.close()  # under Django's feet: the commit will fail
        return sent


def _handed_over(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The ids the sweep hands to Celery, in order (each batch's one task, not sent here)."""
    handed: list[int] = []
    monkeypatch.setattr(relay, "messages_publish", lambda _schema, ids: handed.extend(ids))
    return handed


# --- Never lost, never twice ---------------------------------------------------------------------


def test_mail_server_down_keeps_the_message_pending_with_the_error_then_it_goes_out(
    tenant_a: OrganizerFixture, settings: object
) -> None:
    settings.EMAIL_BACKEND = "tests.organizers.services.messages.test_outbox.FailingBackend"
    with tenant_scope(tenant_a.tenant):
        message = Message.objects.get(booking=book())

        with pytest.raises(outbox.MessageDeliveryError) as failed:
            outbox.message_deliver(message_id=message.id)
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("pending", 1)
        assert "Connection refused" in message.last_error
        # The next try is due one backoff step after the failure, and the task waits as long.
        assert failed.value.countdown == outbox.retry_countdown(attempt=0)
        due_in = (message.next_attempt_at - timezone.now()).total_seconds()
        assert failed.value.countdown - 5 < due_in <= failed.value.countdown

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        assert outbox.message_deliver(message_id=message.id) == "sent"
        message.refresh_from_db()

    assert (message.status, message.attempts) == ("sent", 2)
    assert len(mail.outbox) == 1


def test_the_cache_out_of_reach_while_rendering_keeps_the_message_pending_for_the_task(
    tenant_a: OrganizerFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The e-voucher reads the organiser's branding from the cache: Redis restarting must not
    mark it failed for ever (found by ./sentra reliability, broker stopped). The error goes to
    the task, which tries again shortly (organizers.tasks.message_deliver)."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    from organizers.services.messages import mime

    def unreachable(*_args: object, **_kwargs: object) -> None:
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    with tenant_scope(tenant_a.tenant):
        message = Message.objects.get(booking=book())
        monkeypatch.setattr(mime, "_email_branding", unreachable)

        with pytest.raises(RedisConnectionError):
            outbox.message_deliver(message_id=message.id)
        message.refresh_from_db()
        assert (message.status, message.attempts, message.last_error) == ("pending", 0, "")
        assert mail.outbox == []

        monkeypatch.undo()
        assert outbox.message_deliver(message_id=message.id) == "sent"


def test_after_the_last_attempt_the_message_is_failed_and_not_retried(
    tenant_a: OrganizerFixture, settings: object
) -> None:
    settings.EMAIL_BACKEND = "tests.organizers.services.messages.test_outbox.FailingBackend"
    with tenant_scope(tenant_a.tenant):
        message = Message.objects.get(booking=book())
        Message.objects.filter(id=message.id).update(attempts=outbox.MESSAGE_MAX_ATTEMPTS - 1)

        status = outbox.message_deliver(message_id=message.id)
        message.refresh_from_db()

    assert status == "failed"
    assert message.attempts == outbox.MESSAGE_MAX_ATTEMPTS


def test_the_task_retries_with_backoff_until_the_mail_server_answers(
    tenant_a: OrganizerFixture, settings: object
) -> None:
    FlakyBackend.failures = 0
    settings.EMAIL_BACKEND = "tests.organizers.services.messages.test_outbox.FlakyBackend"
    with tenant_scope(tenant_a.tenant):
        message = Message.objects.get(booking=book())

        result = message_deliver_task.apply(args=[message.id])  # retries run eagerly
        message.refresh_from_db()

    assert result.get() == "sent"
    assert (message.status, message.attempts) == ("sent", 3)
    assert len(mail.outbox) == 1
    assert [outbox.retry_countdown(attempt=n) for n in range(9)] == [
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
    settings.EMAIL_BACKEND = "tests.organizers.services.messages.test_outbox.FailingBackend"
    with tenant_scope(tenant_a.tenant):
        slot = slot_at()
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
    assert len(callbacks) == 1  # the outbox relay's wake, sent after the commit
    with tenant_scope(tenant_a.tenant):
        message = Message.objects.get(booking__voucher_code=response.json()["voucher_code"])
        assert message.status == "pending"
        with pytest.raises(outbox.MessageDeliveryError):
            outbox.message_deliver(message_id=message.id)
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        assert outbox.message_deliver(message_id=message.id) == "sent"


def test_a_failed_message_can_be_sent_again_and_others_cannot(
    tenant_a: OrganizerFixture, django_capture_on_commit_callbacks: Callable
) -> None:
    with tenant_scope(tenant_a.tenant):
        message = Message.objects.create(  # failed long ago: no wake of its own is pending
            kind=Message.Kind.VOUCHER,
            event_key="voucher:failed-long-ago",
            to_email="siti@example.id",
            status="failed",
            attempts=8,
            queued_at=timezone.now(),
        )

        with django_capture_on_commit_callbacks() as callbacks:
            again = outbox.message_send_again(message_id=message.id)
        with pytest.raises(NotFoundError) as refused:
            outbox.message_send_again(message_id=message.id)  # pending now

    assert (again.status, again.attempts, again.queued_at) == ("pending", 0, None)
    assert len(callbacks) == 1  # the relay is woken for it after the commit
    assert refused.value.code == "message_not_failed"


def test_sweep_resends_pending_messages_whose_task_was_lost(
    tenant_a: OrganizerFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = timezone.now()
    with tenant_scope(tenant_a.tenant):
        lost = Message.objects.get(booking=book())
        Message.objects.filter(id=lost.id).update(created_at=now - dt.timedelta(minutes=3))
        Message.objects.get(booking=book(days=4))  # just made: its task is still on its way
        backing_off = Message.objects.get(booking=book(days=5))
        # Tried four times, the last failure saying the next try is due in a minute (the
        # mail server was slow to fail: the time counts from the failure, not from the start).
        Message.objects.filter(id=backing_off.id).update(
            created_at=now - dt.timedelta(minutes=30),
            attempts=4,
            next_attempt_at=now + dt.timedelta(minutes=1),
        )
        sent = Message.objects.get(booking=book(days=6))
        Message.objects.filter(id=sent.id).update(
            status="sent", created_at=now - dt.timedelta(hours=1)
        )
        enqueued = _handed_over(monkeypatch)

        swept = outbox.messages_sweep(now=now)
        later = outbox.messages_sweep(now=now + dt.timedelta(minutes=10))

    assert (swept, enqueued[:1]) == (1, [lost.id])
    # By then the fresh one and the backing-off one look lost too; the lost one was queued
    # again ten minutes ago, for the same due time, and is not queued a third time yet.
    assert later == 2
    assert enqueued[1:] == sorted(enqueued[1:])
    assert lost.id not in enqueued[1:]
    assert sent.id not in enqueued


def test_a_backlog_in_the_broker_is_not_multiplied_by_the_sweep(
    tenant_a: OrganizerFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a rush, 42 messages wait behind a slow queue. Beat sweeps every minute for 20
    minutes: each is queued again once for its due time, and once more only when that task
    looks lost too (LOST_AFTER), not every minute (that gave 522 tasks for 42 messages)."""
    now = timezone.now()
    enqueued = _handed_over(monkeypatch)
    with tenant_scope(tenant_a.tenant):
        waiting = Message.objects.bulk_create(
            Message(
                kind=Message.Kind.VOUCHER,
                event_key=f"backlog:{number}",
                to_email=f"orang{number}@example.id",
                created_at=now - dt.timedelta(minutes=3),
            )
            for number in range(42)
        )
        swept = [outbox.messages_sweep(now=now + dt.timedelta(minutes=m)) for m in range(21)]

    assert swept[0] == 42
    assert swept[1:15] == [0] * 14
    assert swept[15] == 42  # still pending 15 minutes later: that task was lost too
    assert sum(swept) == 84
    assert sorted(set(enqueued)) == sorted(message.id for message in waiting)


def test_a_retry_due_later_is_swept_once_for_its_own_due_time(
    tenant_a: OrganizerFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = timezone.now()
    enqueued = _handed_over(monkeypatch)
    with tenant_scope(tenant_a.tenant):
        message = Message.objects.get(booking=book())
        Message.objects.filter(id=message.id).update(created_at=now - dt.timedelta(minutes=3))
        first = outbox.messages_sweep(now=now)
        # Its delivery then failed: the next try is due in five minutes (a new due time).
        Message.objects.filter(id=message.id).update(
            attempts=1, next_attempt_at=now + dt.timedelta(minutes=5)
        )
        due = now + dt.timedelta(minutes=5)
        before_due = outbox.messages_sweep(now=due + outbox.SWEEP_AFTER / 2)
        past_due = outbox.messages_sweep(now=due + outbox.SWEEP_AFTER)
        again = outbox.messages_sweep(now=due + 2 * outbox.SWEEP_AFTER)

    assert (first, before_due, past_due, again) == (1, 0, 1, 0)
    assert enqueued == [message.id, message.id]


@pytest.fixture
def committed_message(alpha_committed: Tenant) -> tuple[Tenant, int]:
    """A pending voucher message on committed data (no task sent for it)."""
    tenant = alpha_committed
    with tenant_scope(tenant):
        slot = slot_at()
        booking = booking_create(
            programme_id=slot.programme_id,
            slot_id=slot.id,
            dose=1,
            person=booking_person(email_address=""),  # no message (and no task) from the booking
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
    settings.EMAIL_BACKEND = "tests.organizers.services.messages.test_outbox.SlowBackend"

    def worker(_index: int) -> str:
        with tenant_scope(tenant):
            return outbox.message_deliver(message_id=message_id)

    results = run_at_once(2, worker)

    assert len(mail.outbox) == 1
    assert "sent" in results
    with tenant_scope(tenant):
        message = Message.objects.get(id=message_id)
    assert (message.status, message.attempts) == ("sent", 1)


def test_a_message_sent_just_before_the_database_went_away_is_recorded_not_sent_again(
    committed_message: tuple[Tenant, int], settings: object
) -> None:
    """./sentra reliability, PostgreSQL restarted: one e-voucher arrived twice, sent before the
    restart and sent again after it because its status was never written."""
    tenant, message_id = committed_message
    settings.EMAIL_BACKEND = "tests.organizers.services.messages.test_outbox.DatabaseGoneBackend"
    before = time.time()

    with tenant_scope(tenant), pytest.raises(outbox.MessageSentUnrecordedError) as lost:
        outbox.message_deliver(message_id=message_id)
    connection.close()  # the database is back: a new connection

    assert list(lost.value.sent) == [message_id]
    assert before <= lost.value.sent[message_id] <= time.time()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with tenant_scope(tenant):
        assert Message.objects.get(id=message_id).status == "pending"  # as the sweep sees it
        assert outbox.messages_sent_record(sent=lost.value.sent) == 1
        assert outbox.message_deliver(message_id=message_id) == "sent"  # not again
        assert outbox.messages_sent_record(sent=lost.value.sent) == 0  # once
        message = Message.objects.get(id=message_id)
    assert len(mail.outbox) == 1
    assert (message.status, message.attempts) == ("sent", 1)
    assert abs(message.sent_at.timestamp() - lost.value.sent[message_id]) < 0.001


# --- A real worker ---------------------------------------------------------------------------


@pytest.mark.worker
def test_booking_email_is_sent_by_the_worker_with_its_attachments(
    celery_worker: WorkerProcess, alpha_committed: Tenant
) -> None:
    tenant = alpha_committed
    with tenant_scope(tenant):
        slot = slot_at()
        booking = booking_create(
            programme_id=slot.programme_id,
            slot_id=slot.id,
            dose=1,
            person=booking_person(email_address="worker-test@example.id"),
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
            message = Message.objects.get(booking=book())
            Message.objects.filter(id=message.id).update(
                created_at=timezone.now() - dt.timedelta(minutes=5)
            )
            lost.append((organizer.tenant.schema_name, message.id))
    batches: list[tuple[str, list[int]]] = []
    monkeypatch.setattr(
        relay, "messages_publish", lambda schema, ids: batches.append((schema, list(ids)))
    )

    messages_sweep_all()

    assert beat_inline.total() == 2
    # Each from its own organiser's schema, handed over in that schema's batch.
    assert batches == [(schema, [message_id]) for schema, message_id in lost]
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for name in ("organizers.tasks.messages_sweep_all", "organizers.tasks.reminders_record_all"):
        assert name in scheduled
        assert name in app.tasks
