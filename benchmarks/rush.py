"""The rush benchmark (`./sentra bench`): opening hour on one small machine.

It creates a fresh database, provisions organiser tenants (B6), serves the platform with the
production server (python -m config.serve: uvicorn workers, a tenant on its own subdomain
host), loads it over HTTP from a separate process (benchmarks/loadgen.py) and prints a table.
After every booking run the oracle checks in SQL that no slot holds more bookings than seats,
that every slot's counter equals its bookings, and that every 201 the client saw is a row.
Anchors from the same run make the figures comparable across machines: raw PostgreSQL
guarded-update TPS (pgbench) and a Django view that touches no database (/livez).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dj_database_url

ROOT = Path(__file__).resolve().parent.parent
WORKERS = int(os.environ.get("SENTRA_BENCH_WORKERS", "2"))  # one per core: measured best
THREADS = int(os.environ.get("SENTRA_BENCH_THREADS", "4"))
SECONDS = float(os.environ.get("SENTRA_BENCH_SECONDS", "10"))
DROP_CONNECTIONS = int(os.environ.get("SENTRA_BENCH_DROP_CONNECTIONS", "2000"))
TARGETS = {
    "B1 rush": "≥1500/s, p99≤50ms",
    "B1 sustained": "≥1500/s, p99≤50ms",
    "B1 sellout": "≥80% of B1 rush",
    "B2 hot slot, 16 conn": "≥1000/s",
    "B2 hot slot, 256 conn": "≥80% of 16",
    "B3 day slots, uncached": "≥1400/s",
    "B3 day slots, 2 s cache": "≥3000/s",
}


DROP_TARGETS = {
    "booked": "≥90% of B1 rush",
    "admitted": "p99 < 200 ms",
    "5xx": "0",
}


def say(message: str) -> None:
    print(f"bench: {message}", flush=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _recreate_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    with psycopg.connect(
        dbname="postgres",
        user=config["USER"] or "postgres",
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        password=config["PASSWORD"] or None,
        autocommit=True,
    ) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (config["NAME"],),
        )
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(config["NAME"])))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))


class Server:
    """The production server (python -m config.serve: uvicorn workers with the rush lane in
    front of Django) with a bounded number of workers."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = _free_port()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "config.serve",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(WORKERS),
            ],
            cwd=ROOT,
            env={**env, "SENTRA_WEB_THREADS": str(THREADS)},
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/livez", timeout=2)
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.3)

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)


