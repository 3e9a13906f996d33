"""organizers.db: the hot statements run prepared, and a migration that changes a table under
a prepared statement costs one retry, not a failing booking on every later request."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
from django.db import connection

from organizers.models import Booking
from organizers.services.booking.engine import booking_create
from tenants.context import tenant_scope
from tenants.models import User
from tenants.services.provisioning import tenant_provision
from tests.conftest import suite_database_url
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue


def test_a_statement_prepared_before_a_migration_still_books_after_it(
    committed: Callable[[Callable], None],
) -> None:
    owner = User.objects.create_user("owner@prepared.test", "x")
    committed(owner.delete)
    tenant = tenant_provision(
        name="Prepared", slug="prepared", owner=owner, review_status="approved"
    ).tenant
    committed(lambda: tenant.delete(force_drop=True))
    with tenant_scope(tenant):
        slot = a_slot(venue=a_venue(), programme=a_programme(), capacity=5)
        booking_create(
            programme_id=slot.programme_id, slot_id=slot.id, dose=1, person=a_person(name="Sebelum")
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            assert cursor.fetchone()[0] >= 1
        # A deploy's migration, from another connection, changes a column the statement
        # returns: PostgreSQL refuses the old plan ("cached plan must not change result type").
        with psycopg.connect(suite_database_url(), autocommit=True) as other:
            other.execute(
                'ALTER TABLE "prepared".organizers_slot ALTER COLUMN ends_at TYPE timestamp'
            )

        after = booking_create(
            programme_id=slot.programme_id, slot_id=slot.id, dose=1, person=a_person(name="Sesudah")
        )

        assert after.full_name == "Sesudah"
        assert Booking.objects.filter(slot_id=slot.id).count() == 2
