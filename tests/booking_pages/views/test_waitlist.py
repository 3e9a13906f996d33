"""The waiting list on the booking pages: a full day in the calendar leads to its times page,
which offers the waiting list; the same steps (one person, email required) end on the list with
the place in the queue. A refusal writes nothing."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from organizers.models import Programme, Slot, WaitlistEntry
from organizers.nik import nik_compose
from organizers.personal_data import person_key
from organizers.services.waitlist import join
from tenants.context import tenant_scope
from tests.booking_pages.booking_steps import press_book
from tests.conftest import OrganizerFixture, host_client
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue

BORN = dt.date(1950, 7, 2)
SITI = {
    "full_name": "Siti Aminah",
    "nik": nik_compose(BORN, sex="F", serial=21),
    "dob_day": "2",
    "dob_month": "7",
    "dob_year": "1950",
    "sex": "F",
}
CONTACT = {"phone": "0812-3456-7890", "email": "Anak.Siti@Example.id", "address": "Jl. Melati 5"}


@pytest.fixture
def full_day(tenant_a: OrganizerFixture) -> dict[str, object]:
    """A public programme (first dose only), a venue in WITA, and a day four days from now
    whose two slots are full; the next day has seats."""
    with tenant_scope(tenant_a.tenant):
        programme = a_programme(doses=[1])
        venue = a_venue(name="Puskesmas Tamalate", time_zone="Asia/Makassar")
        zone = ZoneInfo("Asia/Makassar")
        day = timezone.localdate(timezone.now(), zone) + dt.timedelta(days=4)
        nine = dt.datetime.combine(day, dt.time(9, 0), zone)
        slots = [
            a_slot(
                venue=venue,
                programme=programme,
                capacity=2,
                booked=2,
                booked_dose1=2,
                starts_at=nine + dt.timedelta(hours=hour),
                ends_at=nine + dt.timedelta(hours=hour, minutes=30),
                booking_closes_at=nine - dt.timedelta(hours=1),
            )
            for hour in (0, 1)
        ]
        a_slot(
            venue=venue,
            programme=programme,
            capacity=5,
            starts_at=nine + dt.timedelta(days=1),
            ends_at=nine + dt.timedelta(days=1, minutes=30),
            booking_closes_at=nine + dt.timedelta(hours=20),
        )
    return {"programme": programme, "venue": venue, "day": day, "slots": slots}


def _day_url(place: dict) -> str:
    return f"/daftar/{place['programme'].id}/{place['venue'].id}/{place['day'].isoformat()}/"


def _to_review(client: Client, place: dict, contact: dict | None = None) -> None:
    response = client.post(_day_url(place), {"action": "waitlist"})
    assert response.status_code == 302
    assert response["Location"] == "/daftar/data-diri/"
    response = client.post("/daftar/data-diri/", SITI)
    assert response["Location"] == "/daftar/kontak/", response.content.decode()[:2000]
    response = client.post("/daftar/kontak/", contact or CONTACT)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == "/daftar/periksa/"


def _entries(tenant: OrganizerFixture) -> list[WaitlistEntry]:
    with tenant_scope(tenant.tenant):
        return list(WaitlistEntry.objects.order_by("id"))


def test_the_calendar_shows_a_full_day_as_full_and_links_it(
    tenant_a: OrganizerFixture, full_day
) -> None:
    url = f"/daftar/{full_day['programme'].id}/{full_day['venue'].id}/"
    page = host_client(tenant_a.host).get(f"{url}?bulan={full_day['day']:%Y-%m}").content.decode()

    cell = re.search(rf'<td class="full[^"]*"><a href="{_day_url(full_day)}"[^>]*>.*?</td>', page)
    assert cell is not None
    assert "Penuh" in cell.group(0)
    assert "Penuh: masuk daftar tunggu" in cell.group(0)  # what a screen reader says


def test_a_full_day_offers_the_waiting_list_and_a_day_with_seats_does_not(
    tenant_a: OrganizerFixture, full_day
) -> None:
    client = host_client(tenant_a.host)
    page = client.get(_day_url(full_day)).content.decode()
    assert "Masuk daftar tunggu" in page
    assert "30 menit" in page
    assert "Siapa cepat dia dapat" in page

    next_day = (full_day["day"] + dt.timedelta(days=1)).isoformat()
    other = f"/daftar/{full_day['programme'].id}/{full_day['venue'].id}/{next_day}/"
    assert "Masuk daftar tunggu" not in client.get(other).content.decode()
    response = client.post(other, {"action": "waitlist"})  # not full: back to its times
    assert response["Location"] == other


def test_a_person_joins_the_waiting_list_and_sees_the_place_in_the_queue(
    tenant_a: OrganizerFixture, full_day
) -> None:
    with tenant_scope(tenant_a.tenant):  # someone is waiting already
        join.waitlist_join(
            programme_id=full_day["programme"].id,
            venue_id=full_day["venue"].id,
            day=full_day["day"],
            dose=1,
            person=a_person(name="Budi", email="budi@example.id"),
        )
    client = host_client(tenant_a.host)
    _to_review(client, full_day)

    review = client.get("/daftar/periksa/").content.decode()
    assert "Daftar tunggu (hari ini sudah penuh)" in review
    assert 'value="add"' not in review  # one person per waitlist entry
    assert re.search(r'value="book">\s*Masuk daftar tunggu', review)

    response = press_book(client)

    assert response.status_code == 302
    assert response["Location"] == "/daftar/daftar-tunggu/"
    done = client.get("/daftar/daftar-tunggu/").content.decode()
    entry = _entries(tenant_a)[-1]
    assert (entry.full_name, entry.email, entry.language, entry.status) == (
        "Siti Aminah",
        "anak.siti@example.id",
        "id",
        "waiting",
    )
    assert entry.person_key == person_key(SITI["nik"])
    assert (entry.venue_id, entry.day, entry.dose) == (full_day["venue"].id, full_day["day"], 1)
    assert "Anda sudah masuk daftar tunggu" in done
    assert "Puskesmas Tamalate" in done
    assert "nomor 2" in done  # Budi is first
    assert "anak.siti@example.id" in done


def test_the_entry_keeps_the_language_of_the_pages(tenant_a: OrganizerFixture, full_day) -> None:
    client = host_client(tenant_a.host)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    _to_review(client, full_day)
    assert press_book(client).status_code == 302
    assert "Your place in the queue for this day: number 1." in (
        client.get("/daftar/daftar-tunggu/").content.decode()
    )
    assert _entries(tenant_a)[0].language == "en"


def test_the_email_address_is_required_and_says_why(tenant_a: OrganizerFixture, full_day) -> None:
    client = host_client(tenant_a.host)
    client.post(_day_url(full_day), {"action": "waitlist"})
    client.post("/daftar/data-diri/", SITI)
    page = client.get("/daftar/kontak/").content.decode()
    assert "alamat email wajib diisi" in page

    response = client.post("/daftar/kontak/", {**CONTACT, "email": ""})

    assert response.status_code == 400
    assert "Isi alamat email: tempat kosong dari daftar tunggu ditawarkan lewat email." in (
        response.content.decode()
    )
    assert _entries(tenant_a) == []


def test_a_seat_freed_before_the_press_sends_the_person_to_the_times_and_writes_nothing(
    tenant_a: OrganizerFixture, full_day
) -> None:
    client = host_client(tenant_a.host)
    _to_review(client, full_day)
    with tenant_scope(tenant_a.tenant):  # someone cancels meanwhile
        Slot.objects.filter(id=full_day["slots"][1].id).update(booked=1, booked_dose1=1)

    response = press_book(client)

    assert response.status_code == 302
    assert response["Location"] == _day_url(full_day)
    page = client.get(response["Location"]).content.decode()
    assert "Sekarang ada tempat kosong pada hari ini" in page
    assert f'value="{full_day["slots"][1].id}"' in page
    assert _entries(tenant_a) == []
    # The answers are kept: choosing the free time goes on to book.
    client.post(_day_url(full_day), {"slot": full_day["slots"][1].id})
    review = client.get("/daftar/periksa/").content.decode()
    assert "Siti Aminah" in review
    assert "Daftar sekarang" in review


def test_someone_already_waiting_is_told_so_and_nothing_is_written(
    tenant_a: OrganizerFixture, full_day
) -> None:
    first = host_client(tenant_a.host)
    _to_review(first, full_day)
    assert press_book(first).status_code == 302

    again = host_client(tenant_a.host)
    _to_review(again, full_day)
    response = press_book(again)

    assert response.status_code == 400
    page = response.content.decode()
    assert "Anda belum masuk daftar tunggu" in page
    assert "Orang ini sudah ada dalam daftar tunggu untuk hari ini." in page
    assert len(_entries(tenant_a)) == 1


def test_pressing_the_button_twice_joins_once(tenant_a: OrganizerFixture, full_day) -> None:
    client = host_client(tenant_a.host)
    _to_review(client, full_day)
    page = client.get("/daftar/periksa/").content.decode()
    token = re.search(r'name="submit_token" value="([^"]+)"', page).group(1)
    data = {"action": "book", "consent": "on", "submit_token": token}

    first = client.post("/daftar/periksa/", data)
    second = client.post("/daftar/periksa/", data)

    assert first["Location"] == second["Location"] == "/daftar/daftar-tunggu/"
    assert len(_entries(tenant_a)) == 1


def test_an_outsider_of_a_roster_programme_may_not_wait_either(
    tenant_a: OrganizerFixture, full_day
) -> None:
    with tenant_scope(tenant_a.tenant):
        Programme.objects.filter(id=full_day["programme"].id).update(
            kind=Programme.Kind.COMPANY, uses_roster=True
        )
    client = host_client(tenant_a.host)
    client.post(_day_url(full_day), {"action": "waitlist"})
    client.post("/daftar/data-diri/", SITI)

    response = client.post("/daftar/kontak/", CONTACT)

    assert response.status_code == 400
    assert _entries(tenant_a) == []


def test_another_organisers_programme_and_venue_are_not_here(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture, full_day
) -> None:
    client = host_client(tenant_b.host)

    assert client.get(_day_url(full_day)).status_code == 404
    assert client.post(_day_url(full_day), {"action": "waitlist"}).status_code == 404
    assert client.get("/daftar/daftar-tunggu/")["Location"] == "/"
    assert _entries(tenant_a) == []


def test_the_confirmation_belongs_to_the_browser_that_joined(
    tenant_a: OrganizerFixture, full_day
) -> None:
    client = host_client(tenant_a.host)
    _to_review(client, full_day)
    press_book(client)

    stranger = host_client(tenant_a.host).get("/daftar/daftar-tunggu/")

    assert stranger.status_code == 302
    assert "Siti" not in stranger.content.decode()
