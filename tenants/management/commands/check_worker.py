"""Prove that the Celery worker runs tasks in the schema they were sent from."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.context import public_scope, tenant_scope
from tenants.models import Tenant
from tenants.tasks import report_schema


class Command(BaseCommand):
    help = "Send a task from the public schema and from each tenant; check where each ran."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=30.0)

    def handle(self, *args: Any, **options: Any) -> None:
        failures = 0
        with public_scope():
            tenants = list(Tenant.objects.organizers())
            ran_in = report_schema.delay().get(timeout=options["timeout"])
        failures += self._report("public", ran_in)
        for tenant in tenants:
            with tenant_scope(tenant):
                result = report_schema.delay()
            failures += self._report(tenant.schema_name, result.get(timeout=options["timeout"]))
        if failures:
            raise CommandError(f"{failures} task(s) ran in the wrong schema")

    def _report(self, expected: str, actual: str) -> int:
        ok = expected == actual
        self.stdout.write(f"{'ok  ' if ok else 'FAIL'} sent from {expected}, ran in {actual}")
        return 0 if ok else 1
