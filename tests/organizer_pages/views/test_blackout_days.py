"""The organiser's days off (/kelola/libur/): for every venue or one, a second one refused,
and a warning for slots that already exist on the day."""

from __future__ import annotations

import datetime as dt

from organizers.models import BlackoutDay
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture, host_client
from tests.organizer_pages.papua_venue import JAYAPURA, a_slot_starting, next_monday, papua_venue
from tests.organizers.factories import a_programme


def test_a_day_off_for_every_venue_is_listed_and_a_second_one_is_refused(
    tenant_a: OrganizerFixture,
) -> None:
    day = next_monday()
    with tenant_scope(tenant_a.tenant):
        venue = papua_venue()
        a_slot_starting(venue, a_programme(), dt.datetime.combine(day, dt.time(9, 0), JAYAPURA))
    client = host_client(tenant_a.host, user=tenant_a.owner)

    added = client.post(
        "/kelola/libur/", {"day": day.isoformat(), "venue": "", "reason": "Idul Adha"}
    )
    listing = client.get("/kelola/libur/").content.decode()
    again = client.post("/kelola/libur/", {"day": day.isoformat(), "venue": "", "reason": "x"})

    assert added.status_code == 302
    assert "Idul Adha" in listing
    assert "Semua lokasi" in listing
    assert "1 sesi sudah ada pada hari itu." in listing
    assert again.status_code == 200
    assert "Hari ini sudah menjadi hari libur di semua lokasi." in again.content.decode()
    with tenant_scope(tenant_a.tenant):
        assert list(BlackoutDay.objects.values_list("day", "venue_id", "reason")) == [
            (day, None, "Idul Adha")
        ]


def test_a_day_off_at_one_venue(tenant_a: OrganizerFixture) -> None:
    day = next_monday()
    with tenant_scope(tenant_a.tenant):
        venue = papua_venue()

    response = host_client(tenant_a.host, user=tenant_a.owner).post(
        "/kelola/libur/", {"day": day.isoformat(), "venue": str(venue.id), "reason": ""}
    )

    assert response.status_code == 302
    with tenant_scope(tenant_a.tenant):
        assert BlackoutDay.objects.get().venue_id == venue.id
