"""The outbox relay: a booking's request only wakes it (one NOTIFY after the commit); the relay
hands new messages to Celery a batch per task, never the same message twice, and nothing is
lost when the broker is down or a wake is; a batch goes out over one mail-server connection."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as MemoryBackend
from django.utils import timezone

from config.outbox_relay import RETRY_FIRST, OutboxRelay
from organizers.models import Message
from organizers.services.booking.engine import booking_create
from organizers.services.messages import outbox, relay
from tenants.context import tenant_scope
from tenants.models import Tenant
from tests.conftest import OrganizerFixture, RelayWakes
from tests.organizers.concurrency import run_at_once
from tests.organizers.services.messages.factories import book, booking_person, slot_at


def _pending(count: int, *, prefix: str = "m") -> list[int]:
    now = timezone.now()
    return [
        message.id
        for message in Message.objects.bulk_create(
            Message(
                kind=Message.Kind.VOUCHER,
                event_key=f"{prefix}:{number}",
                to_email=f"orang{number}@example.id",
                created_at=now,
            )
            for number in range(count)
        )
    ]


# --- Waking the relay ----------------------------------------------------------------------------


def test_a_committed_booking_with_an_email_wakes_the_relay_for_its_organiser(
    alpha_committed: Tenant, relay_wakes: RelayWakes
) -> None:
    with tenant_scope(alpha_committed):
        slot = slot_at()
        booking_create(
            programme_id=slot.programme_id,
            slot_id=slot.id,
            dose=1,
            person=booking_person(email_address="siti@example.id"),
        )
        nobody_to_write_to = slot_at(days=4)
        booking_create(
            programme_id=nobody_to_write_to.programme_id,
            slot_id=nobody_to_write_to.id,
            dose=1,
            person=booking_person(email_address="", nik="3273015403580003"),
        )

    assert relay_wakes.received() == [alpha_committed.schema_name]  # not for the second


def test_a_message_recorded_in_a_transaction_wakes_the_relay_only_after_the_commit(
    alpha_committed: Tenant, relay_wakes: RelayWakes
) -> None:
    from django.db import transaction

    with tenant_scope(alpha_committed):
        slot = slot_at()
        with transaction.atomic():
            booking_create(
                programme_id=slot.programme_id,
                slot_id=slot.id,
                dose=1,
                person=booking_person(email_address="siti@example.id"),
            )
            assert relay_wakes.received(wait=0.3) == []  # not yet: it may still roll back
        assert relay_wakes.received() == [alpha_committed.schema_name]


def test_a_transaction_that_records_many_messages_wakes_the_relay_once(
    tenant_a: OrganizerFixture, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import transaction

    with tenant_scope(tenant_a.tenant), django_capture_on_commit_callbacks() as callbacks:
        book(days=3)
        with transaction.atomic():  # a savepoint: its wake is the outer transaction's
            book(days=4)
        book(days=5)

    assert len(callbacks) == 1


def test_a_wake_lost_with_a_rolled_back_savepoint_is_registered_again(
    tenant_a: OrganizerFixture, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import transaction

    with tenant_scope(tenant_a.tenant), django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                book(days=3)
                raise RuntimeError("the organiser's form failed after the booking")
        except RuntimeError:
            pass
        book(days=4)

    assert len(callbacks) == 1


# --- Handing messages over ---------------------------------------------------------------------


def test_a_pass_hands_every_new_message_over_in_batches_once(
    tenant_a: OrganizerFixture,
) -> None:
    published: list[tuple[str, list[int]]] = []
    with tenant_scope(tenant_a.tenant):
        ids = _pending(7)
        handed = relay.outbox_relay_pass(
            publish=lambda schema, batch: published.append((schema, list(batch))), batch=3
        )
        again = relay.outbox_relay_pass(publish=lambda *_: pytest.fail("handed twice"))
        stamped = Message.objects.filter(id__in=ids, queued_at__isnull=False).count()

    assert (handed, again, stamped) == (7, 0, 7)
    assert published == [
        (tenant_a.tenant.schema_name, ids[0:3]),
        (tenant_a.tenant.schema_name, ids[3:6]),
        (tenant_a.tenant.schema_name, ids[6:7]),
    ]


def test_when_the_broker_is_down_the_messages_stay_for_the_next_pass(
    tenant_a: OrganizerFixture,
) -> None:
    def broker_down(_schema: str, _ids: Any) -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    published: list[int] = []
    with tenant_scope(tenant_a.tenant):
        ids = _pending(3)
        with pytest.raises(ConnectionRefusedError):
            relay.outbox_relay_pass(publish=broker_down)
        assert Message.objects.filter(id__in=ids, queued_at__isnull=True).count() == 3
        handed = relay.outbox_relay_pass(publish=lambda _s, batch: published.extend(batch))

    assert (handed, published) == (3, ids)


def test_two_relays_at_once_never_hand_over_the_same_message(alpha_committed: Tenant) -> None:
    with tenant_scope(alpha_committed):
        ids = _pending(120, prefix="two-relays")
    published: list[int] = []
    lock = threading.Lock()

    def publish(_schema: str, batch: Any) -> None:
        with lock:
            published.extend(batch)

    handed: list[int] = []

    def one_relay(_index: int) -> str:
        with tenant_scope(alpha_committed):
            count = relay.outbox_relay_pass(publish=publish, batch=10)
        with lock:
            handed.append(count)
        return "relayed"

    assert run_at_once(2, one_relay) == {"relayed": 2}
    assert sum(handed) == 120
    assert sorted(published) == sorted(ids)  # each once


# --- The relay's loop -------------------------------------------------------------------------


class Wake:
    def __init__(self, payload: str) -> None:
        self.payload = payload


class FakeChannel:
    """The LISTENing connection: wakes handed out as notifies() hands them."""

    def __init__(self, relay_loop: OutboxRelay, script: list[list[str]]) -> None:
        self.relay = relay_loop
        self.script = script

    def notifies(self, *, timeout: float | None = None, stop_after: int | None = None) -> Any:
        if stop_after is None:  # "and whatever else arrived": the first call took them all
            return iter(())
        if not self.script:
            self.relay.stop.set()
            return iter(())
        return iter([Wake(payload) for payload in self.script.pop(0)])


def _loop(
    script: list[list[str]], *, fail: dict[str, int] | None = None
) -> tuple[OutboxRelay, list[str], list[float]]:
    passes: list[str] = []
    failures = dict(fail or {})
    clock = [0.0]

    def pass_for(schema: str) -> int:
        passes.append(schema)
        if schema == "gone":
            raise LookupError(schema)
        if failures.get(schema):
            failures[schema] -= 1
            raise ConnectionRefusedError(111, "broker down")
        return 1

    loop = OutboxRelay(
        pass_for=pass_for,
        organisers=lambda: ["alpha", "beta"],
        listen=lambda: _connection(FakeChannel(loop, script)),
        clock=lambda: clock[0],
    )
    return loop, passes, clock


@contextmanager
def _connection(channel: FakeChannel) -> Iterator[FakeChannel]:
    yield channel


def test_the_relay_looks_at_every_organiser_when_it_starts_then_at_those_woken() -> None:
    loop, passes, _clock = _loop([["beta", "beta", "beta"], ["alpha"]])

    loop.run()

    # The three wakes for beta that came together make one pass.
    assert passes == ["alpha", "beta", "beta", "alpha"]


def test_a_pass_the_broker_refused_is_tried_again_after_a_backoff() -> None:
    loop, passes, clock = _loop([[]], fail={"beta": 2})
    loop.wake(["beta"])
    loop.relay_due()
    assert (passes, loop.due["beta"]) == (["beta"], RETRY_FIRST)
    loop.relay_due()  # not due yet
    clock[0] = RETRY_FIRST
    loop.relay_due()
    assert (passes, loop.due["beta"]) == (["beta", "beta"], RETRY_FIRST + 2 * RETRY_FIRST)
    clock[0] = 3 * RETRY_FIRST
    loop.relay_due()

    assert passes == ["beta", "beta", "beta"]
    assert "beta" not in loop.due
    assert loop.handed == 1


def test_a_wake_for_a_schema_that_is_no_organiser_is_dropped() -> None:
    loop, passes, _clock = _loop([["gone"]])

    loop.run()

    assert passes == ["alpha", "beta", "gone"]
    assert "gone" not in loop.due


# --- Delivering a batch ------------------------------------------------------------------------


class CountingBackend(MemoryBackend):
    opened = 0

    def open(self) -> bool:
        CountingBackend.opened += 1
        return True


class RefusesSecond(CountingBackend):
    """The mail server refuses the second message of the run (greylisting), then takes all."""

    sent = 0

    def send_messages(self, email_messages: list) -> int:
        RefusesSecond.sent += 1
        if RefusesSecond.sent == 2:
            raise ConnectionResetError(104, "Connection reset by peer")
        return super().send_messages(email_messages)


def test_a_batch_goes_out_over_one_mail_server_connection(
    tenant_a: OrganizerFixture, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.organizers.services.messages.test_relay.CountingBackend"
    CountingBackend.opened = 0
    with tenant_scope(tenant_a.tenant):
        ids = [Message.objects.get(booking=book(days=day)).id for day in (3, 4, 5)]
        retries = outbox.messages_deliver(message_ids=ids)
        statuses = set(Message.objects.filter(id__in=ids).values_list("status", flat=True))

    assert (retries, statuses, len(mail.outbox)) == ({}, {"sent"}, 3)
    assert CountingBackend.opened == 1


def test_a_message_the_mail_server_refuses_in_a_batch_is_retried_alone(
    tenant_a: OrganizerFixture, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "tests.organizers.services.messages.test_relay.RefusesSecond"
    RefusesSecond.sent = 0
    with tenant_scope(tenant_a.tenant):
        ids = [Message.objects.get(booking=book(days=day)).id for day in (3, 4, 5)]
        retries = outbox.messages_deliver(message_ids=ids)
        statuses = dict(Message.objects.filter(id__in=ids).values_list("id", "status"))

    assert retries == {ids[1]: outbox.retry_countdown(attempt=0)}
    assert statuses == {ids[0]: "sent", ids[1]: "pending", ids[2]: "sent"}
    assert len(mail.outbox) == 2


# --- The sweep ------------------------------------------------------------------------------


def test_when_the_broker_lost_its_tasks_the_sweep_hands_over_again_within_a_minute(
    tenant_a: OrganizerFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redis restarted and kept nothing: messages handed over before are pending with no
    task anywhere. An empty queue says so; a busy one may be a backlog, and is left alone."""
    handed: list[int] = []
    monkeypatch.setattr(relay, "messages_publish", lambda _schema, ids: handed.extend(ids))
    now = timezone.now()
    with tenant_scope(tenant_a.tenant):
        ids = _pending(3)
        Message.objects.filter(id__in=ids).update(
            created_at=now - dt.timedelta(minutes=2), queued_at=now - dt.timedelta(minutes=2)
        )
        busy = outbox.messages_sweep(broker_idle=False, now=now)
        idle = outbox.messages_sweep(broker_idle=True, now=now)
        idle_again = outbox.messages_sweep(broker_idle=True, now=now + dt.timedelta(seconds=10))

    assert (busy, idle, idle_again) == (0, 3, 0)
    assert handed == ids


