"""A fresh database made ready for a platform under test: every schema migrated, the root domain,
the template organiser, and one approved organiser `rel` with a public programme, a venue and
open slots. Run as `python -m benchmarks.platform_data` with DATABASE_URL (and
DJANGO_SETTINGS_MODULE) set; prints one JSON line: the organiser's schema, host prefix,
programme, venue and slot ids, and the first slots' day. Used by the reliability command
(benchmarks/reliability/) and the request-deadline test on a cluster of its own."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys


def platform_data(*, slots: int, seats: int) -> dict[str, object]:
    from django.core.management import call_command
    from django.utils import timezone

    from benchmarks.organiser_data import open_slots_make, public_programme_and_venue
    from tenants.context import tenant_scope
    from tenants.models import User
    from tenants.services.provisioning import tenant_provision
    from tenants.services.public_tenant import public_tenant_ensure, template_tenant_ensure

    call_command("migrate_schemas", "--shared", verbosity=0)
    public_tenant_ensure()
    template_tenant_ensure()
    owner = User.objects.create_user("owner@rel.localhost", "reliability-only-password")
    tenant = tenant_provision(
        name="Reliability", slug="rel", owner=owner, review_status="approved"
    ).tenant
    with tenant_scope(tenant):
        programme, venue = public_programme_and_venue(
            programme="Vaksinasi Umum",
            venue="Puskesmas Cempaka",
            address="Jl. Cempaka 1",
            city="Bandung",
            province="Jawa Barat",
        )
        now = timezone.now()
        first = (now + dt.timedelta(days=2)).replace(hour=1, minute=0, second=0, microsecond=0)
        slot_ids = open_slots_make(
            venue, programme, first=first, minutes=10, per_day=slots, capacity=seats
        )
    return {
        "schema": tenant.schema_name,
        "slug": "rel",
        "programme_id": programme.id,
        "venue_id": venue.id,
        "slot_ids": slot_ids,
        "day": timezone.localtime(first).date().isoformat(),
    }


def platform_data_made(
    database_url: str, *, env: dict[str, str] | None = None, slots: int = 60, seats: int = 10
) -> dict[str, object]:
    """Run this module on `database_url` (an empty database) in a process of its own; what it
    made, as JSON."""
    import subprocess
    from pathlib import Path

    settings = {"DJANGO_SETTINGS_MODULE": "config.settings.bench"}
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.platform_data",
            "--slots",
            str(slots),
            "--seats",
            str(seats),
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, **settings, **(env or {}), "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode:
        raise RuntimeError(f"the platform's database was not made: {out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.platform_data")
    parser.add_argument("--slots", type=int, default=60)
    parser.add_argument("--seats", type=int, default=10)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    import django

    django.setup()
    print(json.dumps(platform_data(slots=args.slots, seats=args.seats)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
