"""The bench's table: each scenario's row, the targets set against the same run's anchors, the
e-vouchers' and the drop's rows."""

from __future__ import annotations

import json
import os
from typing import Any

from benchmarks.rush.scenarios import DROP_CONNECTIONS, Run

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


def delivery_row(name: str, found: dict[str, float]) -> tuple[str, str, str, str]:
    shown = (
        f"{found['sent']:,} of {found['booked']:,} delivered, slowest {found['slowest']:.0f} s "
        f"after its booking" + (f", {found['pending']:,} still pending" if found["pending"] else "")
    )
    ok = found["sent"] == found["booked"] and found["slowest"] <= 120
    return (name, shown, "all, each ≤ 120 s", "ok" if ok else "MISSED")


def drop_rows(
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


def result_row(name: str, result: dict[str, Any], check: str) -> tuple[str, str, str, str]:
    rate = result["created_per_s"] if name.startswith(("B1", "B2")) else result["requests_per_s"]
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
    return (
        name,
        f"{rate:,.0f}/s, p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
        f"5xx {result['server_errors']}{extra}",
        TARGETS.get(name, "anchor"),
        check,
    )


def ratio_rows(run: Run, tps: float | None) -> list[tuple[str, str, str, str]]:
    """The anchors and the targets set against the same run's other scenarios."""
    results = run.results
    rows = []
    if tps is not None:
        rows.append(("A: pgbench guarded UPDATE", f"{tps:,.0f} tps", "anchor", "-"))
    with_email = results["B1 sustained"]["created_per_s"]
    without = results["B1 sustained, no e-mail"]["created_per_s"]
    rows.append(("B1 e-mail vs none", f"{100 * with_email / without:.0f}%", "≥ 90%", "-"))
    sellout = results["B1 sellout"]
    sellout_rate = sellout["created"] / sellout["last_created_after"]
    b1 = results["B1 rush"]["created_per_s"]
    rows.append(("B1 sellout vs B1 rush", f"{100 * sellout_rate / b1:.0f}%", "≥ 80%", "-"))
    for name, found in run.delivered.items():
        rows.append(delivery_row(f"{name}: e-vouchers", found))
    return rows


def print_table(rows: list[tuple[str, str, str, str]], run: Run, drop: dict[str, Any]) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"\n{'scenario':<{width}}  result  |  target  |  oracle")
    for name, shown, target, check in rows:
        print(f"{name:<{width}}  {shown}  |  {target}  |  {check}")
    refusals = {n: r["refusals"] for n, r in run.results.items() if r["refusals"]}
    refusals["D drop"] = drop["refusals"]
    print(f"\nrefusals seen: {json.dumps(refusals)}")
    print(f"machine: {os.cpu_count()} cores; load generator and PostgreSQL on the same machine")
    priorities = {r.get("priority") for r in run.results.values()}
    print(f"load generator priority: {', '.join(sorted(p for p in priorities if p))}")
