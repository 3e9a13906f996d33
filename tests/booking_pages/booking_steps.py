"""Steps of the booking pages shared by their tests: the answers of two people (Siti and
Budi), the `place` fixture (a programme, a venue and its slots), choosing a time, entering
a person, pressing the review page's button, and what the tenant's tables hold."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from organizers.models import Booking, Slot
from organizers.nik import nik_compose
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_programme, a_slot, a_venue

BORN = dt.date(1958, 3, 14)
SITI = {
    "full_name": "Siti Aminah",
    "nik": nik_compose(BORN, sex="F", serial=11),
    "dob_day": "14",
    "dob_month": "3",
    "dob_year": "1958",
    "sex": "F",
}
CONTACT = {"phone": "0812-3456-7890", "email": "Siti@Example.id", "address": "Jl. Melati 5"}

BUDI_BORN = dt.date(1955, 7, 2)
BUDI = {
    "full_name": "Budi Santoso",
    "nik": nik_compose(BUDI_BORN, sex="M", serial=12),
    "dob_day": "2",
    "dob_month": "7",
    "dob_year": "1955",
    "sex": "M",
}


@pytest.fixture
def place(tenant_a: OrganizerFixture) -> dict[str, object]:
    """A public programme (first dose only), a venue in WITA with coordinates, two slots on
    the same day three days from now (the second full), one on the day after."""
    with tenant_scope(tenant_a.tenant):
        programme = a_programme(doses=[1])
        venue = a_venue(
            name="RSUD Makassar",
            time_zone="Asia/Makassar",
            province="Sulawesi Selatan",
            latitude="-5.147665",
            longitude="119.432732",
        )
        zone = ZoneInfo("Asia/Makassar")
        day = timezone.localdate(timezone.now(), zone) + dt.timedelta(days=3)
        nine = dt.datetime.combine(day, dt.time(9, 0), zone)
        open_kw = {"booking_opens_at": timezone.now() - dt.timedelta(days=1)}
        slot = a_slot(
            venue=venue,
            programme=programme,
            capacity=3,
            starts_at=nine,
            ends_at=nine + dt.timedelta(minutes=30),
            booking_closes_at=nine - dt.timedelta(hours=1),
            **open_kw,
        )
        full = a_slot(
            venue=venue,
            programme=programme,
            capacity=2,
            booked=2,
            booked_dose1=2,
            starts_at=nine + dt.timedelta(hours=1),
            ends_at=nine + dt.timedelta(hours=1, minutes=30),
            booking_closes_at=nine,
            **open_kw,
        )
        later = a_slot(
            venue=venue,
            programme=programme,
            capacity=5,
            starts_at=nine + dt.timedelta(days=1),
            ends_at=nine + dt.timedelta(days=1, minutes=30),
            booking_closes_at=nine + dt.timedelta(hours=23),
            **open_kw,
        )
    return {
        "programme": programme,
        "venue": venue,
        "slot": slot,
        "full": full,
        "later": later,
        "day": day,
    }


def choose_time(client: Client, place: dict, slot: Slot | None = None) -> None:
    slot = slot or place["slot"]
    programme, venue = place["programme"], place["venue"]
    url = f"/daftar/{programme.id}/{venue.id}/{place['day'].isoformat()}/"
    response = client.post(url, {"slot": slot.id})
    assert response.status_code == 302
    assert response["Location"] == "/daftar/data-diri/"


def enter_person(client: Client, person: dict | None = None, contact: dict | None = None) -> None:
    response = client.post("/daftar/data-diri/", person or SITI)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == "/daftar/kontak/"
    response = client.post("/daftar/kontak/", contact or CONTACT)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == "/daftar/periksa/"


def seats_taken(tenant: OrganizerFixture) -> int:
    with tenant_scope(tenant.tenant):
        return Slot.objects.aggregate(total=Sum("booked"))["total"] or 0


def booking_count(tenant: OrganizerFixture) -> int:
    with tenant_scope(tenant.tenant):
        return Booking.objects.count()


def submit_token(client: Client) -> str:
    """The one-time token of the review page (it guards against a second press)."""
    page = client.get("/daftar/periksa/").content.decode()
    return re.search(r'name="submit_token" value="([^"]+)"', page).group(1)


def press_book(client: Client) -> object:
    """Agree and press the review page's button (book, or join the waiting list)."""
    token = submit_token(client)
    return client.post(
        "/daftar/periksa/", {"action": "book", "consent": "on", "submit_token": token}
    )
