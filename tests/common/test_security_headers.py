"""Every answer carries a Content-Security-Policy, a Permissions-Policy and no-store unless the
view chose its own caching (issue #11, item 8)."""

from __future__ import annotations

import re

from tests.conftest import ROOT_HOST, OrganizerFixture, host_client


def _nonce(policy: str) -> str:
    return re.search(r"'nonce-([^']+)'", policy)[1]


def test_a_page_gets_a_fresh_nonce_each_time_and_no_store(tenant_a: OrganizerFixture) -> None:
    client = host_client(tenant_a.host)

    first, second = client.get("/"), client.get("/")

    assert first.status_code == 200
    assert _nonce(first["Content-Security-Policy"]) != _nonce(second["Content-Security-Policy"])
    assert "frame-ancestors 'none'" in first["Content-Security-Policy"]
    assert "script-src 'self';" in first["Content-Security-Policy"]
    assert first["Cache-Control"] == "no-store"
    assert first["Permissions-Policy"].startswith("camera=(self), microphone=()")


def test_a_view_that_sets_its_own_caching_keeps_it(db: None) -> None:
    response = host_client(ROOT_HOST).get("/healthz")

    assert response["Cache-Control"].startswith("max-age=0")  # never_cache's own
