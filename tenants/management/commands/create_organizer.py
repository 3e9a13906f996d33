"""Create an organiser tenant from the command line and report how long it took."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants.errors import ApplicationError
from tenants.models import User
from tenants.services.provisioning import tenant_provision


class Command(BaseCommand):
    help = "Create an organiser: schema (with every tenant migration), domain, owner membership."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="subdomain, e.g. 'rs-sehat'")
        parser.add_argument("--name", required=True, help="organisation name")
        parser.add_argument("--owner", required=True, help="owner's email; created if new")
        parser.add_argument("--approved", action="store_true", help="mark it approved")

    def handle(self, *args: Any, **options: Any) -> None:
        owner, _created = User.objects.get_or_create(email=options["owner"].strip().lower())
        try:
            result = tenant_provision(
                name=options["name"],
                slug=options["slug"],
                owner=owner,
                review_status="approved" if options["approved"] else "draft",
            )
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"Created {result.tenant.name} at {result.domain} "
            f"(schema {result.tenant.schema_name}) in {result.seconds:.2f} s"
        )
