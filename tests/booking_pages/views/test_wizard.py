"""The steps' guard: without a chosen arrival time, the steps after it send the person back to
the start."""

from __future__ import annotations

from tests.conftest import OrganizerFixture, host_client


def test_the_steps_after_the_time_need_a_time(tenant_a: OrganizerFixture, place) -> None:
    client = host_client(tenant_a.host)

    for path in ("/daftar/data-diri/", "/daftar/kontak/", "/daftar/periksa/"):
        assert client.get(path)["Location"] == "/"
    assert client.get("/daftar/selesai/")["Location"] == "/"
