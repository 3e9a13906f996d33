"""The default cache is tenant-keyed; the "global" alias is deliberately shared."""

from __future__ import annotations

from django.core.cache import cache, caches

from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture


def test_value_cached_in_tenant_a_is_invisible_in_tenant_b(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    with tenant_scope(tenant_a.tenant):
        cache.set("venue-list", "alpha venues", 60)
    try:
        with tenant_scope(tenant_b.tenant):
            assert cache.get("venue-list") is None
            cache.set("venue-list", "beta venues", 60)
        with tenant_scope(tenant_a.tenant):
            assert cache.get("venue-list") == "alpha venues"
        with tenant_scope(tenant_b.tenant):
            assert cache.get("venue-list") == "beta venues"
    finally:
        for test_tenant in (tenant_a, tenant_b):
            with tenant_scope(test_tenant.tenant):
                cache.delete("venue-list")


def test_global_cache_alias_is_shared_across_tenants(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    with tenant_scope(tenant_a.tenant):
        caches["global"].set("rate:203.0.113.9", 3, 60)
    try:
        with tenant_scope(tenant_b.tenant):
            assert caches["global"].get("rate:203.0.113.9") == 3
    finally:
        caches["global"].delete("rate:203.0.113.9")


def test_login_rate_limit_counts_failures_across_every_host(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture, settings
) -> None:
    from tests.conftest import host_client

    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/key"}
    statuses = []
    for host in ("localhost", tenant_a.host, tenant_b.host) * 2:
        response = host_client(host).post(
            "/accounts/login/", {"login": tenant_a.owner.email, "password": "wrong-password"}
        )
        statuses.append("limited" if "Terlalu banyak" in response.content.decode() else "wrong")
    cache.clear()

    # Five wrong passwords in all, whatever the host; the sixth is refused by the limit.
    assert statuses == ["wrong"] * 5 + ["limited"]
