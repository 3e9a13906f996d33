"""The load generator of the rush benchmark: a separate process, asyncio on uvloop, raw HTTP/1.1
with keep-alive connections (no client library in the way), all opened before the clock starts.
Prints one JSON line of results.

Modes:
  rush       N distinct people; each tries random slots until booked or every slot is full
             (they learn at once of every slot anyone found full).
  sellout    N distinct people, each choosing at random among the slots their own last look at
             the day showed open: refused (slot full), they look again (GET the day's slots)
             and choose again, until booked or their look shows nothing open. The end of the
             drop is a flood of refusals, as at a real sell-out.
  sustained  distinct people book random slots for D seconds.
  get        GET one of the given paths for D seconds.
  drop       a drop far past capacity: many connections (2,000 in ./sentra bench) at once, each
             a person after another booking a random slot for D seconds; a person told 429
             waits Retry-After (and up to half a second more, as phones do not all wake at
             once) and tries again.

With --email every booking gives an e-mail address (as the booking pages require), so every
booking records an e-voucher for the outbox. Each person books from an address of their own
(X-Forwarded-For, which the server trusts from 127.0.0.1, as from a load balancer): the
per-client limit counts people, not this process.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import os
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass, field

import uvloop

from organizers.nik import nik_compose

VOUCHER = re.compile(rb'"voucher_code":\s*"([0-9A-Z]{4}-[0-9A-Z]{4})"')
ERROR_CODE = re.compile(rb'"code":\s*"([a-z_]+)"')


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    started: list[float] = field(default_factory=list)  # seconds since the run began
    statuses: dict[int, int] = field(default_factory=dict)
    refusals: dict[str, int] = field(default_factory=dict)
    vouchers: list[str] = field(default_factory=list)
    admitted: list[float] = field(default_factory=list)  # drop: latencies of what was not 429
    first: float = 0.0
    last: float = 0.0
    last_created: float = 0.0  # when the last 201 arrived


class Connection:
    def __init__(self, host: str, port: int, host_header: str) -> None:
        self.host, self.port, self.host_header = host, port, host_header
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.retry_after = 0.0  # the last answer's Retry-After, in seconds

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def _streams(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.reader is None or self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self.reader, self.writer

    async def request(
        self, method: str, path: str, body: bytes = b"", client: str | None = None
    ) -> tuple[int, bytes]:
        forwarded = f"X-Forwarded-For: {client}\r\n" if client else ""
        for attempt in range(2):
            reader, writer = await self._streams()
            head = (
                f"{method} {path} HTTP/1.1\r\nHost: {self.host_header}\r\n{forwarded}"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
            try:
                writer.write(head + body)
                raw = await reader.readuntil(b"\r\n\r\n")
            except (ConnectionError, asyncio.IncompleteReadError):
                self.writer = None
                if attempt:
                    raise
                continue
            lines = raw.split(b"\r\n")
            status = int(lines[0].split()[1])
            length, close, chunked = 0, False, False
            self.retry_after = 0.0
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
                elif name == b"transfer-encoding" and b"chunked" in value.lower():
                    chunked = True
                elif name == b"retry-after":
                    self.retry_after = float(value)
            if chunked:
                payload = await self._read_chunked(reader)
            else:
                payload = await reader.readexactly(length) if length else b""
            if close:
                writer.close()
                self.writer = None
            return status, payload
        raise ConnectionError("unreachable")

    async def _read_chunked(self, reader: asyncio.StreamReader) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip(), 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)


BUDI_BORN = dt.date(1960, 5, 17)


def _nik(number: int) -> str:
    """A NIK that passes the NIK rules for Budi (a man born 17-05-60), distinct for every
    number below 99,990,000: Jawa Barat (32), a 4-digit area and a serial from 0001."""
    area, serial = divmod(number, 9999)
    return nik_compose(BUDI_BORN, sex="M", region=f"32{area % 10_000:04d}", serial=serial + 1)


def _client(number: int) -> str:
    """The address person `number` books from (10.0.0.0/8: one each for 16 million people)."""
    return f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"


def _booking_body(programme_id: int, slot_id: int, nik: int, *, email: bool = False) -> bytes:
    return json.dumps(
        {
            "programme_id": programme_id,
            "slot_id": slot_id,
            "dose": 1,
            "nik": _nik(nik),
            "date_of_birth": "1960-05-17",
            "full_name": "Budi Santoso",
            "phone": "+6281200000000",
            "email": f"budi{nik}@example.id" if email else "",
        },
        separators=(",", ":"),
    ).encode()


async def _timed(
    conn: Connection,
    tally: Tally,
    method: str,
    path: str,
    body: bytes = b"",
    client: str | None = None,
) -> tuple[int, bytes]:
    started = time.perf_counter()
    status, payload = await conn.request(method, path, body, client)
    tally.latencies.append(time.perf_counter() - started)
    tally.started.append(started - tally.first)
    tally.statuses[status] = tally.statuses.get(status, 0) + 1
    if status == 201:
        tally.last_created = time.perf_counter()
        match = VOUCHER.search(payload)
        if match:
            tally.vouchers.append(match.group(1).decode())
    elif 400 <= status < 500:
        match = ERROR_CODE.search(payload)
        code = match.group(1).decode() if match else str(status)
        tally.refusals[code] = tally.refusals.get(code, 0) + 1
    return status, payload


async def run(args: argparse.Namespace) -> Tally:
    tally = Tally()
    spec = json.loads(args.spec)
    people = itertools.count(args.first_nik)
    full: set[int] = set()
    remaining_people = [args.people]
    slot_ids: list[int] = spec.get("slot_ids", [])

    async def worker(conn: Connection) -> None:
        while True:
            if args.mode == "get":
                if time.perf_counter() > deadline:
                    return
                await _timed(conn, tally, "GET", random.choice(spec["paths"]))
                continue
            if args.mode == "sustained":
                if time.perf_counter() > deadline:
                    return
                nik = next(people)
                body = _booking_body(
                    spec["programme_id"], random.choice(slot_ids), nik, email=args.email
                )
                status, _payload = await _timed(
                    conn, tally, "POST", "/api/v1/bookings", body, _client(nik)
                )
                if status == 429:  # told to wait (config/admission.py): as a client would
                    await asyncio.sleep(conn.retry_after)
                continue
            if args.mode == "sellout":
                if remaining_people[0] <= 0:
                    return
                remaining_people[0] -= 1
                await _sellout_person(conn, next(people))
                continue
            if args.mode == "drop":
                return await _drop_person_after_person(
                    conn, tally, spec, people, deadline, email=args.email
                )
            # rush: one person at a time, trying slots until booked
            if remaining_people[0] <= 0 or len(full) >= len(slot_ids):
                return
            remaining_people[0] -= 1
            nik = next(people)
            while len(full) < len(slot_ids):
                choices = [s for s in slot_ids if s not in full] or slot_ids
                slot_id = random.choice(choices)
                status, payload = await _timed(
                    conn,
                    tally,
                    "POST",
                    "/api/v1/bookings",
                    _booking_body(spec["programme_id"], slot_id, nik, email=args.email),
                    _client(nik),
                )
                if status == 201:
                    break
                if status == 409 and b"slot_full" in payload:
                    full.add(slot_id)
                    continue
                if status == 429:  # told to wait: the same person tries again after it
                    await asyncio.sleep(conn.retry_after)
                    continue
                break

    async def _sellout_person(conn: Connection, nik: int) -> None:
        seen_open = slot_ids  # the day's times as the page showed them before the drop
        while seen_open:
            status, payload = await _timed(
                conn,
                tally,
                "POST",
                "/api/v1/bookings",
                _booking_body(
                    spec["programme_id"], random.choice(seen_open), nik, email=args.email
                ),
                _client(nik),
            )
            if status == 429:  # told to wait: the same person tries again after it
                await asyncio.sleep(conn.retry_after)
                continue
            if not (status == 409 and b"slot_full" in payload):
                return  # booked, or refused for a reason another time will not change
            status, payload = await _timed(
                conn, tally, "GET", spec["slots_path"], b"", _client(nik)
            )
            if status != 200:
                return
            seen_open = [slot["id"] for slot in json.loads(payload) if slot["remaining"] > 0]

    # Connected before the clock starts, as wrk does (and at a drop, people have the booking
    # page open: their browser holds a connection to the site already).
    connections = [Connection("127.0.0.1", args.port, args.host) for _ in range(args.connections)]
    await asyncio.gather(*(conn.connect() for conn in connections))
    tally.first = time.perf_counter()
    deadline = tally.first + args.duration  # read by the workers
    await asyncio.gather(*(worker(conn) for conn in connections))
    tally.last = time.perf_counter()
    return tally


async def _drop_person_after_person(
    conn: Connection,
    tally: Tally,
    spec: dict,
    people: itertools.count,
    deadline: float,
    *,
    email: bool = False,
) -> None:
    """The drop's people on one connection, one after another until the deadline: each books a
    random slot; told 429, they wait Retry-After (plus up to half a second) and try again."""
    slot_ids = spec["slot_ids"]
    while time.perf_counter() < deadline:
        nik = next(people)
        body = _booking_body(spec["programme_id"], random.choice(slot_ids), nik, email=email)
        while True:
            status, _payload = await _timed(
                conn, tally, "POST", "/api/v1/bookings", body, _client(nik)
            )
            if status != 429:
                tally.admitted.append(tally.latencies[-1])
                break
            wait = max(conn.retry_after, 0.1) + random.uniform(0, 0.5)
            if time.perf_counter() + wait > deadline:
                return
            await asyncio.sleep(wait)


def _drop_figures(tally: Tally, elapsed: float) -> dict[str, float]:
    """What the drop prints besides the usual: the answers that were not 429 (admitted)."""
    return {
        "admitted": len(tally.admitted),
        "admitted_per_s": len(tally.admitted) / elapsed if elapsed else 0,
        "p50_admitted_ms": 1000 * (statistics.median(tally.admitted) if tally.admitted else 0),
        "p99_admitted_ms": 1000 * _percentile(tally.admitted, 0.99),
        "busy": tally.statuses.get(429, 0),
    }


def _raise_fd_limit() -> None:
    """As many open files as the system allows this process (2,000 connections for the drop)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


