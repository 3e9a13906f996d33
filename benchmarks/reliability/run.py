"""The order of a reliability run: the platform started, bookings streaming, each fault in turn
with its e-vouchers settled before the next, then the table; exit 1 when a target is missed."""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import benchmarks.reliability
from benchmarks.reliability.faults import SCENARIOS
from benchmarks.reliability.platform import DEADLINE_SECONDS, Platform, say
from benchmarks.reliability.report import (
    DELIVERY_TARGET_SECONDS,
    Fault,
    Row,
    database_facts,
    scenario_row,
    table,
)
from benchmarks.reliability.stream import BOOKINGS_PER_SECOND, CLIENT_TIMEOUT, Stream

SETTLE_SECONDS = 150.0  # how long after the last fault delivery may still settle


SCENARIO_SETTLE = DELIVERY_TARGET_SECONDS + 5  # a scenario's own settling, before the next


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
        description=benchmarks.reliability.__doc__,
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
