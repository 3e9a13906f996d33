"""The order of a bench run (`./sentra bench`, `python -m benchmarks.rush`): a fresh database,
B6 provisioning, then the scenarios on a server without the day's cache (A, B1, B2, D, B3) and
on one with it (B3 cached, the sell-out), the pgbench anchor last, and the table."""

from __future__ import annotations

import datetime as dt
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

import dj_database_url

from benchmarks.rush.processes import (
    THREADS,
    WORKERS,
    Server,
    raise_fd_limit,
    recreate_database,
    say,
)
from benchmarks.rush.scenarios import Run, drop_run, load, pgbench_anchor, prepare
from benchmarks.rush.table import drop_rows, print_table, ratio_rows, result_row


def _bench_database_url(base_url: str) -> str:
    """`<database>_bench` beside the configured database (sentra_bench by default): two
    checkouts on one server, each with its own DATABASE_URL, never drop each other's."""
    name = dj_database_url.parse(base_url)["NAME"]
    if "?" in base_url:
        return base_url.replace(f"/{name}?", f"/{name}_bench?")
    return base_url.rsplit("/", 1)[0] + f"/{name}_bench"


def _provisioned() -> tuple[Any, tuple[str, str, str, str]]:
    """A migrated database with the template organiser, ten organisers provisioned as sign-up
    does (B6, timed) and the approved organiser `rush` the scenarios book at."""
    from django.core.management import call_command

    from tenants.models import User
    from tenants.services.provisioning import tenant_provision
    from tenants.services.public_tenant import public_tenant_ensure, template_tenant_ensure

    say("migrating a fresh database")
    call_command("migrate_schemas", "--shared", verbosity=0)
    public_tenant_ensure()
    template_tenant_ensure()  # new organisers are cloned from it, as in production
    owner = User.objects.create_user("owner@rush.localhost", "bench-only-password")
    seconds = sorted(
        tenant_provision(name=f"B6 {index}", slug=f"b6-{index}", owner=owner).seconds
        for index in range(10)
    )
    tenant = tenant_provision(
        name="Rush", slug="rush", owner=owner, review_status="approved"
    ).tenant
    row = (
        "B6 provisioning (10 tenants)",
        f"p50 {statistics.median(seconds):.3f} s, p95 {seconds[-1]:.3f} s",
        "p95 ≤ 0.3 s",
        "-",
    )
    return tenant, row


def _day_path(spec: dict[str, Any], day: str | None = None) -> str:
    return f"/api/v1/venues/{spec['venue_id']}/slots?date={day or spec['first_day']}"


def _uncached(run: Run) -> tuple[dict[str, Any], str, list[str]]:
    """A, B1 rush, B1 sustained, B2, D and B3 uncached, on a server without the day's cache:
    the drop's figures, its oracle, and B3's paths."""
    env = {**os.environ, "SENTRA_SLOT_LIST_CACHE_SECONDS": "0"}
    say(f"server: python -m config.serve, {WORKERS} workers ({THREADS} threads each for Django)")
    server = Server(env)
    try:
        run.results["A: no-DB view (/livez)"] = load(server, "get", {"paths": ["/livez"]})
        say("B1 rush: 300 slots x 10 seats, 2,000 people")
        spec = prepare(run.tenant, slots=300, capacity=10)
        # Opening hour on a running platform: before the drop people have the booking page
        # open and load the day's arrival times (the server learns the organiser's host and
        # prepares its statements); then everyone books at once. Every booking gives an e-mail
        # address: the relay and a worker deliver the e-vouchers while it runs and after.
        say("B1 rush: 2 s before the drop, people load the day's arrival times")
        load(server, "get", {"paths": [_day_path(spec)]}, duration=2)
        run.delivered_while("B1 rush", server, env, "rush", spec, people=2000, duration=600)
        say("B1 sustained: unlimited capacity, with and without e-mail addresses")
        for name, email, nik in (
            ("B1 sustained", True, 10_000_000),
            ("B1 sustained, no e-mail", False, 50_000_000),
        ):
            spec = prepare(run.tenant, slots=300, capacity=1_000_000)
            run.booked(name, server, "sustained", spec, first_nik=nik, email=email)
        say("B2 hot slot")
        for connections, nik in ((16, 20_000_000), (256, 30_000_000)):
            spec = prepare(run.tenant, slots=1, capacity=1_000_000)
            run.booked(
                f"B2 hot slot, {connections} conn",
                server,
                "sustained",
                spec,
                connections=connections,
                first_nik=nik,
            )
        drop, drop_check = drop_run(server, run.tenant, run.vouchers)
        say("B3 slots of a day")
        spec = prepare(run.tenant, slots=24, capacity=20, days=7)
        first_day = dt.date.fromisoformat(spec["first_day"])
        paths = [_day_path(spec, str(first_day + dt.timedelta(d))) for d in range(7)]
        run.results["B3 day slots, uncached"] = load(server, "get", {"paths": paths})
    finally:
        server.stop()
    return drop, drop_check, paths


def _cached(run: Run, paths: list[str]) -> None:
    """B3 with the day's 2 s cache, and the sell-out (people who look again after a refusal
    see the day as the cache has it, as in production)."""
    env = {**os.environ, "SENTRA_SLOT_LIST_CACHE_SECONDS": "2"}
    server = Server(env)
    try:
        run.results["B3 day slots, 2 s cache"] = load(server, "get", {"paths": paths})
        say("B1 sellout: 300 slots x 10 seats, 3,600 people who see only what they looked at")
        spec = prepare(run.tenant, slots=300, capacity=10)
        spec["slots_path"] = _day_path(spec)
        load(server, "get", {"paths": [spec["slots_path"]]}, duration=2)
        run.delivered_while(
            "B1 sellout", server, dict(os.environ), "sellout", spec, people=3600, duration=600
        )
    finally:
        server.stop()


def main() -> int:
    bench_url = _bench_database_url(os.environ["DATABASE_URL"])
    recreate_database(bench_url)
    raise_fd_limit()
    os.environ["DATABASE_URL"] = bench_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    import django

    django.setup()
    tenant, provisioning = _provisioned()
    run = Run(tenant, Path(tempfile.mkstemp(suffix=".json")[1]))
    drop, drop_check, paths = _uncached(run)
    _cached(run, paths)
    say("anchor: pgbench, guarded UPDATE, 16 clients")
    tps = pgbench_anchor(bench_url)
    rows = [provisioning]
    rows += [result_row(n, r, run.checks.get(n, "-")) for n, r in run.results.items()]
    rows += ratio_rows(run, tps)
    rows += drop_rows(drop, drop_check, run.results["B1 rush"]["created_per_s"])
    hot16 = run.results["B2 hot slot, 16 conn"]["created_per_s"]
    hot256 = run.results["B2 hot slot, 256 conn"]["created_per_s"]
    rows.append(("B2 256 vs 16 connections", f"{100 * hot256 / hot16:.0f}%", "≥ 80%", "-"))
    print_table(rows, run, drop)
    return 0