PRIORITY = -10


def _raise_priority() -> str:
    """Run before the server's processes when they all want the CPU (nice -10; needs root or
    CAP_SYS_NICE). People at a drop read their answers on their own machines: time this one
    process spent waiting for a core is not the server's latency. On 2 cores, four alternating
    rush runs gave p99 38, 42, 37, 51 ms with it and 51, 46, 38, 63 ms without."""
    try:
        os.nice(PRIORITY)
    except OSError:
        return "normal (raising it needs root)"
    return f"raised (nice {PRIORITY})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--mode", choices=("rush", "sellout", "sustained", "get", "drop"), required=True
    )
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", required=True, help="Host header, e.g. rush.localhost:8123")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--first-nik", type=int, default=1)
    parser.add_argument("--spec", required=True, help="JSON: programme_id, slot_ids, paths")
    parser.add_argument("--vouchers-file")
    parser.add_argument("--email", action="store_true", help="bookings give an e-mail address")
    args = parser.parse_args()
    priority = _raise_priority()
    _raise_fd_limit()
    tally = uvloop.run(run(args))  # the same loop as the server: less CPU taken from it
    elapsed = tally.last - tally.first
    if args.vouchers_file:
        with open(args.vouchers_file, "w") as out:
            json.dump(tally.vouchers, out)
    print(
        json.dumps(
            {
                "elapsed": elapsed,
                "requests": len(tally.latencies),
                "requests_per_s": len(tally.latencies) / elapsed if elapsed else 0,
                "created": tally.statuses.get(201, 0),
                "vouchers_seen": len(tally.vouchers),
                "created_per_s": tally.statuses.get(201, 0) / elapsed if elapsed else 0,
                "last_created_after": tally.last_created - tally.first
                if tally.last_created
                else 0.0,
                "p50_ms": 1000 * (statistics.median(tally.latencies) if tally.latencies else 0),
                "p99_ms": 1000 * _percentile(tally.latencies, 0.99),
                # Without the requests sent in the first quarter second (the drop's first wave:
                # every connection at once, and each server process learns the programme).
                "p99_after_start_ms": 1000
                * _percentile(
                    [
                        lat
                        for lat, at in zip(tally.latencies, tally.started, strict=True)
                        if at >= 0.25
                    ],
                    0.99,
                ),
                "p99_first_quarter_second_ms": 1000
                * _percentile(
                    [
                        lat
                        for lat, at in zip(tally.latencies, tally.started, strict=True)
                        if at < 0.25
                    ],
                    0.99,
                ),
                "priority": priority,
                "statuses": tally.statuses,
                "refusals": tally.refusals,
                "server_errors": sum(n for s, n in tally.statuses.items() if s >= 500),
                **(_drop_figures(tally, elapsed) if args.mode == "drop" else {}),
            }
        )
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
