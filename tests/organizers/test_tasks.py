"""Beat jobs fan out one task per organiser, pinned to its schema; one organiser failing does
not stop the rest."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

from config.celery import app
from organizers import tasks
from tenants.models import Tenant
from tests.conftest import OrganizerFixture
from tests.organizers.conftest import BeatInline

BEAT_JOBS = {
    "organizers.tasks.waitlist_offers_expire_all": "organizers.tasks.waitlist_offers_expire",
    "organizers.tasks.idempotency_records_purge_all": "organizers.tasks.idempotency_records_purge",
    "organizers.tasks.messages_sweep_all": "organizers.tasks.messages_sweep",
    "organizers.tasks.reminders_record_all": "organizers.tasks.reminders_record",
}


def _organiser_schemas() -> list[str]:
    return list(Tenant.objects.organizers().order_by("id").values_list("schema_name", flat=True))


@pytest.mark.parametrize("beat_job", sorted(BEAT_JOBS))
def test_each_beat_job_sends_one_task_per_organiser_in_its_schema(
    tenant_a: OrganizerFixture,
    tenant_b: OrganizerFixture,
    beat_inline: BeatInline,
    beat_job: str,
) -> None:
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    schemas = _organiser_schemas()
    assert {tenant_a.tenant.schema_name, tenant_b.tenant.schema_name} <= set(schemas)

    sent = app.tasks[beat_job].apply().get()

    assert beat_job in scheduled
    assert sent == len(schemas)
    assert beat_inline.ran() == [(schema, BEAT_JOBS[beat_job]) for schema in schemas]
    assert all(result.successful() for _schema, _name, result in beat_inline.sent)


def test_one_organiser_failing_does_not_stop_the_others(
    tenant_a: OrganizerFixture,
    tenant_b: OrganizerFixture,
    beat_inline: BeatInline,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from organizers.services.messages import outbox

    seen: list[str] = []

    def sweep(*, broker_idle: bool) -> int:
        if connection.schema_name == tenant_a.tenant.schema_name:
            raise RuntimeError("a broken row")
        seen.append(connection.schema_name)
        return 1

    monkeypatch.setattr(outbox, "messages_sweep", sweep)

    tasks.messages_sweep_all.apply().get()

    outcome = {schema: result for schema, _name, result in beat_inline.sent}
    assert outcome[tenant_a.tenant.schema_name].failed()
    assert outcome[tenant_b.tenant.schema_name].get() == 1
    assert tenant_b.tenant.schema_name in seen
    assert tenant_a.tenant.schema_name not in seen
    assert connection.schema_name == "public"  # the fan-out itself stays on the public schema


def test_a_per_organiser_task_sent_without_a_schema_refuses(db: None) -> None:
    result = tasks.reminders_record.apply(headers={"_schema_name": "public"})

    assert result.failed()
    assert "tenant schema only" in str(result.result)


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (OperationalError("connection failed: Connection refused"), [(OperationalError, 10)]),
        (InterfaceError("connection already closed"), [(InterfaceError, 10)]),
        (ValueError("a bug"), []),
    ],
    ids=["database-down", "connection-gone", "any-other-error"],
)
def test_a_message_whose_database_is_out_of_reach_is_tried_again_soon(
    monkeypatch: pytest.MonkeyPatch, error: Exception, retried: list[tuple[type, int]]
) -> None:
    """Not left to the sweep (two to three minutes): nothing was sent or counted."""
    from celery.exceptions import Retry

    from organizers.services.messages import outbox

    def deliver(*, message_id: int) -> str:
        raise error

    asked: list[tuple[type, int]] = []

    def retry(*, exc: Exception, countdown: int) -> Retry:
        asked.append((type(exc), countdown))
        return Retry(exc=exc, when=countdown)

    monkeypatch.setattr(outbox, "message_deliver", deliver)
    monkeypatch.setattr(tasks.message_deliver, "retry", retry)

    with pytest.raises(Retry if retried else type(error)):
        tasks.message_deliver.run(7)
    assert asked == retried


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (OperationalError("connection failed: Connection refused"), [(OperationalError, 10)]),
        (ValueError("a bug"), []),
    ],
    ids=["database-down", "any-other-error"],
)
def test_a_batch_whose_database_is_out_of_reach_is_tried_again_soon(
    monkeypatch: pytest.MonkeyPatch, error: Exception, retried: list[tuple[type, int]]
) -> None:
    """The relay's batch of e-vouchers, as one message's task: tried again after 10 s."""
    from celery.exceptions import Retry

    from organizers.services.messages import outbox

    def deliver(*, message_ids: list[int]) -> dict[int, int]:
        raise error

    asked: list[tuple[type, int]] = []

    def retry(*, exc: Exception, countdown: int, max_retries: int, **_call: object) -> Retry:
        asked.append((type(exc), countdown))
        return Retry(exc=exc, when=countdown)

    monkeypatch.setattr(outbox, "messages_deliver", deliver)
    monkeypatch.setattr(tasks.messages_deliver, "retry", retry)

    with pytest.raises(Retry if retried else type(error)):
        tasks.messages_deliver.run([7, 8])
    assert asked == retried


def test_a_batch_whose_message_went_out_as_the_database_went_away_records_it_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Tried again within 2 s (before the sweep could hand it over again), with the message
    the mail server took: recorded sent, then the rest of the batch delivered."""
    from celery.exceptions import Retry

    from organizers.services.messages import outbox

    gone = OperationalError("server closed the connection unexpectedly")
    calls: list[tuple[str, object]] = []
    outcomes = iter([outbox.MessageSentUnrecordedError({8: 1_800_000_000.5}, gone), {}])

    def deliver(*, message_ids: list[int]) -> dict[int, int]:
        calls.append(("deliver", message_ids))
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def record(*, sent: dict[int, float]) -> int:
        calls.append(("record", sent))
        return len(sent)

    asked: list[dict[str, object]] = []

    def retry(**call: object) -> Retry:
        asked.append(call)
        return Retry(exc=call["exc"], when=call["countdown"])

    monkeypatch.setattr(outbox, "messages_deliver", deliver)
    monkeypatch.setattr(outbox, "messages_sent_record", record)
    monkeypatch.setattr(tasks.messages_deliver, "retry", retry)

    with pytest.raises(Retry):
        tasks.messages_deliver.run([7, 8, 9])
    assert asked[0]["countdown"] == tasks.SENT_UNRECORDED_RETRY_SECONDS == 2
    assert asked[0]["exc"] is gone
    assert asked[0]["args"] == ([7, 8, 9],)
    kwargs = asked[0]["kwargs"]
    assert kwargs == {"sent_unrecorded": {"8": 1_800_000_000.5}}  # JSON: keys are strings

    assert tasks.messages_deliver.run([7, 8, 9], **kwargs) == {"messages": 3, "to_retry": 0}
    assert calls == [
        ("deliver", [7, 8, 9]),
        ("record", {8: 1_800_000_000.5}),
        ("deliver", [7, 8, 9]),  # 8 is sent now: delivery skips it
    ]
