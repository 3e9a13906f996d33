"""The lifecycle's migration keeps every organiser's behaviour: `pending` (waiting for review)
becomes `submitted` (still no bookings, still in staff's queue), and the review index is
filled from every organiser and its venues."""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace

from django.apps import apps
from django.db import connection

from tenants.context import tenant_scope
from tenants.models import ReviewItem, Tenant
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_venue

migration = import_module("tenants.migrations.0005_review_lifecycle_audit")


def test_pending_becomes_submitted_and_the_others_keep_their_state(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    Tenant.objects.filter(pk=tenant_a.tenant.pk).update(review_status="pending")

    migration.states_forward(apps, None)

    alpha = Tenant.objects.get(pk=tenant_a.tenant.pk)
    assert (alpha.review_status, alpha.takes_bookings) == ("submitted", False)
    assert alpha.review_status_changed_at == alpha.created_at
    assert Tenant.objects.get(pk=tenant_b.tenant.pk).review_status == "approved"


def test_the_index_is_filled_from_every_organiser_and_venue(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        venue = a_venue()  # written without the service: not indexed
    ReviewItem.objects.all().delete()

    migration.index_fill(apps, SimpleNamespace(connection=connection))

    assert ReviewItem.objects.filter(kind="organiser", tenant=tenant_a.tenant).exists()
    item = ReviewItem.objects.get(kind="venue", tenant=tenant_a.tenant, venue_id=venue.id)
    assert (item.name, item.state, item.province) == (venue.name, venue.status, venue.province)
    assert not ReviewItem.objects.filter(tenant__schema_name__in=("public", "sentra_template"))
