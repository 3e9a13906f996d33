from __future__ import annotations

from tests.conftest import OrganizerFixture, host_client


def test_organizer_endpoint_describes_the_host_tenant(tenant_a: OrganizerFixture) -> None:
    response = host_client(tenant_a.host).get("/api/v1/organizer")

    assert response.status_code == 200
    assert response.json() == {
        "name": "Alpha Clinic",
        "slug": "alpha",
        "accepting_bookings": True,
        "programmes": [],
    }


def test_me_gives_the_members_role(tenant_a: OrganizerFixture) -> None:
    response = host_client(tenant_a.host, user=tenant_a.owner).get("/api/v1/me")

    assert response.json() == {"email": "owner@alpha.test", "role": "owner"}


def test_me_is_a_structured_404_for_another_tenants_member(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    response = host_client(tenant_a.host, user=tenant_b.owner).get("/api/v1/me")

    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Halaman tidak ditemukan."}
    }


def test_me_is_a_structured_403_when_anonymous(tenant_a: OrganizerFixture) -> None:
    response = host_client(tenant_a.host).get("/api/v1/me")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_authenticated"


def test_api_does_not_exist_on_the_root_domain(db: None) -> None:
    assert host_client("localhost").get("/api/v1/organizer").status_code == 404
