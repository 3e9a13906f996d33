"""Key rotation: re-seal every sealed field (organizers.personal_data.SEALED_FIELDS) still sealed
with an older key, in every model that keeps one.

Put the new key first in SENTRA_PII_KEYS (keep the old ones after it), deploy, run this, then
drop the old keys. Runs tenant by tenant, in batches, each batch in its own transaction."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from organizers.services.personal_data_rotation import personal_data_reseal
from tenants.context import tenant_scope
from tenants.selectors import tenant_list_organizers


class Command(BaseCommand):
    help = "Re-seal personal data sealed with an older key (after adding a new first key)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        for tenant in tenant_list_organizers():
            with tenant_scope(tenant):
                count = personal_data_reseal(batch=options["batch"])
            total += count
            self.stdout.write(f"{tenant.schema_name}: {count} rows re-sealed")
        self.stdout.write(f"total: {total} rows re-sealed")