@pytest.mark.worker
def test_the_relay_and_a_real_worker_deliver_every_message_of_a_burst(
    celery_worker: Any, alpha_committed: Tenant
) -> None:
    """60 e-vouchers booked in one transaction (one wake per booking after the commit): all
    delivered, each once."""
    import time

    from django.db import transaction

    from organizers.nik import nik_compose

    with tenant_scope(alpha_committed):
        slot = slot_at(capacity=100)
        with transaction.atomic():
            bookings = [
                booking_create(
                    programme_id=slot.programme_id,
                    slot_id=slot.id,
                    dose=1,
                    person=booking_person(
                        email_address=f"orang{serial}@example.id",
                        nik=nik_compose(dt.date(1958, 3, 14), sex="F", serial=serial),
                    ),
                )
                for serial in range(1, 61)
            ]
        ids = list(Message.objects.filter(booking__in=bookings).values_list("id", flat=True))
        assert len(ids) == 60
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if not Message.objects.filter(id__in=ids, status="pending").exists():
                break
            time.sleep(0.3)
        statuses = list(Message.objects.filter(id__in=ids).values_list("status", "attempts"))

    assert statuses == [("sent", 1)] * 60
    sent_to = [
        line
        for path in celery_worker.mail_dir.iterdir()
        for line in path.read_text(errors="replace").splitlines()
        if line.startswith("To: orang")
    ]
    assert len(sent_to) == len(set(sent_to)) == 60