class Delivery:
    """The e-vouchers' way out, as `./sentra run` has it: the outbox relay and a Celery worker
    (2 processes) writing the mail to files. Both run at the lowest priority (nice 19, and their
    session's scheduling group too: lowest_priority_group): on this one machine they share the
    cores with the server and PostgreSQL, where production gives them their own; at the lowest
    priority they take what the drop leaves and catch up after."""

    def __init__(self, env: dict[str, str]) -> None:
        self.mail_dir = Path(tempfile.mkdtemp(prefix="sentra-bench-mail-"))
        env = {
            **env,
            "SENTRA_BENCH_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "SENTRA_BENCH_EMAIL_DIR": str(self.mail_dir),
        }
        celery = [sys.executable, "-m", "celery", "-A", "config", "worker"]
        commands = (
            [sys.executable, "-m", "config.outbox_relay"],
            [*celery, "--concurrency=2", "--loglevel=WARNING", "--without-mingle"],
        )
        self.processes = [
            subprocess.Popen(
                ["nice", "-n", "19", *command],
                cwd=ROOT,
                env=env,
                start_new_session=True,
                preexec_fn=lowest_priority_group,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for command in commands
        ]

    def stop(self) -> None:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        shutil.rmtree(self.mail_dir, ignore_errors=True)


def lowest_priority_group() -> None:
    """In the child, after it became a session of its own: give its scheduling group the
    lowest priority too. Linux groups the processes of each session (autogroup, on by default
    on desktops and here): between groups, CPU time is shared by group, whatever a process's
    own nice value says. Without this, `nice -n 19` in a session of its own was a peer of the
    server's session, and a relay and an idle worker took half of B1 rush's rate."""
    with contextlib.suppress(OSError):
        Path("/proc/self/autogroup").write_text("19")


def _deliveries(tenant: Any, *, wait: float = 180.0) -> dict[str, float]:
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


def _delivery_row(name: str, found: dict[str, float]) -> tuple[str, str, str, str]:
    shown = (
        f"{found['sent']:,} of {found['booked']:,} delivered, slowest {found['slowest']:.0f} s "
        f"after its booking" + (f", {found['pending']:,} still pending" if found["pending"] else "")
    )
    ok = found["sent"] == found["booked"] and found["slowest"] <= 120
    return (name, shown, "all, each ≤ 120 s", "ok" if ok else "MISSED")


def _load(
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


def _prepare(tenant: Any, *, slots: int, capacity: int, days: int = 1) -> dict[str, Any]:
    """A fresh venue and programme in the bench tenant with `slots` open slots a day."""
    from django.utils import timezone

    from organizers.models import Booking, Message, Programme, Slot, Venue, WaitlistEntry
    from tenants.context import tenant_scope

    with tenant_scope(tenant):
        Message.objects.all().delete()
        WaitlistEntry.objects.all().delete()
        Booking.objects.all().delete()
        Slot.objects.all().delete()
        Venue.objects.all().delete()
        Programme.objects.all().delete()
        programme = Programme.objects.create(name="Rush", kind="public", vaccine_brands=["sinovac"])
        venue = Venue.objects.create(
            name="GBK Hall A",
            address="Senayan",
            city="Jakarta Pusat",
            province="DKI Jakarta",
            status="approved",
            vaccine_brands=["sinovac"],
        )
        now = timezone.now()
        # From midnight the day after tomorrow at the venue, 4 minutes apart: 300 slots end at
        # 20:00, so one day's list (what people look at) holds them all.
        zone = ZoneInfo(venue.time_zone)
        first = dt.datetime.combine(
            timezone.localdate(now, zone) + dt.timedelta(days=2), dt.time(0), zone
        )
        rows = []
        for day in range(days):
            for index in range(slots):
                starts = first + dt.timedelta(days=day, minutes=4 * index)
                rows.append(
                    Slot(
                        venue=venue,
                        programme=programme,
                        starts_at=starts,
                        ends_at=starts + dt.timedelta(minutes=4),
                        capacity=capacity,
                        vaccine_brand="sinovac",
                        booking_opens_at=now - dt.timedelta(hours=1),
                        booking_closes_at=starts,
                    )
                )
        Slot.objects.bulk_create(rows)
        ids = list(Slot.objects.order_by("id").values_list("id", flat=True))
    return {
        "programme_id": programme.id,
        "venue_id": venue.id,
        "slot_ids": ids,
        "first_day": first.date().isoformat(),
    }


def _oracle(tenant: Any, vouchers_file: Path | None = None) -> str:
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


# --- D: a drop far past capacity (issue #11) ------------------------------------------------


def _raise_fd_limit() -> None:
    """The server's workers inherit this process's limit: each holds about half of the drop's
    2,000 connections, besides its files and database connections."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _drop(server: Server, tenant: Any, vouchers: Path) -> tuple[dict[str, Any], str]:
    """A drop far past capacity: DROP_CONNECTIONS connections opened at once (people with the
    booking page open), each booking person after person for SECONDS on 300 slots with seats
    for all; a person told 429 waits Retry-After and tries again. The server admits what it can
    answer in time (config/admission.py) and answers the others 429 at once."""
    say(f"D drop: {DROP_CONNECTIONS:,} connections at once, 300 slots")
    spec = _prepare(tenant, slots=300, capacity=1_000_000)
    _load(
        server,
        "get",
        {"paths": [f"/api/v1/venues/{spec['venue_id']}/slots?date={spec['first_day']}"]},
        duration=2,
    )
    result = _load(
        server,
        "drop",
        spec,
        connections=DROP_CONNECTIONS,
        first_nik=40_000_000,
        vouchers=vouchers,
    )
    return result, _oracle(tenant, vouchers)


def _drop_rows(
    drop: dict[str, Any], check: str, b1_rush_rate: float
) -> list[tuple[str, str, str, str]]:
    """The drop's rows of the table: what was booked against B1 rush in the same run, the
    admitted requests (not 429) and their tail, the 429s and the 5xx."""
    booked = drop["created_per_s"]
    return [
        (
            f"D drop, {DROP_CONNECTIONS:,} conn: booked",
            f"{booked:,.0f}/s = {100 * booked / b1_rush_rate:.0f}% of B1 rush in this run",
            DROP_TARGETS["booked"],
            check,
        ),
        (
            "D drop: admitted (not 429)",
            f"{drop['admitted_per_s']:,.0f}/s, p50 {drop['p50_admitted_ms']:.1f} ms, "
            f"p99 {drop['p99_admitted_ms']:.1f} ms",
            DROP_TARGETS["admitted"],
            "-",
        ),
        (
            "D drop: told to wait (429), 5xx",
            f"{drop['busy']:,} x 429, 5xx {drop['server_errors']}",
            DROP_TARGETS["5xx"] + " 5xx",
            "-",
        ),
    ]


def _pgbench_anchor(url: str) -> float | None:
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


def main() -> int:
    base_url = os.environ["DATABASE_URL"]
    config = dj_database_url.parse(base_url)
    # `<database>_bench` beside the configured database (sentra_bench by default): two
    # checkouts on one server, each with its own DATABASE_URL, never drop each other's.
    bench_name = f"{config['NAME']}_bench"
    bench_url = base_url.rsplit("/", 1)[0] + f"/{bench_name}"
    if "?" in base_url:
        bench_url = base_url.replace(f"/{config['NAME']}?", f"/{bench_name}?")
    _recreate_database(bench_url)
    _raise_fd_limit()
    os.environ["DATABASE_URL"] = bench_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    import django

    django.setup()
    from django.core.management import call_command

    from tenants.models import User
    from tenants.services.provisioning import tenant_provision
    from tenants.services.public_tenant import public_tenant_ensure, template_tenant_ensure

    say("migrating a fresh database")
    call_command("migrate_schemas", "--shared", verbosity=0)
    public_tenant_ensure()
    template_tenant_ensure()  # new organisers are cloned from it, as in production
    owner = User.objects.create_user("owner@rush.localhost", "bench-only-password")
    provision_seconds = []
    for index in range(10):
        provision_seconds.append(
            tenant_provision(name=f"B6 {index}", slug=f"b6-{index}", owner=owner).seconds
        )
    tenant = tenant_provision(
        name="Rush", slug="rush", owner=owner, review_status="approved"
    ).tenant
    rows: list[tuple[str, str, str, str]] = []
    provision_seconds.sort()
    rows.append(
        (
            "B6 provisioning (10 tenants)",
            f"p50 {statistics.median(provision_seconds):.3f} s, p95 {provision_seconds[-1]:.3f} s",
            "p95 ≤ 0.3 s",
            "-",
        )
    )

    env = {**os.environ, "SENTRA_SLOT_LIST_CACHE_SECONDS": "0"}
    say(f"server: python -m config.serve, {WORKERS} workers ({THREADS} threads each for Django)")
    server = Server(env)
    results: dict[str, dict[str, Any]] = {}
    checks: dict[str, str] = {}
    delivered: dict[str, dict[str, float]] = {}
    try:
        results["A: no-DB view (/livez)"] = _load(server, "get", {"paths": ["/livez"]})
        say("B1 rush: 300 slots x 10 seats, 2,000 people")
        spec = _prepare(tenant, slots=300, capacity=10)
        # Opening hour on a running platform: before the drop people have the booking page
        # open and load the day's arrival times (the server learns the organiser's host and
        # prepares its statements); then everyone books at once.
        say("B1 rush: 2 s before the drop, people load the day's arrival times")
        _load(
            server,
            "get",
            {"paths": [f"/api/v1/venues/{spec['venue_id']}/slots?date={spec['first_day']}"]},
            duration=2,
        )
        vouchers = Path(tempfile.mkstemp(suffix=".json")[1])
        # Every booking gives an e-mail address: the relay and a worker deliver the drop's
        # e-vouchers while it runs (at the lowest priority) and after.
        delivery = Delivery(env)
        try:
            results["B1 rush"] = _load(
                server, "rush", spec, people=2000, duration=600, vouchers=vouchers
            )
            checks["B1 rush"] = _oracle(tenant, vouchers)
            say("B1 rush: waiting for its e-vouchers")
            delivered["B1 rush"] = _deliveries(tenant)
        finally:
            delivery.stop()
        say("B1 sustained: unlimited capacity, with and without e-mail addresses")
        for name, email, nik in (
            ("B1 sustained", True, 10_000_000),
            ("B1 sustained, no e-mail", False, 50_000_000),
        ):
            spec = _prepare(tenant, slots=300, capacity=1_000_000)
            results[name] = _load(
                server, "sustained", spec, first_nik=nik, vouchers=vouchers, email=email
            )
            checks[name] = _oracle(tenant, vouchers)
        say("B2 hot slot")
        for connections, nik in ((16, 20_000_000), (256, 30_000_000)):
            spec = _prepare(tenant, slots=1, capacity=1_000_000)
            name = f"B2 hot slot, {connections} conn"
            results[name] = _load(
                server, "sustained", spec, connections=connections, first_nik=nik, vouchers=vouchers
            )
            checks[name] = _oracle(tenant, vouchers)
        drop, drop_check = _drop(server, tenant, vouchers)
        say("B3 slots of a day")
        spec = _prepare(tenant, slots=24, capacity=20, days=7)
        first_day = dt.date.fromisoformat(spec["first_day"])
        paths = [
            f"/api/v1/venues/{spec['venue_id']}/slots?date={first_day + dt.timedelta(d)}"
            for d in range(7)
        ]
        results["B3 day slots, uncached"] = _load(server, "get", {"paths": paths})
    finally:
        server.stop()
    server = Server({**os.environ, "SENTRA_SLOT_LIST_CACHE_SECONDS": "2"})
    try:
        results["B3 day slots, 2 s cache"] = _load(server, "get", {"paths": paths})
        say("B1 sellout: 300 slots x 10 seats, 3,600 people who see only what they looked at")
        spec = _prepare(tenant, slots=300, capacity=10)
        spec["slots_path"] = f"/api/v1/venues/{spec['venue_id']}/slots?date={spec['first_day']}"
        _load(server, "get", {"paths": [spec["slots_path"]]}, duration=2)
        delivery = Delivery(dict(os.environ))
        try:
            results["B1 sellout"] = _load(
                server, "sellout", spec, people=3600, duration=600, vouchers=vouchers
            )
            checks["B1 sellout"] = _oracle(tenant, vouchers)
            say("B1 sellout: waiting for its e-vouchers")
            delivered["B1 sellout"] = _deliveries(tenant)
        finally:
            delivery.stop()
    finally:
        server.stop()
    say("anchor: pgbench, guarded UPDATE, 16 clients")
    tps = _pgbench_anchor(bench_url)

    for name, result in results.items():
        rate = (
            result["created_per_s"] if name.startswith(("B1", "B2")) else result["requests_per_s"]
        )
        extra = ""
        if name == "B1 sellout":
            # Seats sold per second until the last one went; then the flood of refusals.
            rate = result["created"] / result["last_created_after"]
            extra = (
                f", sold {result['created']} in {result['last_created_after']:.2f} s, "
                f"{result['refusals'].get('slot_full', 0):,} refused as full"
            )
        if name == "B1 rush":
            extra = (
                f", sold {result['created']} in {result['elapsed']:.2f} s; p99 of what was"
                f" sent in the first 0.25 s {result['p99_first_quarter_second_ms']:.0f} ms,"
                f" after it {result['p99_after_start_ms']:.0f} ms"
            )
        rows.append(
            (
                name,
                f"{rate:,.0f}/s, p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
                f"5xx {result['server_errors']}{extra}",
                TARGETS.get(name, "anchor"),
                checks.get(name, "-"),
            )
        )
    if tps is not None:
        rows.append(("A: pgbench guarded UPDATE", f"{tps:,.0f} tps", "anchor", "-"))
    with_email = results["B1 sustained"]["created_per_s"]
    without = results["B1 sustained, no e-mail"]["created_per_s"]
    rows.append(("B1 e-mail vs none", f"{100 * with_email / without:.0f}%", "≥ 90%", "-"))
    sellout = results["B1 sellout"]
    b1 = results["B1 rush"]["created_per_s"]
    rows.append(
        (
            "B1 sellout vs B1 rush",
            f"{100 * sellout['created'] / sellout['last_created_after'] / b1:.0f}%",
            "≥ 80%",
            "-",
        )
    )
    for name, found in delivered.items():
        rows.append(_delivery_row(f"{name}: e-vouchers", found))
    rows += _drop_rows(drop, drop_check, results["B1 rush"]["created_per_s"])
    hot16 = results["B2 hot slot, 16 conn"]["created_per_s"]
    hot256 = results["B2 hot slot, 256 conn"]["created_per_s"]
    rows.append(("B2 256 vs 16 connections", f"{100 * hot256 / hot16:.0f}%", "≥ 80%", "-"))
    width = max(len(r[0]) for r in rows)
    print(f"\n{'scenario':<{width}}  result  |  target  |  oracle")
    for name, shown, target, check in rows:
        print(f"{name:<{width}}  {shown}  |  {target}  |  {check}")
    refusals = {n: r["refusals"] for n, r in results.items() if r["refusals"]}
    refusals["D drop"] = drop["refusals"]
    print(f"\nrefusals seen: {json.dumps(refusals)}")
    print(f"machine: {os.cpu_count()} cores; load generator and PostgreSQL on the same machine")
    priorities = {r.get("priority") for r in results.values()}
    print(f"load generator priority: {', '.join(sorted(p for p in priorities if p))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
