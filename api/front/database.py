"""The rush front's PostgreSQL connections: FrontDatabase (a small asyncio pool on asyncpg,
each connection keeping its tenant's search_path and its prepared statements), what its
statements may fail with (FrontBusyError, DATABASE_ERRORS), whether a connection is usable after
an error, the numbering of psycopg's parameters for asyncpg, and Django's connection parameters
as asyncpg takes them."""

from __future__ import annotations

import asyncio
import collections
import functools
import logging
import re
import time
import weakref
from collections.abc import Awaitable
from typing import Any
from urllib.parse import urlencode

import asyncpg
from django.db import connections

from config.request_deadline import database_deadline, deadline_seconds, seconds_left
from tenants.context import connection_schema_switch

log = logging.getLogger(__name__)


class FrontDatabase:
    """A small asyncio pool of PostgreSQL connections (asyncpg) with Django's connection
    parameters, up to `size` per process, opened when first needed. Each connection remembers
    its search_path (the tenant) and switches it, through tenants.context, only when it
    changes; statements are prepared, as organizers/db.py prepares them on Django's
    connections. Statements are written for psycopg (%(name)s parameters, shared with
    Django's path) and numbered for asyncpg once.

    asyncpg, not psycopg, on the front (docs/adr/0008-rush-front.md): for the booking statement
    it took 95 µs of the worker's CPU and 230 µs of wall time per call, psycopg's async
    connection 175 µs and 730 µs (5,000 calls each, one connection).
    Not a library pool: psycopg_pool's checkout always goes through a timeout, which showed in
    the profile; this takes an idle connection without awaiting and waits only when all are
    busy (1,709 / 1,709 / 1,935 bookings/s against 1,623 / 1,576 / 1,802, alternating).
    asyncpg's own pool (issue #10) sold as fast but with a longer tail: B1 rush p99 49.9 and
    48.0 ms against 37.8 and 39.6 ms, sustained 50.9 and 51.5 against 29.0 and 29.3 ms
    (alternating, quiet machine; ADR 0008, "The pool")."""

    WAIT_SECONDS = 10.0

    def __init__(self, size: int) -> None:
        self.size = size
        self.idle: list[asyncpg.Connection] = []
        self.waiters: collections.deque[asyncio.Future] = collections.deque()
        self.count = 0
        self.tasks: set[asyncio.Future] = set()
        self.params: dict[str, Any] | None = None
        self.schemas: weakref.WeakKeyDictionary[asyncpg.Connection, str] = (
            weakref.WeakKeyDictionary()
        )
        self.primed: set[str] = set()

    async def fetch_one(
        self,
        schema: str,
        statement: str,
        params: dict[str, Any],
        *,
        deadline: float | None = None,
    ) -> tuple | None:
        """The first row of `statement` in `schema`."""
        row, _otherwise = await self.fetch_one_or(
            schema, statement, None, params, deadline=deadline
        )
        return row

    async def fetch_one_or(
        self,
        schema: str,
        statement: str,
        otherwise: str | None,
        params: dict[str, Any],
        *,
        deadline: float | None = None,
    ) -> tuple[tuple | None, tuple | None]:
        """(the first row of `statement`, None); when `statement` has no row and `otherwise` is
        given, (None, the first row of `otherwise`), run with the same parameters on the same
        connection: a request that needs both waits for a connection once, not twice.

        All of it (waiting for a connection, connecting, the statements) ends by `deadline`
        (time.monotonic(); by default the database's share of a request starting now,
        config/request_deadline.py) with TimeoutError: a frozen server holds nothing longer.
        The connection is then closed, never given to another request in mid-statement."""
        if deadline is None:
            deadline = _share_from_now()
        async with asyncio.timeout(seconds_left(deadline)):
            conn = await self._take()
            usable = True
            try:
                await self._use_schema(conn, schema)
                row = await self._fetch_one(conn, statement, params)
                if row is not None or otherwise is None:
                    return row, None
                return None, await self._fetch_one(conn, otherwise, params)
            except BaseException as exc:
                usable = _usable_after(exc)
                raise
            finally:
                self._give(conn, usable=usable)

    async def execute_anywhere(self, statement: str, *args: Any) -> None:
        """Run `statement` (asyncpg's $1 parameters) on any connection, in whatever schema it
        is: for statements that read no tenant's table (the outbox relay's wake-up). Bounded
        as a request's share of the database is (a frozen server holds it no longer)."""
        async with asyncio.timeout(seconds_left(_share_from_now())):
            conn = await self._take()
            usable = True
            try:
                await conn.execute(statement, *args)
            except BaseException as exc:
                usable = _usable_after(exc)
                raise
            finally:
                self._give(conn, usable=usable)

    def prime_in_background(self, schema: str, statements: list[tuple[str, dict]]) -> None:
        """Run `statements` (which write nothing) in `schema` on every idle connection, once
        per schema: PostgreSQL loads the schema's tables and plans them, asyncpg prepares them,
        before requests need them. Cold, each connection's first booking of an organiser took
        about 20 ms (in a drop's first wave, all at once); busy connections warm up on their
        own first request."""
        if len(self.primed) > 10_000:
            self.primed.clear()
        self.primed.add(schema)
        idle, self.idle = self.idle, []
        for conn in idle:
            self._background(self._prime(conn, schema, statements))

    async def _prime(
        self, conn: asyncpg.Connection, schema: str, statements: list[tuple[str, dict]]
    ) -> None:
        usable = True
        try:
            async with asyncio.timeout(seconds_left(_share_from_now())):
                await self._use_schema(conn, schema)
                for statement, params in statements:
                    await self._fetch_one(conn, statement, params)
        except BaseException as exc:
            usable = _usable_after(exc)
            if not isinstance(exc, Exception):
                raise  # cancelled (shutdown)
            log.info("rush front: a connection not primed for %s: %r", schema, exc)
        finally:
            self._give(conn, usable=usable)

    async def _use_schema(self, conn: asyncpg.Connection, schema: str) -> None:
        if self.schemas.get(conn) != schema:
            await connection_schema_switch(conn, schema=schema)
            self.schemas[conn] = schema

    @staticmethod
    async def _fetch_one(
        conn: asyncpg.Connection, statement: str, params: dict[str, Any]
    ) -> tuple | None:
        """asyncpg prepares the statement on the connection the first time and keeps it; a
        migration that changes a table under it makes it prepare it again by itself."""
        numbered, names = _numbered(statement)
        row = await conn.fetchrow(numbered, *[params[name] for name in names])
        return None if row is None else tuple(row)

    async def _take(self) -> asyncpg.Connection:
        while self.idle:
            conn = self.idle.pop()
            if not conn.is_closed():
                return conn
            self.count -= 1  # the server closed it while it was idle (a restart)
        if self.count < self.size:
            self.count += 1
            try:
                return await self._connect()
            except BaseException:
                self.count -= 1
                raise
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            done, _pending = await asyncio.wait({waiter}, timeout=self.WAIT_SECONDS)
        except BaseException:  # cancelled while waiting: a connection given meanwhile goes back
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._give(waiter.result())
            waiter.cancel()
            raise
        if not done:
            waiter.cancel()  # _give passes over it
            raise FrontBusyError("no database connection free")
        return waiter.result()

    def _give(self, conn: asyncpg.Connection, *, usable: bool = True) -> None:
        if not usable or conn.is_closed() or conn.is_in_transaction():
            self.count -= 1
            self._background(_close(conn))
            if self.waiters:  # someone waits: a connection can be opened for them
                self.count += 1
                self._background(self._connect_for(self.waiters.popleft()))
            return
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        self.idle.append(conn)

    def warm(self) -> None:
        """Open the connections in the background."""
        self._background(self._warm())

    async def _warm(self) -> None:
        while self.count < self.size:
            self.count += 1
            try:
                conn = await self._connect()
            except DATABASE_ERRORS as exc:
                self.count -= 1
                log.warning("rush front: no database connection yet (%s); connecting on use", exc)
                return
            self._give(conn)

    def _background(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _connect_for(self, waiter: asyncio.Future) -> None:
        try:
            conn = await self._connect()
        except Exception as exc:
            self.count -= 1
            if not waiter.done():
                waiter.set_exception(exc)
            if self.waiters and self.count < self.size:
                # The next one in line tries too (and, the database being down, learns it at
                # once) instead of waiting WAIT_SECONDS for a connection nobody will give back.
                self.count += 1
                self._background(self._connect_for(self.waiters.popleft()))
            return
        if waiter.done():
            self._give(conn)
        else:
            waiter.set_result(conn)

    async def _connect(self) -> asyncpg.Connection:
        if self.params is None:
            self.params = connection_params()
        return await asyncpg.connect(**self.params)

    async def close(self) -> None:
        idle, self.idle = self.idle, []
        for conn in idle:
            self.count -= 1
            await _close(conn)


def _share_from_now() -> float | None:
    """The database's share of a request that starts now (None: no deadline)."""
    seconds = deadline_seconds()
    return database_deadline(time.monotonic() + seconds) if seconds > 0 else None


class FrontBusyError(Exception):
    """Every connection of the front stayed busy for WAIT_SECONDS."""


# What a statement of the front can fail with, besides a refusal it reads as one: PostgreSQL's
# errors, a connection that broke or could not be opened, no connection free in time.
# (InternalClientError: a statement sent on a connection the server has just terminated, before
# asyncpg saw the socket close.)
DATABASE_ERRORS = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    OSError,
    TimeoutError,
)


