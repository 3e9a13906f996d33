"""The front's own PostgreSQL connections (api.front.database): shared, replaced when broken,
waited for within a limit, each keeping its schema; primed for an organiser when first seen;
Django's connection parameters as asyncpg takes them."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import asyncpg
import pytest
from django.db import connections

from api.front import database as front_database
from organizers.models import Message
from tenants.context import tenant_scope
from tenants.models import Tenant
from tests.api.front.conftest import Harness
from tests.conftest import LoopThread


def test_an_organisers_statements_are_prepared_on_the_idle_connections_when_first_seen(
    harness: Harness,
) -> None:
    database = harness.app.database
    harness.loop.run(database._warm())  # as at startup: the pool's connections are open
    harness.warm()  # through Django, which learns the host
    day = harness.slot.starts_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    listed = harness.call(
        "GET", f"/api/v1/venues/{harness.slot.venue_id}/slots", query=f"date={day}".encode()
    )

    async def prepared_on_each() -> list[tuple[str, int]]:
        await asyncio.gather(*list(database.tasks))
        found = []
        for conn in list(database.idle):
            path = await conn.fetchval("SHOW search_path")
            count = await conn.fetchval(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE $1",
                "%organizers_booking%",
            )
            found.append((path, count))
        return found

    found = harness.loop.run(prepared_on_each())

    assert listed.status == 200
    assert len(found) == 2  # both connections of this pool
    schema = harness.tenant.schema_name
    assert found == [(f"{schema}, public", 1)] * 2  # the booking statement, ready
    assert schema in database.primed
    assert harness.counters() == (1, 1)  # priming wrote nothing
    with tenant_scope(harness.tenant):
        assert Message.objects.count() == 0


def _one_connection_pool(wait_seconds: float) -> tuple[str, front_database.FrontDatabase]:
    """alpha's schema and a front pool of one connection that waits `wait_seconds` for it."""
    database = front_database.FrontDatabase(1)
    database.WAIT_SECONDS = wait_seconds
    return Tenant.objects.get(slug="alpha").schema_name, database


async def _terminate(pid: int) -> None:
    """End a PostgreSQL backend, as a restart or a failover does."""
    killer = await asyncpg.connect(**front_database.connection_params())
    await killer.execute("SELECT pg_terminate_backend($1)", pid)
    await killer.close()


def test_the_connections_are_shared_replaced_when_broken_and_waited_for_within_a_limit(
    committed: Callable, loop_thread: LoopThread
) -> None:
    schema, database = _one_connection_pool(wait_seconds=0.5)

    async def scenario() -> None:
        async def backend() -> int:
            row = await database.fetch_one(schema, "SELECT pg_backend_pid()", {})
            return row[0]

        # one connection, three at once: they take turns on it
        pids = await asyncio.gather(backend(), backend(), backend())
        assert len(set(pids)) == 1
        # an idle connection the server dropped (a restart) is not handed out: a new one is
        await _terminate(pids[0])
        await asyncio.sleep(0.3)  # asyncpg sees the socket close
        assert await backend() != pids[0]
        # every connection busy for longer than WAIT_SECONDS: refused, not queued for ever
        slow = asyncio.ensure_future(database.fetch_one(schema, "SELECT pg_sleep(1.5)", {}))
        await asyncio.sleep(0.2)
        with pytest.raises(front_database.FrontBusyError):
            await backend()
        await slow
        assert await backend()
        await database.close()

    loop_thread.run(scenario())


def test_when_the_database_cannot_be_reached_the_waiting_requests_learn_it_at_once(
    committed: Callable, loop_thread: LoopThread
) -> None:
    schema, database = _one_connection_pool(wait_seconds=5.0)

    async def scenario() -> tuple[list[str], float]:
        pid = (await database.fetch_one(schema, "SELECT pg_backend_pid()", {}))[0]
        busy = asyncio.ensure_future(database.fetch_one(schema, "SELECT pg_sleep(2)", {}))
        await asyncio.sleep(0.2)
        waiting = [
            asyncio.ensure_future(database.fetch_one(schema, "SELECT 1", {})) for _ in range(2)
        ]
        await asyncio.sleep(0.1)

        async def unreachable() -> None:
            raise OSError("connection refused")

        database._connect = unreachable  # type: ignore[method-assign]
        await _terminate(pid)
        started = time.monotonic()
        outcomes = await asyncio.gather(busy, *waiting, return_exceptions=True)
        return [type(outcome).__name__ for outcome in outcomes], time.monotonic() - started

    outcomes, took = loop_thread.run(scenario())

    assert outcomes[1:] == ["OSError", "OSError"]  # both told, neither left to time out
    assert outcomes[0] != "tuple"
    assert took < 3  # not the 5 s of WAIT_SECONDS
    assert database.count == 0


def test_a_connection_keeps_its_schema_and_is_dropped_only_after_an_error_that_breaks_it(
    committed: Callable, loop_thread: LoopThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema, database = _one_connection_pool(wait_seconds=5.0)
    switched: list[str] = []
    switch = front_database.connection_schema_switch

    async def counted(conn: Any, *, schema: str) -> None:
        switched.append(schema)
        await switch(conn, schema=schema)

    monkeypatch.setattr(front_database, "connection_schema_switch", counted)
    seen = "SELECT pg_backend_pid(), current_setting('search_path')"

    async def scenario() -> list[tuple]:
        first = await database.fetch_one(schema, seen, {})
        # an error of the statement leaves the connection as it was
        with pytest.raises(asyncpg.DivisionByZeroError):
            await database.fetch_one(schema, "SELECT 1 / 0", {})
        after_error = await database.fetch_one(schema, seen, {})
        # a request cancelled in the middle of its statement: that connection is not used again
        slow = asyncio.ensure_future(database.fetch_one(schema, "SELECT pg_sleep(5)", {}))
        await asyncio.sleep(0.2)
        slow.cancel()
        await asyncio.gather(slow, return_exceptions=True)
        after_cancel = await database.fetch_one(schema, seen, {})
        await database.close()
        return [first, after_error, after_cancel]

    first, after_error, after_cancel = loop_thread.run(scenario())

    assert first[1] == after_error[1] == after_cancel[1] == f"{schema}, public"
    assert after_error[0] == first[0]
    assert after_cancel[0] != first[0]
    assert switched == [schema, schema]  # once per connection, not once per request


def test_the_fronts_connections_take_djangos_parameters_that_asyncpg_knows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    given = {
        "dbname": "sentra",
        "user": "app",
        "password": "s3cret",
        "host": "db.internal",
        "port": 5432,
        "sslmode": "verify-full",
        "sslrootcert": "/etc/rds.pem",
        "connect_timeout": 5,
        "application_name": "sentra-web",
        "keepalives_idle": 30,
        "prepare_threshold": 5,
        "client_encoding": "UTF8",
    }
    monkeypatch.setattr(connections["default"], "get_connection_params", lambda: given)

    params = front_database.connection_params()

    assert (
        params["host"],
        params["port"],
        params["user"],
        params["password"],
        params["database"],
    ) == ("db.internal", 5432, "app", "s3cret", "sentra")
    assert params["dsn"] == "postgresql://?sslmode=verify-full&sslrootcert=%2Fetc%2Frds.pem"
    assert params["timeout"] == 5.0
    assert params["server_settings"] == {"TimeZone": "UTC", "application_name": "sentra-web"}
    assert "keepalives_idle" not in str(params)  # PostgreSQL would refuse it as a setting
