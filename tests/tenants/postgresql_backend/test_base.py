"""The backend skips a SET search_path that would change nothing, and only then."""

from __future__ import annotations

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tenants.context import public_scope, tenant_scope
from tests.conftest import OrganizerFixture, host_client


def _sets(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SET search_path")]


def test_second_request_to_the_same_tenant_issues_no_set(
    tenant_a: OrganizerFixture, settings
) -> None:
    settings.TENANT_HOST_CACHE_SECONDS = 30  # as in production: the host lookup is remembered
    client = host_client(tenant_a.host)
    client.get("/api/v1/venues")

    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/venues")

    assert _sets(queries) == []


def test_switching_tenant_sets_the_path_and_switching_back_sets_it_again(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    from organizers.models import Venue

    with CaptureQueriesContext(connection) as queries:
        with tenant_scope(tenant_a.tenant):
            Venue.objects.count()
        with tenant_scope(tenant_b.tenant):
            Venue.objects.count()
        with tenant_scope(tenant_a.tenant):
            Venue.objects.count()

    assert _sets(queries) == [
        'SET search_path = "alpha","public"',
        'SET search_path = "beta","public"',
        'SET search_path = "alpha","public"',
    ]


def test_a_rolled_back_savepoint_forgets_the_path(tenant_a: OrganizerFixture) -> None:
    from organizers.models import Venue

    with tenant_scope(tenant_a.tenant):
        Venue.objects.count()
    with public_scope():
        try:
            with transaction.atomic(), tenant_scope(tenant_a.tenant):
                Venue.objects.count()
                raise RuntimeError
        except RuntimeError:
            pass
        with CaptureQueriesContext(connection) as queries, tenant_scope(tenant_a.tenant):
            assert Venue.objects.count() == 0

    assert _sets(queries) == ['SET search_path = "alpha","public"']
