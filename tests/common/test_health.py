"""/healthz fails when the worker's heartbeat is stale (a worker that takes tasks and finishes
none), and not before a worker first ran one."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from django.core.cache import caches
from django.utils import timezone

from tests.conftest import ROOT_HOST, host_client

HEARTBEAT = "worker:last-heartbeat"


@pytest.fixture
def heartbeat(db: None) -> Iterator[None]:
    cache = caches["global"]
    kept = cache.get(HEARTBEAT)
    cache.delete("healthz:checks")  # the last few seconds' result
    yield
    cache.delete("healthz:checks")
    cache.set(HEARTBEAT, kept, timeout=None) if kept else cache.delete(HEARTBEAT)


def _beat_ran(seconds_ago: float) -> None:
    when = timezone.now() - dt.timedelta(seconds=seconds_ago)
    caches["global"].set(HEARTBEAT, when.isoformat(), timeout=None)


def test_a_worker_that_ran_the_heartbeat_lately_is_healthy(heartbeat: None) -> None:
    _beat_ran(seconds_ago=61)

    response = host_client(ROOT_HOST).get("/healthz")

    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["worker"] == "ok"
    assert 60 < body["worker_heartbeat_age_seconds"] < 70


def test_a_stale_heartbeat_fails_the_health_check(heartbeat: None, settings) -> None:
    _beat_ran(seconds_ago=settings.WORKER_HEARTBEAT_STALE_SECONDS + 20)

    response = host_client(ROOT_HOST).get("/healthz")

    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "unavailable"
    assert body["worker"] == "failing"
    assert (body["database"], body["broker"]) == ("ok", "ok")


def test_before_any_heartbeat_the_worker_is_not_counted_against_health(heartbeat: None) -> None:
    caches["global"].delete(HEARTBEAT)

    response = host_client(ROOT_HOST).get("/healthz")

    assert response.status_code == 200
    body = json.loads(response.content)
    assert body["worker"] == "ok"
    assert body["worker_heartbeat_age_seconds"] is None
