"""Measure how long creating an organiser tenant takes (schema, every tenant migration, domain,
owner), then remove what it made. Prints each run and p50/p95/max."""

from __future__ import annotations

import statistics
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tenants.models import Tenant, User
from tenants.services.provisioning import tenant_provision


class Command(BaseCommand):
    help = "Create and drop N throwaway organiser tenants; print the time each took."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=10)

    def handle(self, *args: Any, **options: Any) -> None:
        run = uuid.uuid4().hex[:6]
        owner, _ = User.objects.get_or_create(email=f"bench-{run}@sentra.invalid")
        seconds: list[float] = []
        try:
            for index in range(options["count"]):
                result = tenant_provision(
                    name=f"Bench {index}", slug=f"bench-{run}-{index}", owner=owner
                )
                seconds.append(result.seconds)
                self.stdout.write(f"tenant {index + 1:>3}: {result.seconds:.3f} s")
        finally:
            for tenant in Tenant.objects.filter(slug__startswith=f"bench-{run}-"):
                tenant.delete(force_drop=True)
            owner.delete()
        if seconds:
            ordered = sorted(seconds)
            p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
            self.stdout.write(
                f"provisioning: n={len(seconds)} p50={statistics.median(seconds):.3f} s "
                f"p95={p95:.3f} s max={ordered[-1]:.3f} s"
            )