def _usable_after(error: BaseException) -> bool:
    """Whether a connection can serve the next request after `error`: yes after an error of the
    statement (a unique violation, say); no after a lost or terminated connection, a server in
    trouble, or an interruption in the middle of a statement."""
    if isinstance(error, asyncpg.PostgresError):
        return (error.sqlstate or "")[:2] not in {"08", "57", "58", "XX"}
    return False


async def _close(conn: asyncpg.Connection) -> None:
    try:
        await conn.close(timeout=5)
    except Exception:  # a connection that is already gone
        conn.terminate()


@functools.lru_cache(maxsize=64)
def _numbered(statement: str) -> tuple[str, tuple[str, ...]]:
    """A statement with psycopg's %(name)s parameters as asyncpg's $1, $2 ... (a name used
    twice is one number; psycopg's %% is a %), and the names in their numbers' order."""
    names: list[str] = []

    def number(match: re.Match) -> str:
        name = match.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return _PARAMETER.sub(number, statement).replace("%%", "%"), tuple(names)


_PARAMETER = re.compile(r"%\((\w+)\)s")


def connection_params() -> dict[str, Any]:
    """Django's own connection parameters for the default database (host, port, name, user,
    password; the OPTIONS asyncpg knows: TLS, target_session_attrs, application_name,
    connect_timeout). Timestamps travel in UTC, as Django has them (USE_TZ); each statement is
    its own transaction (autocommit). Other OPTIONS (keepalives, say) are left out, with a
    warning: passed on, PostgreSQL would refuse them and the front would not connect."""
    given = {
        name: value
        for name, value in connections["default"].get_connection_params().items()
        if value is not None and name not in _NOT_LIBPQ
    }
    params: dict[str, Any] = {
        "host": given.pop("host", None) or None,
        "port": given.pop("port", None) or None,
        "user": given.pop("user", None),
        "password": given.pop("password", None),
        "database": given.pop("dbname", None),
        "server_settings": {"TimeZone": "UTC"},
        "max_cached_statement_lifetime": 0,  # prepared for as long as the connection lives
    }
    if "connect_timeout" in given:
        params["timeout"] = float(given.pop("connect_timeout"))
    if "application_name" in given:
        params["server_settings"]["application_name"] = str(given.pop("application_name"))
    known = {name: str(value) for name, value in given.items() if name in _DSN_OPTIONS}
    if known:
        params["dsn"] = "postgresql://?" + urlencode(known)
    if unknown := sorted(set(given) - set(known)):
        log.warning("rush front: database OPTIONS left out of its connections: %s", unknown)
    return params


_NOT_LIBPQ = {
    "cursor_factory",
    "context",
    "server_side_binding",
    "prepare_threshold",
    "client_encoding",
}
# The libpq options asyncpg reads from a connection string.
_DSN_OPTIONS = {
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslcrl",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "target_session_attrs",
    "passfile",
    "service",
    "servicefile",
    "krbsrvname",
    "gsslib",
}
