"""The scenarios' building blocks: a fresh venue and programme (prepare), a load run in the load
generator's own process (load), the oracle's checks in SQL after each booking run (oracle), the
e-vouchers' delivery (deliveries), the drop far past capacity (drop_run), the pgbench anchor, and
`Run`, what one bench run measured."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dj_database_url

from benchmarks.rush.processes import ROOT, Delivery, Server, say

SECONDS = float(os.environ.get("SENTRA_BENCH_SECONDS", "10"))


DROP_CONNECTIONS = int(os.environ.get("SENTRA_BENCH_DROP_CONNECTIONS", "2000"))


def deliveries(tenant: Any, *, wait: float = 180.0) -> dict[str, float]:
    """Wait (up to `wait` seconds) until no e-voucher of the run is pending, then: how many
    bookings gave an address, how many e-vouchers went out, and the slowest, in seconds from
    its booking to its hand-off to the mail server."""
    from django.db import connection

    from tenants.context import tenant_scope

    deadline = time.monotonic() + wait
    with tenant_scope(tenant), connection.cursor() as cursor:
        while True:
            cursor.execute(
                """SELECT count(*) FILTER (WHERE m.status = 'pending'),
                          count(*) FILTER (WHERE m.status = 'sent'),
                          coalesce(max(extract(epoch FROM m.sent_at - b.created_at)), 0),
                          (SELECT count(*) FROM organizers_booking WHERE email <> '')
                     FROM organizers_message m JOIN organizers_booking b ON b.id = m.booking_id"""
            )
            pending, sent, slowest, booked = cursor.fetchone()
            if not pending or time.monotonic() > deadline:
                return {"booked": booked, "sent": sent, "pending": pending, "slowest": slowest}
            time.sleep(1)


def load(
    server: Server,
    mode: str,
    spec: dict[str, Any],
    *,
    connections: int = 64,
    duration: float = SECONDS,
    people: int = 0,
    first_nik: int = 1,
    vouchers: Path | None = None,
    email: bool = True,
) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "benchmarks.loadgen",
        "--mode",
        mode,
        "--port",
        str(server.port),
        "--host",
        f"rush.localhost:{server.port}",
        "--connections",
        str(connections),
        "--duration",
        str(duration),
        "--people",
        str(people),
        "--first-nik",
        str(first_nik),
        "--spec",
        json.dumps(spec),
    ]
    if vouchers:
        command += ["--vouchers-file", str(vouchers)]
    if email:
        command.append("--email")
    out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode:
        raise RuntimeError(f"load generator failed: {out.stderr[-2000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["vouchers_seen"] != result["created"]:  # the oracle must not check an empty list
        raise SystemExit(
            f"{result['created']} bookings answered 201 but "
            f"{result['vouchers_seen']} voucher codes were read"
        )
    return result


def prepare(tenant: Any, *, slots: int, capacity: int, days: int = 1) -> dict[str, Any]:
    """A fresh venue and programme in the bench tenant with `slots` open slots a day, 4 minutes
    apart from midnight the day after tomorrow at the venue: 300 slots end at 20:00, so one
    day's list (what people look at) holds them all."""
    from django.utils import timezone

    from benchmarks.organiser_data import open_slots_make, public_programme_and_venue
    from organizers.models import Booking, Message, Programme, Slot, Venue, WaitlistEntry
    from tenants.context import tenant_scope

    with tenant_scope(tenant):
        for model in (Message, WaitlistEntry, Booking, Slot, Venue, Programme):
            model.objects.all().delete()
        programme, venue = public_programme_and_venue(
            programme="Rush",
            venue="GBK Hall A",
            address="Senayan",
            city="Jakarta Pusat",
            province="DKI Jakarta",
        )
        zone = ZoneInfo(venue.time_zone)
        first = dt.datetime.combine(
            timezone.localdate(timezone.now(), zone) + dt.timedelta(days=2), dt.time(0), zone
        )
        ids = open_slots_make(
            venue, programme, first=first, minutes=4, per_day=slots, capacity=capacity, days=days
        )
    return {
        "programme_id": programme.id,
        "venue_id": venue.id,
        "slot_ids": ids,
        "first_day": first.date().isoformat(),
    }


