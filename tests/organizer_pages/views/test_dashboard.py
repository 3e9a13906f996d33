"""The organiser's dashboard (/kelola/): the links to the organiser's pages."""

from __future__ import annotations

from tests.conftest import OrganizerFixture, host_client


def test_the_dashboard_links_to_the_organiser_pages(tenant_a: OrganizerFixture) -> None:
    body = host_client(tenant_a.host, user=tenant_a.owner).get("/kelola/").content.decode()

    assert 'href="/kelola/lokasi/"' in body
    assert 'href="/kelola/libur/"' in body
