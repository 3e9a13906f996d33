"""Whether the broker's queue is empty, as the outbox sweep asks it (on the suite's real
broker: Redis, or the filesystem transport)."""

from __future__ import annotations

import time

import pytest

from config.celery import app
from tenants.context import broker_queue_empty
from tenants.tasks import report_schema

QUEUE = "sentra-test-nobody-consumes"


def test_a_queue_holding_a_task_is_not_empty_and_an_emptied_one_is() -> None:
    report_schema.apply_async(queue=QUEUE)  # declares the queue too
    holding = broker_queue_empty(QUEUE)
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(QUEUE)
    emptied = broker_queue_empty(QUEUE)

    assert (holding, emptied) == (False, True)


def test_a_broker_that_does_not_answer_is_never_taken_for_an_empty_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    connect = app.connection_for_write
    # Nothing listens on port 1.
    monkeypatch.setattr(app, "connection_for_write", lambda: connect("redis://127.0.0.1:1/0"))
    started = time.monotonic()

    assert broker_queue_empty(QUEUE) is False
    assert time.monotonic() - started < 10  # the beat task that asks is not held up
