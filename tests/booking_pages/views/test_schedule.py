"""Steps 2 to 4 of booking (places, calendar, a day's times) as a person without an account uses
them: what each shows, and what is not here (another organiser's, a day out of range)."""

from __future__ import annotations

import re

import pytest

from organizers.models import Slot, Venue
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture, host_client
from tests.organizers.factories import a_programme, a_slot, a_venue


def test_the_places_show_address_map_and_the_next_day_with_seats(
    tenant_a: OrganizerFixture, place
) -> None:
    with tenant_scope(tenant_a.tenant):
        a_venue(name="Pending Hall", status=Venue.Status.PENDING)

    response = host_client(tenant_a.host).get(f"/daftar/{place['programme'].id}/")
    page = response.content.decode()

    assert response.status_code == 200
    assert "RSUD Makassar" in page
    assert "Jl. Cempaka 1" in page
    assert "https://www.openstreetmap.org/?mlat=-5.147665&amp;mlon=119.432732" in page
    assert str(place["day"].day) in page
    assert "Langkah 2 dari 7" in page
    assert "Pending Hall" not in page


def test_the_calendar_links_only_days_with_free_seats(tenant_a: OrganizerFixture, place) -> None:
    programme, venue, day = place["programme"], place["venue"], place["day"]
    with tenant_scope(tenant_a.tenant):
        Slot.objects.filter(id=place["later"].id).update(is_closed=True)

    url = f"/daftar/{programme.id}/{venue.id}/"
    page = host_client(tenant_a.host).get(f"{url}?bulan={day:%Y-%m}").content.decode()

    links = re.findall(rf'href="{url}(\d{{4}}-\d\d-\d\d)/"', page)
    assert links == [day.isoformat()]
    assert "Tempat kosong: 3" in page  # 3 seats in the open slot; the full one adds none


def test_the_times_show_seats_left_in_the_venues_own_time(
    tenant_a: OrganizerFixture, place
) -> None:
    programme, venue, day = place["programme"], place["venue"], place["day"]

    page = (
        host_client(tenant_a.host)
        .get(f"/daftar/{programme.id}/{venue.id}/{day.isoformat()}/")
        .content.decode()
    )

    assert "09:00\u201309:30 WITA" in page  # the venue's time, not Jakarta's
    assert "Sisa tempat: 3" in page
    assert f'value="{place["full"].id}"' not in page  # a full slot is not offered


def test_another_organisers_programme_venue_and_slot_are_not_here(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture, place
) -> None:
    with tenant_scope(tenant_b.tenant):  # ids that alpha does not have
        programme_b = a_programme(id=900001, name="Beta only")
        venue_b = a_venue(id=900002, name="Beta Hall")
        slot_b = a_slot(id=900003, venue=venue_b, programme=programme_b)
    client = host_client(tenant_a.host)
    own, venue, day = place["programme"].id, place["venue"].id, place["day"].isoformat()

    assert client.get(f"/daftar/{programme_b.id}/").status_code == 404
    assert client.get(f"/daftar/{own}/{venue_b.id}/").status_code == 404
    assert client.get(f"/daftar/{programme_b.id}/{venue_b.id}/{day}/").status_code == 404
    response = client.post(f"/daftar/{own}/{venue}/{day}/", {"slot": slot_b.id})
    assert response.status_code == 400
    assert "Beta" not in response.content.decode()
    assert client.get(f"/daftar/{own}/{venue}/not-a-date/").status_code == 404


def test_an_organiser_under_review_takes_no_bookings(tenant_a: OrganizerFixture, place) -> None:
    tenant_a.tenant.review_status = "submitted"
    tenant_a.tenant.save(update_fields=["review_status"])

    response = host_client(tenant_a.host).get(f"/daftar/{place['programme'].id}/")

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "2020-02-30"])
def test_a_day_out_of_range_is_not_here(tenant_a: OrganizerFixture, place, day: str) -> None:
    programme, venue = place["programme"], place["venue"]

    response = host_client(tenant_a.host).get(f"/daftar/{programme.id}/{venue.id}/{day}/")

    assert response.status_code == 404