def oracle(tenant: Any, vouchers_file: Path | None = None) -> str:
    from django.db import connection

    from tenants.context import tenant_scope

    with tenant_scope(tenant), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM organizers_slot WHERE booked > capacity")
        overbooked = cursor.fetchone()[0]
        cursor.execute(
            """SELECT count(*) FROM organizers_slot s WHERE s.booked <>
               (SELECT count(*) FROM organizers_booking b
                 WHERE b.slot_id = s.id AND b.status = 'active')"""
        )
        drifted = cursor.fetchone()[0]
        missing = 0
        if vouchers_file is not None:
            seen = json.loads(vouchers_file.read_text())
            cursor.execute(
                "SELECT count(*) FROM organizers_booking WHERE voucher_code = ANY(%s)", [seen]
            )
            missing = len(set(seen)) - cursor.fetchone()[0]
    if overbooked or drifted or missing:
        raise SystemExit(
            f"ORACLE FAILED: {overbooked} overbooked slots, {drifted} counters "
            f"off, {missing} vouchers the client saw are not rows"
        )
    return "ok: 0 overbooked, counters = bookings, every 201 is a row"


def drop_run(server: Server, tenant: Any, vouchers: Path) -> tuple[dict[str, Any], str]:
    """A drop far past capacity: DROP_CONNECTIONS connections opened at once (people with the
    booking page open), each booking person after person for SECONDS on 300 slots with seats
    for all; a person told 429 waits Retry-After and tries again. The server admits what it can
    answer in time (config/admission.py) and answers the others 429 at once."""
    say(f"D drop: {DROP_CONNECTIONS:,} connections at once, 300 slots")
    spec = prepare(tenant, slots=300, capacity=1_000_000)
    load(
        server,
        "get",
        {"paths": [f"/api/v1/venues/{spec['venue_id']}/slots?date={spec['first_day']}"]},
        duration=2,
    )
    result = load(
        server,
        "drop",
        spec,
        connections=DROP_CONNECTIONS,
        first_nik=40_000_000,
        vouchers=vouchers,
    )
    return result, oracle(tenant, vouchers)


def pgbench_anchor(url: str) -> float | None:
    """Raw PostgreSQL: the same guarded UPDATE with no application in front."""
    import pgserver

    bundled = Path(pgserver.__file__).parent / "pginstall" / "bin"
    binary = shutil.which("pgbench") or str(bundled / "pgbench")
    config = dj_database_url.parse(url)
    env = {
        **os.environ,
        "PGHOST": config["HOST"] or "",
        "PGPORT": str(config["PORT"] or ""),
        "PGUSER": config["USER"] or "postgres",
        "PGDATABASE": config["NAME"],
    }
    if config["PASSWORD"]:
        env["PGPASSWORD"] = config["PASSWORD"]
    setup = (
        "DROP TABLE IF EXISTS bench_anchor; CREATE TABLE bench_anchor (id int PRIMARY KEY, "
        "capacity int NOT NULL, booked int NOT NULL DEFAULT 0 CHECK (booked <= capacity)); "
        "INSERT INTO bench_anchor SELECT g, 1000000000, 0 FROM generate_series(1, 300) g;"
    )
    psql = shutil.which("psql") or str(bundled / "psql")
    subprocess.run([str(psql), "-q", "-c", setup], env=env, check=True)
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(
            "\\set id random(1, 300)\nUPDATE bench_anchor SET booked = booked + 1 "
            "WHERE id = :id AND booked < capacity;\n"
        )
    result = subprocess.run(
        [binary, "-n", "-f", script.name, "-c", "16", "-j", "2", "-T", str(int(SECONDS))],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    os.unlink(script.name)
    for line in result.stdout.splitlines():
        if line.startswith("tps ="):
            return float(line.split()[2])
    say(f"pgbench gave no figure: {result.stderr.strip()[:200]}")
    return None


@dataclass
class Run:
    """What one bench run measured, scenario by scenario: the load generator's figures, the
    oracle's verdict after each booking run, and the e-vouchers delivered."""

    tenant: Any
    vouchers: Path
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    checks: dict[str, str] = field(default_factory=dict)
    delivered: dict[str, dict[str, float]] = field(default_factory=dict)

    def booked(
        self, name: str, server: Server, mode: str, spec: dict[str, Any], **options: Any
    ) -> None:
        """A booking scenario, then the oracle."""
        self.results[name] = load(server, mode, spec, vouchers=self.vouchers, **options)
        self.checks[name] = oracle(self.tenant, self.vouchers)

    def delivered_while(
        self,
        name: str,
        server: Server,
        env: dict[str, str],
        mode: str,
        spec: dict[str, Any],
        **options: Any,
    ) -> None:
        """A booking scenario with the e-vouchers' way out running (the relay and a worker at
        the lowest priority, as on one machine), then the wait for its e-vouchers."""
        delivery = Delivery(env)
        try:
            self.booked(name, server, mode, spec, **options)
            say(f"{name}: waiting for its e-vouchers")
            self.delivered[name] = deliveries(self.tenant)
        finally:
            delivery.stop()
