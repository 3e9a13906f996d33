"""Hosts route to the right URLconf and schema; unknown hosts get a proper 404 page."""

from __future__ import annotations

from tests.conftest import ROOT_HOST, OrganizerFixture, host_client


def test_root_domain_serves_the_public_landing_page(db: None) -> None:
    response = host_client(ROOT_HOST).get("/")

    assert response.status_code == 200
    assert response.resolver_match.func.__module__ == "public_site.views.public"
    assert "Daftarkan organisasi Anda" in response.content.decode()


def test_root_domain_with_port_is_the_same_host(db: None) -> None:
    response = host_client(f"{ROOT_HOST}:8000").get("/")

    assert response.status_code == 200
    assert response.resolver_match.func.__module__ == "public_site.views.public"


def test_tenant_host_serves_the_tenant_urlconf_with_the_organiser_name(
    tenant_a: OrganizerFixture,
) -> None:
    response = host_client(tenant_a.host).get("/")

    assert response.status_code == 200
    assert response.resolver_match.func.__module__ == "booking_pages.views.home"
    assert response.wsgi_request.tenant == tenant_a.tenant
    assert "<h1>Alpha Clinic</h1>" in response.content.decode()


def test_each_tenant_host_shows_its_own_name(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    page_b = host_client(tenant_b.host).get("/").content.decode()

    assert "Beta Corp" in page_b
    assert "Alpha Clinic" not in page_b


def test_admin_exists_only_on_the_root_domain(tenant_a: OrganizerFixture) -> None:
    # On the root domain the admin signs in through allauth (and its TOTP step for staff).
    on_root = host_client(ROOT_HOST).get("/admin/login/")
    assert (on_root.status_code, on_root["Location"]) == (
        302,
        "/accounts/login/?next=%2Fadmin%2Flogin%2F",
    )
    assert host_client(tenant_a.host).get("/admin/login/").status_code == 404


def test_unknown_subdomain_gets_the_organiser_not_found_page(db: None) -> None:
    response = host_client(f"nosuchorganiser.{ROOT_HOST}").get("/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "Penyelenggara tidak ditemukan" in body
    assert "nosuchorganiser.localhost" in body


def test_the_unknown_organiser_page_speaks_the_persons_language_not_the_last_requests(
    db: None, settings
) -> None:
    from django.utils import translation

    translation.activate("en")  # what an earlier request left active in this thread
    default = host_client(f"nosuchorganiser.{ROOT_HOST}").get("/")
    client = host_client(f"nosuchorganiser.{ROOT_HOST}")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/")

    assert "Penyelenggara tidak ditemukan" in default.content.decode()
    assert default["Content-Language"] == "id"
    assert "Organiser not found" in english.content.decode()
    assert english["Content-Language"] == "en"


def test_the_unknown_organiser_page_gets_its_stylesheet_on_that_host(db: None) -> None:
    page = host_client(f"nosuchorganiser.{ROOT_HOST}").get("/").content.decode()
    stylesheet = host_client(f"nosuchorganiser.{ROOT_HOST}").get("/static/public_site/site.css")

    assert "/static/public_site/site.css" in page
    assert stylesheet.status_code == 200
    assert stylesheet["Content-Type"].startswith("text/css")


def test_unknown_subdomain_deep_path_is_also_404(db: None) -> None:
    response = host_client(f"nosuchorganiser.{ROOT_HOST}").get("/kelola/")

    assert response.status_code == 404


def test_host_outside_allowed_hosts_is_refused(db: None, settings) -> None:
    settings.ALLOWED_HOSTS = ["localhost", ".localhost"]

    response = host_client("evil.example.com").get("/")

    assert response.status_code in (400, 404)
    # Refused by host validation, not routed like an unknown organiser's subdomain.
    assert "Penyelenggara tidak ditemukan" not in response.content.decode()


def test_a_host_is_remembered_for_the_configured_seconds_then_asked_again(
    tenant_a: OrganizerFixture, settings, monkeypatch
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from common.process_cache import ProcessCache
    from tenants import middleware

    now = [1000.0]
    monkeypatch.setattr(middleware, "_HOST_CACHE", ProcessCache(max_size=10, timer=lambda: now[0]))
    settings.TENANT_HOST_CACHE_SECONDS = 30
    hostname = tenant_a.host.partition(":")[0]
    client = host_client(tenant_a.host)

    def domain_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/").status_code == 200
        return sum('"tenants_domain"' in q["sql"] for q in queries.captured_queries)

    assert middleware.tenant_for_host_known(hostname) is None
    assert domain_queries() == 1
    assert middleware.tenant_for_host_known(hostname) == tenant_a.tenant
    now[0] += 29
    assert domain_queries() == 0
    now[0] += 2
    assert middleware.tenant_for_host_known(hostname) is None
    assert domain_queries() == 1


def test_with_no_seconds_configured_no_host_is_remembered(
    tenant_a: OrganizerFixture, settings
) -> None:
    from tenants import middleware

    settings.TENANT_HOST_CACHE_SECONDS = 0
    middleware._HOST_CACHE.clear()
    assert host_client(tenant_a.host).get("/").status_code == 200

    assert middleware.tenant_for_host_known(tenant_a.host.partition(":")[0]) is None
