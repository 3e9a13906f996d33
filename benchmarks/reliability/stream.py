"""The bookings streaming through the API while the faults happen (each person with an e-mail
address and a client address of their own), and a page asked now and then: every answer kept."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

BOOKINGS_PER_SECOND = 6.0


CLIENT_TIMEOUT = 45.0  # a request without an answer by then counts as hanging


ADDRESS = "reliability.test"


@dataclass
class Answer:
    phase: str
    kind: str  # "booking" or "page"
    sent: float  # time.time()
    seconds: float
    status: int  # 0: the connection was lost; -1: no answer within CLIENT_TIMEOUT
    code: str = ""
    voucher: str = ""
    email: str = ""


@dataclass
class Stream:
    """Bookings through the API at BOOKINGS_PER_SECOND on a few keep-alive connections, and the
    booking home page every two seconds, in a thread of their own."""

    port: int
    host: str
    made: dict[str, Any]
    phase: str = "warm-up"
    answers: list[Answer] = field(default_factory=list)
    stopping: bool = False
    connections: int = 8

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        thread.start()
        return thread

    async def _run(self) -> None:
        from benchmarks.loadgen import Connection, _client

        people = itertools.count(1)
        pause = self.connections / BOOKINGS_PER_SECOND

        async def booker(conn: Connection) -> None:
            await asyncio.sleep(random.random() * pause)
            while not self.stopping:
                started = time.monotonic()
                serial = next(people)
                email = f"p{serial}@{ADDRESS}"
                body = booking_body(self.made, serial, email)
                await self._ask(
                    conn, "booking", "POST", "/api/v1/bookings", body, email, _client(serial)
                )
                await asyncio.sleep(max(0.0, pause - (time.monotonic() - started)))

        async def reader(conn: Connection) -> None:
            while not self.stopping:
                await self._ask(conn, "page", "GET", "/", b"", "")
                await asyncio.sleep(2)

        tasks = [
            booker(Connection("127.0.0.1", self.port, self.host)) for _ in range(self.connections)
        ]
        tasks.append(reader(Connection("127.0.0.1", self.port, self.host)))
        await asyncio.gather(*tasks)

    async def _ask(
        self,
        conn: Any,
        kind: str,
        method: str,
        path: str,
        body: bytes,
        email: str,
        client: str | None = None,
    ) -> None:
        """One request; `client`: the address the person books from (X-Forwarded-For, which
        the platform trusts from 127.0.0.1, as from a load balancer), so that the per-client
        limit counts people, not this one process."""
        phase, sent, started = self.phase, time.time(), time.monotonic()
        payload = b""
        try:
            status, payload = await asyncio.wait_for(
                conn.request(method, path, body, client), CLIENT_TIMEOUT
            )
        except TimeoutError:
            status = -1
            conn.writer = None
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            status = 0  # the connection was cut (a worker killed), refused or garbled
            conn.writer = None
        code = voucher = ""
        if kind == "booking" and status >= 400:
            match = re.search(rb'"code":\s*"([a-z_]+)"', payload)
            code = match.group(1).decode() if match else ""
        if status == 201:
            match = re.search(rb'"voucher_code":\s*"([0-9A-Z-]+)"', payload)
            voucher = match.group(1).decode() if match else ""
        self.answers.append(
            Answer(phase, kind, sent, time.monotonic() - started, status, code, voucher, email)
        )


def booking_body(made: dict[str, Any], serial: int, email: str) -> bytes:
    """A first dose for a person of their own (a NIK per serial), with an e-mail address."""
    from benchmarks.loadgen import _nik

    return json.dumps(
        {
            "programme_id": made["programme_id"],
            "slot_id": random.choice(made["slot_ids"]),
            "dose": 1,
            "nik": _nik(serial),
            "date_of_birth": "1960-05-17",
            "full_name": "Budi Santoso",
            "phone": "+6281200000000",
            "email": email,
            "sex": "M",
        },
        separators=(",", ":"),
    ).encode()
