"""Every request is answered within SENTRA_REQUEST_DEADLINE_SECONDS (15 s), even by a database
that stopped answering without closing anything (a frozen server: SIGSTOP, a paused VM, a storage
stall; its kernel still accepts connections and acknowledges data, so no TCP timeout fires).

The clock starts when the request's body has been read (request_deadline_start: the rush front
stamps the ASGI scope, or the WSGI bridge does for what the front does not take). Three layers,
each bounding what the one before may leave:

1. The database's share ends DATABASE_MARGIN before the deadline (database_deadline):
   - the rush front's asyncpg statements, waits for a connection and connects stop then
     (api/front/database.py): the connection is closed and the request goes to the full path;
   - Django's connections: DatabaseWatch cuts (shutdown) the socket of every PostgreSQL
     connection of a request thread still running past it. psycopg raises OperationalError at
     once, and Django's outage handling answers 503 "try again" (common/database_outage.py).
     Why not a cancel request: it goes to the postmaster, frozen too; psycopg's own timeouts
     cover connecting only. Django closes the cut connection when the request ends
     (close_if_unusable_or_obsolete), so no later request is given it.
2. At the deadline, the WSGI bridge answers whatever has not started its answer (a request
   waiting for a thread behind stuck ones, or for a connection attempt to time out) with the
   same outage answer (config/asgi.py, public_site.views.errors.deadline_answer), and a thread
   that later picks that request up skips it.

A statement that the server had already received may still complete when it thaws: the
answer said "try again", the booking exists (one statement: a seat, its booking and its
e-voucher message together, or nothing). A retry then meets `already_booked`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

log = logging.getLogger(__name__)

SCOPE_KEY = "sentra.deadline"  # in the ASGI scope: time.monotonic() by which to answer
WATCH_INTERVAL = 0.2  # seconds between two looks of the watchdog


def deadline_seconds() -> float:
    """SENTRA_REQUEST_DEADLINE_SECONDS (0: no deadline)."""
    from django.conf import settings

    return float(settings.SENTRA_REQUEST_DEADLINE_SECONDS)


def database_margin(seconds: float) -> float:
    """How long before the deadline the database's share ends, so that the request's own
    handler words the answer: 2 s, or a quarter of a short deadline."""
    return min(2.0, seconds / 4)


def request_deadline_start(scope: dict[str, Any]) -> float | None:
    """The request's deadline (time.monotonic()), set in its scope the first time it is asked
    (once its body has been read); None when there is no deadline."""
    if SCOPE_KEY not in scope:
        seconds = deadline_seconds()
        scope[SCOPE_KEY] = time.monotonic() + seconds if seconds > 0 else None
    return scope[SCOPE_KEY]


def database_deadline(deadline: float | None) -> float | None:
    """When the database's share of a request with `deadline` ends."""
    if deadline is None:
        return None
    return deadline - database_margin(deadline_seconds())


def seconds_left(deadline: float | None, *, at_most: float | None = None) -> float | None:
    """Seconds until `deadline` (never below a millisecond: an asyncio timeout of 0 or less
    would not even try), capped at `at_most`; None for no deadline and no cap."""
    if deadline is None:
        return at_most
    left = max(0.001, deadline - time.monotonic())
    return left if at_most is None else min(left, at_most)


class DatabaseWatch:
    """Cuts the PostgreSQL connections of request threads that outlived their database share.

    A request thread registers itself (`watching`) with its database deadline and Django's
    connection objects of that thread; a daemon thread looks every WATCH_INTERVAL and shuts down
    the socket of each open connection of a thread past its deadline (the file descriptor stays
    psycopg's: it notices, raises, and is closed by Django). Registration and cutting take one
    lock, so a thread that has finished its request is never cut for it."""

    def __init__(self, *, interval: float = WATCH_INTERVAL) -> None:
        self.interval = interval
        self.lock = threading.Lock()
        self.watched: dict[int, tuple[float, list[Any]]] = {}
        self.cuts = 0
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def watching(self, deadline: float | None) -> Iterator[None]:
        """Run the body (a request, in this thread) with its connections cut past `deadline`."""
        if deadline is None:
            yield
            return
        from django.db import connections

        key = threading.get_ident()
        with self.lock:
            self.watched[key] = (deadline, [connections[alias] for alias in connections])
            self._ensure_thread()
        try:
            yield
        finally:
            with self.lock:
                self.watched.pop(key, None)

    def look(self, now: float | None = None) -> int:
        """Cut what is past its deadline now; returns how many connections were cut."""
        now = time.monotonic() if now is None else now
        cut = 0
        with self.lock:
            for deadline, wrappers in self.watched.values():
                if now >= deadline:
                    cut += sum(connection_cut(wrapper.connection) for wrapper in wrappers)
            self.cuts += cut
        return cut

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="database-watch", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(self.interval)
            try:
                if cut := self.look():
                    log.warning("request deadline: cut %d stuck database connection(s)", cut)
            except Exception:  # the watchdog must outlive any one surprise
                log.exception("request deadline: the database watch failed")


def connection_cut(connection: Any) -> bool:
    """Shut down the socket of an open psycopg connection (False when there is none open). The
    descriptor is duplicated and the copy closed: psycopg keeps, and later closes, its own."""
    if connection is None or getattr(connection, "closed", True):
        return False
    try:
        descriptor = connection.pgconn.socket
    except Exception:  # a connection already broken has no socket
        return False
    try:
        with socket.socket(fileno=os.dup(descriptor)) as copy:
            copy.shutdown(socket.SHUT_RDWR)
    except OSError:  # already shut down, or not connected any more
        return False
    return True
