"""The organiser's home page (step 1 of booking): the organiser, its active programmes, and
no booking information while the organiser waits for review."""

from __future__ import annotations

from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture, host_client
from tests.organizers.factories import a_programme


def test_the_home_page_links_each_active_programme(tenant_a: OrganizerFixture, place) -> None:
    with tenant_scope(tenant_a.tenant):
        a_programme(name="Old programme", is_active=False)

    page = host_client(tenant_a.host).get("/").content.decode()

    assert f'href="/daftar/{place["programme"].id}/"' in page
    assert "Old programme" not in page
    assert '<html lang="id">' in page
    assert "Langkah 1 dari 7" in page


def test_tenant_home_shows_the_organiser_and_its_programmes(tenant_a: OrganizerFixture) -> None:
    from organizers.services.programmes import programme_create

    with tenant_scope(tenant_a.tenant):
        programme_create(name="Vaksinasi Lansia", kind="public")

    body = host_client(tenant_a.host).get("/").content.decode()

    assert "<h1>Alpha Clinic</h1>" in body
    assert "Vaksinasi Lansia" in body
    assert "Program umum" in body


def test_organiser_waiting_for_review_shows_no_booking_information(
    tenant_a: OrganizerFixture,
) -> None:
    from tenants.models import Tenant

    Tenant.objects.filter(pk=tenant_a.tenant.pk).update(review_status="suspended")

    body = host_client(tenant_a.host).get("/").content.decode()

    assert "belum menerima pendaftaran" in body
    assert "KTP" not in body
