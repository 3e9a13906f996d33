"""The reliability command (`./sentra reliability`): the faults of issue #11 against a running
platform with bookings streaming, and what people would have seen.

It runs everything it breaks itself: a PostgreSQL cluster in a temporary folder
(benchmarks/private_postgres.py), a Redis server (the broker and the cache) when `redis-server`
is installed, and a mail server (MailSink, below) that counts every e-voucher received per
address. The platform is started as `./sentra run` starts it (config.launcher.platform_processes
under config.supervisor.Supervisor: the web server with two workers, the Celery worker, beat,
and whatever else the platform runs), on an approved organiser with a public programme
(benchmarks/platform_data.py).

While bookings stream through the API (each with its own e-mail address, as the booking pages
send them) and a page is asked now and then, the scenarios run one after another:

- web worker killed (SIGKILL to one of config.serve's workers);
- Celery pool children killed (SIGKILL, three times);
- PostgreSQL stopped and started again;
- PostgreSQL frozen (SIGSTOP for FREEZE_SECONDS, then SIGCONT; config/request_deadline.py);
- broker stopped for BROKER_SECONDS and started again.

Then it waits for delivery to settle (at most SETTLE_SECONDS after the last fault) and checks,
from the outside: answers by status (a 500 is a failure; 503 `try_again` is the outage answer),
seats over capacity and counters unequal to their bookings (the rush oracle), a booking
answered 201 that is no row, a booking with an address but no e-voucher message (half-written),
e-vouchers received per booking (none: lost; two or more: duplicated) and the slowest delivery
counted from the end of its scenario's fault. It prints a table and exits 1 when a target is
missed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.platform_data import platform_data_made

ROOT = Path(__file__).resolve().parent.parent
DEADLINE_SECONDS = 15  # the platform's request deadline (SENTRA_REQUEST_DEADLINE_SECONDS)
FREEZE_SECONDS = 20.0
BROKER_SECONDS = 20.0
DATABASE_DOWN_SECONDS = 8.0
DELIVERY_TARGET_SECONDS = 120.0  # every e-voucher within two minutes of its fault's end
SETTLE_SECONDS = 150.0  # how long after the last fault delivery may still settle
SCENARIO_SETTLE = DELIVERY_TARGET_SECONDS + 5  # a scenario's own settling, before the next
BOOKINGS_PER_SECOND = 6.0
CLIENT_TIMEOUT = 45.0  # a request without an answer by then counts as hanging
ADDRESS = "reliability.test"


def say(message: str) -> None:
    print(f"reliability: {time.strftime('%H:%M:%S')} {message}", flush=True)


# --- The mail server -------------------------------------------------------------------------


class MailSink:
    """A mail server that accepts everything and remembers who got what and when (SMTP as
    Django's backend speaks it: EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), on an event loop in a
    thread of its own."""

    def __init__(self) -> None:
        self.received: list[tuple[float, tuple[str, ...]]] = []  # (time.time(), recipients)
        self.lock = threading.Lock()
        self.port = 0
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._serve, name="mail-sink", daemon=True)

    def start(self) -> MailSink:
        self.thread.start()
        self.ready.wait(10)
        return self

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)

    def per_address(self) -> dict[str, list[float]]:
        seen: dict[str, list[float]] = {}
        with self.lock:
            for at, recipients in self.received:
                for address in recipients:
                    seen.setdefault(address.lower(), []).append(at)
        return seen

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._session, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        recipients: list[str] = []
        try:
            writer.write(b"220 reliability sink\r\n")
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb == b"EHLO":
                    writer.write(b"250-reliability sink\r\n250 8BITMIME\r\n")
                elif verb == b"RCPT":
                    match = re.search(rb"<([^>]*)>", line)
                    recipients.append(match.group(1).decode() if match else "")
                    writer.write(b"250 ok\r\n")
                elif verb == b"DATA":
                    writer.write(b"354 go on\r\n")
                    await writer.drain()
                    while (await reader.readline()) not in (b".\r\n", b".\n", b""):
                        pass
                    with self.lock:
                        self.received.append((time.time(), tuple(recipients)))
                    recipients = []
                    writer.write(b"250 kept\r\n")
                elif verb == b"RSET":
                    recipients = []
                    writer.write(b"250 ok\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 bye\r\n")
                    break
                else:  # HELO, MAIL, NOOP
                    writer.write(b"250 ok\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()


# --- The broker ------------------------------------------------------------------------------


class PrivateRedis:
    """redis-server on a free port, appending every write to its file (a restart keeps the
    queued tasks, as a managed Redis that fails over does)."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.process: subprocess.Popen | None = None
        self.binary = shutil.which("redis-server")

    def url(self, database: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                str(self.binary),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while not _redis_answers(self.port):
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def _redis_answers(port: int) -> bool:
    import socket

    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


# --- Bookings streaming ----------------------------------------------------------------------


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
        from benchmarks.loadgen import Connection

        people = itertools.count(1)
        pause = self.connections / BOOKINGS_PER_SECOND

        async def booker(conn: Connection) -> None:
            await asyncio.sleep(random.random() * pause)
            while not self.stopping:
                started = time.monotonic()
                serial = next(people)
                email = f"p{serial}@{ADDRESS}"
                body = booking_body(self.made, serial, email)
                await self._ask(conn, "booking", "POST", "/api/v1/bookings", body, email)
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
        self, conn: Any, kind: str, method: str, path: str, body: bytes, email: str
    ) -> None:
        phase, sent, started = self.phase, time.time(), time.monotonic()
        payload = b""
        try:
            status, payload = await asyncio.wait_for(
                conn.request(method, path, body), CLIENT_TIMEOUT
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


# --- The oracle and the table ----------------------------------------------------------------


@dataclass
class Fault:
    name: str
    started: float = 0.0  # time.time()
    ended: float = 0.0
    note: str = ""


@dataclass
class Booking:
    """A booking as the database has it after the run."""

    email: str
    created: float  # time.time()
    has_message: bool
    sent_at: float | None  # the outbox's record of the send (time.time())
    message: str = ""  # the e-voucher message's status and attempts, as the outbox has them


@dataclass
class Row:
    scenario: str
    requests: int
    statuses: dict[str, int]
    overbooked: int
    half_written: int
    delivered: int
    lost: int
    duplicated: int
    slowest: float | None  # seconds after the fault's end (or the booking, if later)
    note: str = ""
    lost_detail: list[str] = field(default_factory=list)
    slowest_answer: float = 0.0  # seconds, of the requests answered

    def missed(self) -> list[str]:
        """The targets this row misses."""
        missed = []
        if self.statuses.get("500", 0) or self.statuses.get("page 500", 0):
            missed.append("a 500")
        if self.statuses.get("hang", 0) or self.statuses.get("page hang", 0):
            missed.append("a request without an answer")
        if self.overbooked:
            missed.append("overbooked")
        if self.half_written:
            missed.append("half-written rows")
        if self.lost:
            missed.append("lost e-vouchers")
        if self.duplicated:
            missed.append("duplicated e-vouchers")
        if self.slowest is not None and self.slowest > DELIVERY_TARGET_SECONDS:
            missed.append("an e-voucher later than 2 minutes")
        return missed


def status_label(answer: Answer) -> str:
    """What the client saw: the status (503 `try_again` apart from other 503s), "cut" for a
    connection lost without an answer, "hang" for none within CLIENT_TIMEOUT; a page's
    prefixed with "page"."""
    if answer.status == -1:
        label = "hang"
    elif answer.status == 0:
        label = "cut"
    elif answer.status == 503 and answer.code == "try_again":
        label = "503 try_again"
    else:
        label = str(answer.status)
    return f"page {label}" if answer.kind == "page" else label


def scenario_row(
    fault: Fault,
    answers: list[Answer],
    bookings: dict[str, Booking],
    mail: dict[str, list[float]],
    *,
    overbooked: int,
    drifted: int,
) -> Row:
    """One scenario's figures: its answers, and its bookings (those whose request was sent
    during it) against what the mail server received. A booking counts from the later of its
    own creation and its fault's end; `overbooked` and `drifted` (counters unequal to their
    bookings) are the database's, checked after the scenario."""
    mine = [a for a in answers if a.phase in (fault.name, f"settling after {fault.name}")]
    statuses: dict[str, int] = {}
    for answer in mine:
        label = status_label(answer)
        statuses[label] = statuses.get(label, 0) + 1
    emails = {a.email for a in mine if a.kind == "booking"}
    booked = [b for email, b in bookings.items() if email in emails]
    no_row = sum(1 for a in mine if a.status == 201 and a.email not in bookings)
    half_written = drifted + no_row + sum(1 for b in booked if not b.has_message)
    delivered = lost = duplicated = 0
    slowest: float | None = None
    row_detail: list[str] = []
    for booking in booked:
        received = mail.get(booking.email, [])
        if not received:
            lost += 1
            at = booking.created - fault.started
            outbox = booking.message or "no message"
            row_detail.append(f"{booking.email} booked at {at:+.1f} s of the fault: {outbox}")
            continue
        delivered += 1
        duplicated += len(received) > 1
        since = max(booking.created, fault.ended or booking.created)
        late = max(0.0, min(received) - since)
        slowest = late if slowest is None else max(slowest, late)
    return Row(
        scenario=fault.name,
        requests=len(mine),
        statuses=statuses,
        overbooked=overbooked,
        half_written=half_written,
        delivered=delivered,
        lost=lost,
        duplicated=duplicated,
        slowest=slowest,
        note=fault.note,
        lost_detail=row_detail,
        slowest_answer=max((a.seconds for a in mine if a.status > 0), default=0.0),
    )


def table(rows: list[Row]) -> str:
    """The printed table: one line per scenario, then the targets each missed."""
    head = (
        "scenario",
        "requests",
        "slowest answer",
        "answers by status",
        "overbooked",
        "half-written",
        "e-vouchers delivered",
        "lost",
        "duplicated",
        "slowest delivery",
    )
    lines = [head]
    for row in rows:
        statuses = ", ".join(f"{name}: {count}" for name, count in sorted(row.statuses.items()))
        lines.append(
            (
                row.scenario,
                str(row.requests),
                f"{row.slowest_answer:.1f} s",
                statuses,
                str(row.overbooked),
                str(row.half_written),
                str(row.delivered),
                str(row.lost),
                str(row.duplicated),
                "-" if row.slowest is None else f"{row.slowest:.1f} s",
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        for line in lines
    ]
    out.insert(1, "  ".join("-" * width for width in widths))
    for row in rows:
        if row.note:
            out.append(f"{row.scenario}: {row.note}")
        if missed := row.missed():
            out.append(f"MISSED in {row.scenario}: {', '.join(missed)}")
        out.extend(f"  lost: {line}" for line in row.lost_detail[:10])
    return "\n".join(out)


# --- Reading the database --------------------------------------------------------------------


def database_facts(url: str, schema: str) -> tuple[int, int, dict[str, Booking], dict[str, int]]:
    """(slots over capacity, counters unequal to their active bookings, the bookings by their
    e-mail address with their e-voucher message, the outbox's messages by status), read in SQL
    as the rush oracle reads them."""
    import psycopg
    from psycopg import sql

    # Tables named with their schema: only tenants.context switches a search_path.
    slot, booking, message = (
        sql.Identifier(schema, table)
        for table in ("organizers_slot", "organizers_booking", "organizers_message")
    )
    with psycopg.connect(url, connect_timeout=10) as conn:
        counts = conn.execute(
            sql.SQL(
                """SELECT count(*) FILTER (WHERE s.booked > s.capacity),
                          count(*) FILTER (WHERE s.booked <>
                            (SELECT count(*) FROM {booking} b
                              WHERE b.slot_id = s.id AND b.status = 'active'))
                     FROM {slot} s"""
            ).format(booking=booking, slot=slot)
        ).fetchone()
        overbooked, drifted = counts or (0, 0)
        outbox: dict[str, int] = dict(
            conn.execute(
                sql.SQL("SELECT status, count(*) FROM {message} GROUP BY status").format(
                    message=message
                )
            )
        )
        rows = conn.execute(
            sql.SQL(
                """SELECT b.email, extract(epoch FROM b.created_at),
                          count(m.id) > 0, extract(epoch FROM min(m.sent_at)),
                          string_agg(m.status || ' after ' || m.attempts || ' attempts', ', ')
                     FROM {booking} b
                     LEFT JOIN {message} m ON m.booking_id = b.id
                    WHERE b.email <> ''
                    GROUP BY b.id"""
            ).format(booking=booking, message=message)
        ).fetchall()
    bookings = {
        email.lower(): Booking(
            email.lower(),
            float(created),
            bool(has),
            None if sent is None else float(sent),
            message or "",
        )
        for email, created, has, sent, message in rows
    }
    return overbooked, drifted, bookings, outbox


# --- The run ---------------------------------------------------------------------------------


class Platform:
    """PostgreSQL, the broker, the mail server and the platform's processes, all our own."""

    def __init__(self, folder: Path) -> None:
        from benchmarks.private_postgres import PrivatePostgres, free_port

        self.folder = folder
        # Read by config.env (the beat schedule) and config.worker_liveness (whether the worker
        # is alive) in this process too: set before they are imported.
        os.environ["SENTRA_VAR_DIR"] = str(folder / "var")
        (folder / "var").mkdir(parents=True)
        self.postgres = PrivatePostgres(root=folder / "postgres")
        self.postgres.root.mkdir(parents=True)
        self.redis = PrivateRedis(folder / "redis", free_port())
        self.mail = MailSink()
        self.port = free_port()
        self.supervisor: Any = None
        self.ticking = False
        self.url = ""
        self.made: dict[str, Any] = {}

    @property
    def host(self) -> str:
        return f"{self.made['slug']}.localhost:{self.port}"

    def start(self) -> None:
        say(f"PostgreSQL of our own on port {self.postgres.port} ({self.postgres.bin})")
        self.postgres.init()
        self.postgres.start()
        self.url = self.postgres.create_database("sentra")
        self.mail.start()
        say(f"mail server of our own on port {self.mail.port}")
        if self.redis.binary:
            say(f"Redis of our own on port {self.redis.port} (the broker and the cache)")
            self.redis.start()
        else:
            say("no redis-server: the filesystem broker, and no broker scenario")
        env = self.env()
        say("migrating, and an approved organiser with a public programme")
        self.made = platform_data_made(self.url, env=env, slots=100, seats=60)
        from config.launcher import platform_processes
        from config.supervisor import Supervisor

        self.supervisor = Supervisor(
            platform_processes(bind="127.0.0.1", port=str(self.port), log_level="WARNING"),
            env=env,
            cwd=ROOT,
            say=say,
        )
        self.supervisor.start()
        self.ticking = True
        threading.Thread(target=self._tick, name="supervisor", daemon=True).start()
        self._wait_until_serving()

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.reliability",
            "DATABASE_URL": self.url,
            "SENTRA_EMAIL_PORT": str(self.mail.port),
            "SENTRA_REQUEST_DEADLINE_SECONDS": str(DEADLINE_SECONDS),
            "SENTRA_PUBLIC_PORT": str(self.port),
            "SENTRA_WEB_LOG_LEVEL": "error",
        }
        if self.redis.binary:
            env["REDIS_URL"] = self.redis.url()
        else:
            env.pop("REDIS_URL", None)
        return env

    def _tick(self) -> None:
        while self.ticking:
            self.supervisor.tick()
            time.sleep(0.5)

    def _wait_until_serving(self) -> None:
        import urllib.request

        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/livez", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the platform did not start") from None
                time.sleep(0.3)
        # The worker is up once its pool has touched the liveness file.
        from config.worker_liveness import alive_age

        while alive_age() is None and time.monotonic() < deadline:
            time.sleep(0.3)

    def stop(self) -> None:
        self.ticking = False
        if self.supervisor is not None:
            self.supervisor.stop()
        self.mail.stop()
        self.redis.stop()
        self.postgres.destroy()

    def children(self, name: str) -> list[int]:
        import psutil

        pid = self.supervisor.pid(name)
        if pid is None:
            return []
        with contextlib.suppress(psutil.NoSuchProcess):
            return [child.pid for child in psutil.Process(pid).children()]
        return []


def _kill_web_worker(platform: Platform, fault: Fault) -> None:
    workers = platform.children("web")
    os.kill(random.choice(workers), signal.SIGKILL)
    fault.note = "one of 2 web workers SIGKILLed"


def _kill_pool_children(platform: Platform, fault: Fault) -> None:
    killed = 0
    for _time in range(3):
        children = platform.children("worker")
        if children:
            os.kill(random.choice(children), signal.SIGKILL)
            killed += 1
        time.sleep(4)
    fault.note = f"{killed} Celery pool children SIGKILLed, 4 s apart"


def _restart_postgres(platform: Platform, fault: Fault) -> None:
    platform.postgres.stop(mode="fast")
    time.sleep(DATABASE_DOWN_SECONDS)
    platform.postgres.start()
    fault.note = f"PostgreSQL stopped (fast) for {DATABASE_DOWN_SECONDS:.0f} s, started again"


def _freeze_postgres(platform: Platform, fault: Fault) -> None:
    platform.postgres.freeze()
    time.sleep(FREEZE_SECONDS)
    platform.postgres.thaw()
    fault.note = f"PostgreSQL SIGSTOPped for {FREEZE_SECONDS:.0f} s, then SIGCONT"


def _stop_broker(platform: Platform, fault: Fault) -> None:
    platform.redis.stop()
    time.sleep(BROKER_SECONDS)
    platform.redis.start()
    fault.note = f"Redis stopped for {BROKER_SECONDS:.0f} s, started again (append-only file)"


def _settle(platform: Platform, stream: Stream, phases: set[str] | None, *, until: float) -> int:
    """Wait until every booking made in `phases` (all, for None) has its e-voucher at the mail
    server, or until `until` (time.time()); how many are still missing."""
    while True:
        emails = {
            a.email
            for a in list(stream.answers)
            if a.kind == "booking" and (phases is None or a.phase in phases)
        }
        _overbooked, _drifted, bookings, _outbox = database_facts(
            platform.url, platform.made["schema"]
        )
        mail = platform.mail.per_address()
        waiting = sum(1 for email in bookings if email in emails and email not in mail)
        if not waiting or time.time() > until:
            return waiting
        time.sleep(2)


SCENARIOS: dict[str, Callable[[Platform, Fault], None]] = {
    "web worker killed": _kill_web_worker,
    "pool children killed": _kill_pool_children,
    "PostgreSQL restarted": _restart_postgres,
    "PostgreSQL frozen": _freeze_postgres,
    "broker stopped": _stop_broker,
}


def run(names: list[str], *, before: float, after: float) -> int:
    folder = Path(tempfile.mkdtemp(prefix="sentra-reliability-"))
    platform = Platform(folder)
    faults: list[Fault] = []
    rows: list[Row] = []
    try:
        platform.start()
        stream = Stream(platform.port, platform.host, platform.made)
        streaming = stream.start()
        time.sleep(before)
        for name in names:
            if name == "broker stopped" and not platform.redis.binary:
                say("broker stopped: skipped (no redis-server; the filesystem broker)")
                continue
            fault = Fault(name)
            stream.phase = name
            say(f"{name}: streaming bookings")
            time.sleep(before)
            fault.started = time.time()
            SCENARIOS[name](platform, fault)
            fault.ended = time.time()
            say(f"{name}: the fault ended ({fault.note}); streaming on for {after:.0f} s")
            time.sleep(after)
            faults.append(fault)
            if name == names[-1]:
                stream.stopping = True  # the last: nothing more to settle for but its own
            stream.phase = f"settling after {name}"
            # Before the next fault: this one's e-vouchers delivered, or their target passed
            # (a later fault must not delay an earlier one's deliveries).
            waiting = _settle(platform, stream, {name}, until=fault.ended + SCENARIO_SETTLE)
            say(f"{name}: {waiting} e-vouchers not received yet")
        stream.phase = "after"
        stream.stopping = True
        streaming.join(CLIENT_TIMEOUT + 5)
        last_end = max(faults[-1].ended if faults else 0.0, time.time() - SCENARIO_SETTLE)
        say(f"waiting for delivery to settle (at most {SETTLE_SECONDS:.0f} s after the last fault)")
        waiting = _settle(platform, stream, None, until=last_end + SETTLE_SECONDS)
        say(f"delivery settled: {waiting} e-vouchers not received")
        time.sleep(3)  # a duplicate would come soon after the first
        overbooked, drifted, bookings, outbox = database_facts(
            platform.url, platform.made["schema"]
        )
        mail = platform.mail.per_address()
        for fault in faults:
            rows.append(
                scenario_row(
                    fault, stream.answers, bookings, mail, overbooked=overbooked, drifted=drifted
                )
            )
        restarts = {name: platform.supervisor.restarts(name) for name in ("web", "worker", "beat")}
    finally:
        platform.stop()
        shutil.rmtree(folder, ignore_errors=True)
    print()
    say("done")
    print(table(rows))
    print(
        f"\n{len(bookings)} bookings with an e-mail address, {sum(len(v) for v in mail.values())}"
        f" e-mails received; outbox {outbox}; supervisor restarts: {restarts}; request deadline "
        f"{DEADLINE_SECONDS} s; {BOOKINGS_PER_SECOND:.0f} bookings/s on 8 connections"
    )
    missed = [m for row in rows for m in row.missed()]
    print("targets: " + ("all met" if not missed else f"{len(missed)} missed (see above)"))
    return 1 if missed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="./sentra reliability",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--scenario",
        action="append",
        choices=sorted(SCENARIOS),
        help="only these scenarios (repeatable); all by default",
    )
    parser.add_argument("--before", type=float, default=3.0, help="seconds before each fault")
    parser.add_argument("--after", type=float, default=8.0, help="seconds after each fault")
    args = parser.parse_args(argv)
    return run(args.scenario or list(SCENARIOS), before=args.before, after=args.after)


if __name__ == "__main__":
    sys.exit(main())
