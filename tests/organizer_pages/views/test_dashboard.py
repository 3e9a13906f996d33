"""The organiser's dashboard (/kelola/): the links to the organiser's pages."""

from __future__ import annotations

from collections.abc import Callable

from tenants.models import Tenant, User
from tenants.services.lifecycle import organiser_request_changes
from tests.conftest import OrganizerFixture, host_client


def test_the_dashboard_links_to_the_organiser_pages(tenant_a: OrganizerFixture) -> None:
    body = host_client(tenant_a.host, user=tenant_a.owner).get("/kelola/").content.decode()

    assert 'href="/kelola/lokasi/"' in body
    assert 'href="/kelola/libur/"' in body


def test_the_owner_reads_the_review_status_and_the_reason(
    tenant_a: OrganizerFixture, make_user: Callable[..., User]
) -> None:
    staff = make_user("reviewer@sentra.test", is_staff=True)
    Tenant.objects.filter(pk=tenant_a.tenant.pk).update(review_status="in_review")
    organiser_request_changes(
        tenant=Tenant.objects.get(pk=tenant_a.tenant.pk), by=staff, reason="NIB tidak terbaca"
    )

    body = host_client(tenant_a.host, user=tenant_a.owner).get("/kelola/").content.decode()

    assert "Status pemeriksaan: <strong>Perlu perbaikan</strong>" in body
    assert "Alasan dari staf platform: NIB tidak terbaca" in body


def test_an_approved_organiser_sees_no_review_notice(tenant_a: OrganizerFixture) -> None:
    body = host_client(tenant_a.host, user=tenant_a.owner).get("/kelola/").content.decode()

    assert "Status pemeriksaan" not in body
