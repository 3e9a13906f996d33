"""The outbox relay process: `python -m config.outbox_relay`.

It LISTENs on PostgreSQL's channel `sentra_outbox`; a booking's request NOTIFYs it with the
organiser's schema after the commit (organizers.services.messages.relay says why and how). Per
organiser woken it hands the messages not handed yet to Celery, a batch per task. The wakes
that arrive while it works are gathered, so a rush of 3,000 bookings becomes a few dozen passes
and about 60 tasks, not 3,000 tasks published by the requests.

When it starts, and whenever it connects again (the database restarted), it looks at every
organiser: wakes sent while nobody listened are lost. A pass that fails because the broker is
down is tried again for that organiser with a backoff (1 s, 2 s, ... 15 s); the messages stay
in the outbox meanwhile. Two relays may run (a deploy overlapping): they never take the same
message (FOR UPDATE SKIP LOCKED). `./sentra run` supervises one; production runs it as its
own small service (infra/). Beat's sweep still hands over whatever is left behind.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

logger = logging.getLogger("sentra.outbox_relay")

RETRY_FIRST = 1.0
RETRY_MOST = 15.0
# Seconds between looks at the connection when no wake comes (a stop is noticed this fast).
IDLE_WAIT = 5.0


class OutboxRelay:
    """The relay's loop. `pass_for(schema)` hands one organiser's messages over (returns how
    many); `organisers()` names every organiser's schema; `listen()` opens the LISTENing
    connection. Parameters so that tests can drive it."""

    def __init__(
        self,
        *,
        pass_for: Callable[[str], int],
        organisers: Callable[[], Iterable[str]],
        listen: Callable[[], Any],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.pass_for = pass_for
        self.organisers = organisers
        self.listen = listen
        self.clock = clock
        self.due: dict[str, float] = {}  # schema -> when its next pass is due
        self.backoff: dict[str, float] = {}
        self.stop = threading.Event()
        self.handed = 0

    def run(self) -> None:
        """Until `stop` is set: listen, and relay what the wakes name."""
        connect_backoff = RETRY_FIRST
        while not self.stop.is_set():
            try:
                with self.listen() as conn:
                    connect_backoff = RETRY_FIRST
                    self.wake(self.organisers())  # wakes sent while nobody listened are lost
                    while not self.stop.is_set():
                        self.relay_due()
                        self.wait_for_wakes(conn)
            except Exception as exc:  # the database went away: connect again, look at all
                logger.warning("outbox relay: connection lost (%r); connecting again", exc)
                self.stop.wait(connect_backoff)
                connect_backoff = min(connect_backoff * 2, RETRY_MOST)

    def wake(self, schemas: Iterable[str]) -> None:
        now = self.clock()
        for schema in schemas:
            self.due[schema] = min(self.due.get(schema, now), now)

    def wait_for_wakes(self, conn: Any) -> None:
        """Block until a wake comes (or a retry falls due, or IDLE_WAIT), then take every wake
        already received."""
        now = self.clock()
        timeout = IDLE_WAIT
        if self.due:
            timeout = max(0.0, min(min(self.due.values()) - now, IDLE_WAIT))
        woken = [note.payload for note in conn.notifies(timeout=timeout, stop_after=1)]
        if woken:
            woken += [note.payload for note in conn.notifies(timeout=0.0)]
        self.wake(woken)

    def relay_due(self) -> None:
        """A pass for every organiser whose pass is due; one that fails is due again later."""
        now = self.clock()
        for schema in [s for s, due in self.due.items() if due <= now]:
            del self.due[schema]
            try:
                self.handed += self.pass_for(schema)
            except LookupError:  # no such organiser (any more): nothing to retry
                logger.warning("outbox relay: woken for an unknown schema %r", schema)
                self.backoff.pop(schema, None)
            except Exception as exc:  # the broker (or the database) is down
                wait = self.backoff.get(schema, RETRY_FIRST / 2) * 2
                self.backoff[schema] = min(wait, RETRY_MOST)
                self.due[schema] = now + self.backoff[schema]
                logger.warning(
                    "outbox relay: %s not handed over (%r); again in %.0f s", schema, exc, wait
                )
            else:
                self.backoff.pop(schema, None)


# --- The process -----------------------------------------------------------------------------


def _pass_for(schema: str) -> int:
    from django.db import close_old_connections

    from organizers.services.messages.relay import outbox_relay_pass
    from tenants.context import tenant_scope
    from tenants.models import Tenant

    close_old_connections()  # a connection broken by a database restart is not used again
    tenant = Tenant.objects.organizers().filter(schema_name=schema).first()
    if tenant is None:
        raise LookupError(schema)
    with tenant_scope(tenant):
        return outbox_relay_pass()


def _organisers() -> list[str]:
    from tenants.selectors import tenant_list_organizers

    return [tenant.schema_name for tenant in tenant_list_organizers()]


def relay_listen() -> Any:
    """A connection of its own (autocommit) with Django's parameters, LISTENing."""
    import psycopg
    from django.db import connection

    from organizers.services.messages.relay import CHANNEL

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    conn = psycopg.connect(**params, autocommit=True)
    conn.execute(f"LISTEN {CHANNEL}")
    return conn


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    relay = OutboxRelay(pass_for=_pass_for, organisers=_organisers, listen=relay_listen)

    def stop(*_: object) -> None:
        relay.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    logger.info("outbox relay: listening")
    relay.run()
    logger.info("outbox relay: stopped after handing over %d messages", relay.handed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
