"""The organiser's pages under /kelola/: venues, a schedule and its slots, the week calendar,
one slot's settings, days off. Through the test client, in Bahasa Indonesia (the default);
every refusal re-shows the form with its message and writes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from organizers.models import BlackoutDay, Programme, Slot, SlotTemplate, Venue
from tenants.context import tenant_scope
from tenants.models import User
from tests.conftest import OrganizerFixture, host_client
from tests.organizers.factories import a_programme, a_venue
from tests.public_site.organizer_access import (
    assert_check_in_staff_refused_and_anonymous_sent_to_sign_in,
    assert_owners_and_admins_see,
)

JAYAPURA = ZoneInfo("Asia/Jayapura")
DASH, TIMES = "\u2013", "\u00d7"  # en dash and multiplication sign, as the pages write them


def _next_monday(weeks_ahead: int = 1) -> dt.date:
    today = timezone.localdate(timezone.now(), JAYAPURA)
    return today + dt.timedelta(days=7 * weeks_ahead - today.weekday())


def _papua_venue(**overrides: object) -> Venue:
    fields = {
        "name": "Puskesmas Abepura",
        "address": "Jl. Raya Abepura 2",
        "city": "Kota Jayapura",
        "province": "Papua",
        "time_zone": "Asia/Jayapura",
        "vaccine_brands": ["sinovac"],
    }
    return a_venue(**{**fields, **overrides})


def _counts(tenant: OrganizerFixture) -> dict[str, int]:
    with tenant_scope(tenant.tenant):
        return {
            model.__name__: model.objects.count()
            for model in (Venue, SlotTemplate, Slot, BlackoutDay)
        }


# Venues


VENUE_FORM = {
    "name": "Puskesmas Abepura",
    "address": "Jl. Raya Abepura 2",
    "province": "Papua",
    "city": "Kota Jayapura",
    "latitude": "-2.597700",
    "longitude": "140.637000",
    "time_zone": "",
    "facility_code": "P9471010201",
    "vaccine_brands": ["sinovac", "pfizer"],
    "contact_name": "dr. Maria Kambu",
    "contact_phone": "+62967581234",
}


def test_a_new_venue_in_papua_follows_the_province_into_wit_and_waits_for_review(
    tenant_a: OrganizerFixture,
) -> None:
    client = host_client(tenant_a.host, user=tenant_a.owner)

    response = client.post("/kelola/lokasi/baru/", VENUE_FORM)

    assert response.status_code == 302
    assert response["Location"] == "/kelola/lokasi/"
    with tenant_scope(tenant_a.tenant):
        venue = Venue.objects.get()
    assert (venue.name, venue.province, venue.time_zone, venue.status) == (
        "Puskesmas Abepura",
        "Papua",
        "Asia/Jayapura",
        "pending",
    )
    assert venue.vaccine_brands == ["pfizer", "sinovac"]
    assert str(venue.latitude) == "-2.597700"
    listing = client.get("/kelola/lokasi/").content.decode()
    assert "Puskesmas Abepura" in listing
    assert "Menunggu peninjauan" in listing
    assert "WIT" in listing
    assert "staf platform" in listing


def test_the_venue_form_says_a_new_venue_waits_for_platform_staff(
    tenant_a: OrganizerFixture,
) -> None:
    body = host_client(tenant_a.host, user=tenant_a.owner).get("/kelola/lokasi/baru/")

    text = body.content.decode()
    assert body.status_code == 200
    assert '<label for="id_province">Provinsi' in text
    assert "Ikuti provinsi" in text
    assert 'value="sinovac"' in text  # vaccines from the platform's list
    assert "staf platform" in text


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": ""}, "name", "Bidang ini harus diisi."),
        ({"province": "Atlantis"}, "province", "Masukkan pilihan yang valid."),
        ({"latitude": "-95"}, "latitude", "Pastikan nilai ini lebih besar dari atau sama dengan"),
    ],
)
def test_a_refused_venue_reshows_the_form_in_indonesian_and_writes_nothing(
    change: dict[str, str], field: str, message: str, tenant_a: OrganizerFixture
) -> None:
    before = _counts(tenant_a)

    response = host_client(tenant_a.host, user=tenant_a.owner).post(
        "/kelola/lokasi/baru/", {**VENUE_FORM, **change}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body
    assert message in body
    assert 'value="dr. Maria Kambu"' in body  # nothing typed is lost
    assert _counts(tenant_a) == before


def test_editing_a_venue_keeps_an_explicit_time_zone(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        venue = a_venue(province="Jawa Barat")

    client = host_client(tenant_a.host, user=tenant_a.owner)
    form = client.get(f"/kelola/lokasi/{venue.id}/").content.decode()
    response = client.post(
        f"/kelola/lokasi/{venue.id}/",
        {
            **VENUE_FORM,
            "name": "Puskesmas Cempaka Baru",
            "province": "Bali",
            "time_zone": "Asia/Jakarta",
        },
    )

    assert 'value="Puskesmas Cempaka"' in form
    assert response.status_code == 302
    with tenant_scope(tenant_a.tenant):
        venue.refresh_from_db()
    assert (venue.name, venue.province, venue.time_zone, venue.status) == (
        "Puskesmas Cempaka Baru",
        "Bali",
        "Asia/Jakarta",
        "approved",
    )


# A schedule and its slots


def _template_form(programme: Programme, first_day: dt.date, **changes: object) -> dict:
    form = {
        "programme": programme.id,
        "vaccine_brand": "sinovac",
        "first_day": first_day.isoformat(),
        "last_day": (first_day + dt.timedelta(days=6)).isoformat(),
        "weekdays": ["0", "1", "2"],
        "opens": "08:00",
        "closes": "12:00",
        "break1_start": "10:00",
        "break1_end": "10:30",
        "break2_start": "",
        "break2_end": "",
        "slot_minutes": "30",
        "capacity_mode": "computed",
        "capacity": "",
        "lanes": "3",
        "minutes_per_injection": "10",
        "capacity_dose1": "",
        "capacity_dose2": "",
        "capacity_dose3": "",
        "opens_days_before": "7",
        "opens_at_time": "10:00",
        "closes_hours_before": "2",
    }
    return {**form, **changes}


def test_a_schedule_makes_its_week_of_slots_in_the_venues_own_time(
    tenant_a: OrganizerFixture,
) -> None:
    monday = _next_monday(weeks_ahead=2)
    with tenant_scope(tenant_a.tenant):
        programme, venue = a_programme(), _papua_venue()
        BlackoutDay.objects.create(day=monday + dt.timedelta(days=2), reason="Hari libur")
        earlier = Slot.objects.create(
            venue=venue,
            programme=programme,
            starts_at=dt.datetime.combine(monday, dt.time(8, 0), JAYAPURA),
            ends_at=dt.datetime.combine(monday, dt.time(8, 30), JAYAPURA),
            capacity=4,
            vaccine_brand="sinovac",
            booking_opens_at=timezone.now(),
            booking_closes_at=dt.datetime.combine(monday, dt.time(7, 0), JAYAPURA),
        )
    client = host_client(tenant_a.host, user=tenant_a.owner)

    response = client.post(
        f"/kelola/lokasi/{venue.id}/jadwal/baru/", _template_form(programme, monday)
    )

    assert response.status_code == 302
    with tenant_scope(tenant_a.tenant):
        template = SlotTemplate.objects.get()
        slots = list(Slot.objects.filter(venue=venue).exclude(id=earlier.id))
    assert response["Location"] == f"/kelola/lokasi/{venue.id}/jadwal/{template.id}/"
    assert (template.capacity, template.lanes, template.minutes_per_injection) == (9, 3, 10)
    assert template.breaks == [["10:00", "10:30"]]
    # Monday and Tuesday (Wednesday is a day off): 08:00-10:00 and 10:30-12:00 in WIT, minus
    # Monday 08:00, which already existed.
    assert len(slots) == 2 * 7 - 1
    local_starts = sorted(
        slot.starts_at.astimezone(JAYAPURA).replace(tzinfo=None) for slot in slots
    )
    expected = sorted(
        dt.datetime.combine(day, dt.time(hour, minute))
        for day in (monday, monday + dt.timedelta(days=1))
        for hour, minute in ((8, 0), (8, 30), (9, 0), (9, 30), (10, 30), (11, 0), (11, 30))
        if (day, hour, minute) != (monday, 8, 0)
    )
    assert local_starts == expected
    assert {slot.capacity for slot in slots} == {9}
    assert all(slot.ends_at - slot.starts_at == dt.timedelta(minutes=30) for slot in slots)
    earlier.refresh_from_db()
    assert earlier.capacity == 4  # kept as it was

    confirmation = client.get(response["Location"]).content.decode()
    assert "13 sesi dibuat." in confirmation
    assert "1 sesi yang sudah ada dibiarkan apa adanya." in confirmation
    assert "1 hari libur dilewati." in confirmation
    assert f"3 jalur {TIMES} 3 suntikan per jalur" in confirmation
    assert "= 9 kursi per sesi" in confirmation


def test_a_typed_schedule_with_seats_by_dose_keeps_the_split(tenant_a: OrganizerFixture) -> None:
    monday = _next_monday()
    with tenant_scope(tenant_a.tenant):
        programme, venue = a_programme(), _papua_venue()

    response = host_client(tenant_a.host, user=tenant_a.owner).post(
        f"/kelola/lokasi/{venue.id}/jadwal/baru/",
        _template_form(
            programme,
            monday,
            weekdays=["4"],
            capacity_mode="typed",
            capacity="20",
            capacity_dose1="12",
            capacity_dose3="8",
            break1_start="",
            break1_end="",
        ),
    )

    assert response.status_code == 302
    with tenant_scope(tenant_a.tenant):
        slots = list(Slot.objects.filter(venue=venue))
    assert len(slots) == 8  # Friday 08:00-12:00 in 30-minute slots
    assert {(s.capacity, s.capacity_dose1, s.capacity_dose2, s.capacity_dose3) for s in slots} == {
        (20, 12, None, 8)
    }


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"opens": "12:00", "closes": "08:00"}, "closes", "Jam tutup harus setelah jam buka."),
        (
            {"last_day": "FIRST_DAY_MINUS_ONE"},
            "last_day",
            "Hari terakhir tidak boleh sebelum hari pertama.",
        ),
        (
            {"capacity_dose1": "10"},  # computed: 3 lanes x 3 injections = 9 seats
            "capacity_dose1",
            "Jatah satu dosis tidak boleh melebihi kursi per sesi.",
        ),
        ({"lanes": ""}, "lanes", "Isi jumlah jalur dan menit per suntikan."),
        (
            {"capacity_mode": "typed", "capacity": ""},
            "capacity",
            "Isi jumlah kursi per sesi.",
        ),
        (
            {"break1_start": "07:00", "break1_end": "07:30"},
            "break1_start",
            "Waktu istirahat harus di dalam jam buka.",
        ),
        ({"break1_end": ""}, "break1_end", "Isi jam mulai dan jam selesai istirahat."),
        ({"weekdays": []}, "weekdays", "Bidang ini harus diisi."),
        ({"vaccine_brand": "pfizer"}, "vaccine_brand", "Masukkan pilihan yang valid."),
    ],
)
def test_a_refused_schedule_reshows_the_form_in_indonesian_and_writes_nothing(
    changes: dict[str, object], field: str, message: str, tenant_a: OrganizerFixture
) -> None:
    monday = _next_monday()
    with tenant_scope(tenant_a.tenant):
        programme, venue = a_programme(), _papua_venue()
    if changes.get("last_day") == "FIRST_DAY_MINUS_ONE":
        changes = {"last_day": (monday - dt.timedelta(days=1)).isoformat()}
    before = _counts(tenant_a)

    response = host_client(tenant_a.host, user=tenant_a.owner).post(
        f"/kelola/lokasi/{venue.id}/jadwal/baru/", _template_form(programme, monday, **changes)
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body
    assert message in body
    assert "Periksa kolom yang ditandai di bawah." in body
    assert _counts(tenant_a) == before


def test_a_schedule_cannot_start_in_the_past(tenant_a: OrganizerFixture) -> None:
    yesterday = timezone.localdate(timezone.now(), JAYAPURA) - dt.timedelta(days=1)
    with tenant_scope(tenant_a.tenant):
        programme, venue = a_programme(), _papua_venue()

    response = host_client(tenant_a.host, user=tenant_a.owner).post(
        f"/kelola/lokasi/{venue.id}/jadwal/baru/",
        _template_form(programme, yesterday, weekdays=[str(n) for n in range(7)]),
    )

    assert response.status_code == 200
    assert "Hari pertama tidak boleh di masa lalu." in response.content.decode()
    assert _counts(tenant_a)["SlotTemplate"] == 0


# The week calendar and one slot


def _slot(venue: Venue, programme: Programme, start: dt.datetime, **fields: object) -> Slot:
    values = {
        "venue": venue,
        "programme": programme,
        "starts_at": start,
        "ends_at": start + dt.timedelta(minutes=30),
        "capacity": 20,
        "vaccine_brand": "sinovac",
        "booking_opens_at": timezone.now(),
        "booking_closes_at": start - dt.timedelta(hours=2),
    }
    return Slot.objects.create(**{**values, **fields})


def test_the_week_calendar_shows_each_day_in_venue_time_with_its_fill_level(
    tenant_a: OrganizerFixture,
) -> None:
    monday = _next_monday()
    with tenant_scope(tenant_a.tenant):
        programme, venue = a_programme(), _papua_venue()
        # 08:00 WIT is 06:00 in Jakarta: the page must say 08:00.
        _slot(venue, programme, dt.datetime.combine(monday, dt.time(8, 0), JAYAPURA), booked=5)
        _slot(venue, programme, dt.datetime.combine(monday, dt.time(8, 30), JAYAPURA), booked=20)
        _slot(
            venue,
            programme,
            dt.datetime.combine(monday + dt.timedelta(days=3), dt.time(13, 0), JAYAPURA),
            is_closed=True,
        )
        # A slot of the week before is not on this page.
        _slot(
            venue,
            programme,
            dt.datetime.combine(monday - dt.timedelta(days=1), dt.time(9, 0), JAYAPURA),
        )
        BlackoutDay.objects.create(
            venue=venue, day=monday + dt.timedelta(days=5), reason="Renovasi"
        )

    response = host_client(tenant_a.host, user=tenant_a.owner).get(
        f"/kelola/lokasi/{venue.id}/kalender/?minggu={(monday + dt.timedelta(days=2)).isoformat()}"
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "waktu dalam WIT" in body
    assert f"08:00{DASH}08:30" in body
    assert "5/20 terisi (25%)" in body
    assert "20/20 terisi (100%)" in body
    assert "Penuh" in body
    assert f"13:00{DASH}13:30" in body
    assert "0/20 terisi (0%)" in body
    assert "Ditutup" in body
    assert f"09:00{DASH}09:30" not in body
    assert "Libur: Renovasi" in body
    assert f"Senin, {monday.day} " in body
    assert "Minggu, " in body
    previous_week = (monday - dt.timedelta(days=7)).isoformat()
    next_week = (monday + dt.timedelta(days=7)).isoformat()
    assert f'href="?minggu={previous_week}"' in body
    assert f'href="?minggu={next_week}"' in body


def test_lowering_a_slot_below_its_bookings_shows_why_and_changes_nothing(
    tenant_a: OrganizerFixture,
) -> None:
    start = dt.datetime.combine(_next_monday(), dt.time(9, 0), JAYAPURA)
    with tenant_scope(tenant_a.tenant):
        slot = _slot(_papua_venue(), a_programme(), start, booked=5)
    closes_before = slot.booking_closes_at

    response = host_client(tenant_a.host, user=tenant_a.owner).post(
        f"/kelola/slot/{slot.id}/",
        {"capacity": "3", "is_closed": "on", "booking_closes_at": start.strftime("%Y-%m-%dT07:30")},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_capacity_error"' in body
    assert "5 kursi sudah terisi: kapasitas tidak boleh lebih kecil." in body
    with tenant_scope(tenant_a.tenant):
        slot.refresh_from_db()
    assert (slot.capacity, slot.booked, slot.is_closed, slot.booking_closes_at) == (
        20,
        5,
        False,
        closes_before,
    )


def test_closing_a_slot_and_changing_its_seats_in_venue_time(tenant_a: OrganizerFixture) -> None:
    start = dt.datetime.combine(_next_monday(), dt.time(9, 0), JAYAPURA)
    with tenant_scope(tenant_a.tenant):
        slot = _slot(_papua_venue(), a_programme(), start, booked=5)
    client = host_client(tenant_a.host, user=tenant_a.owner)

    form = client.get(f"/kelola/slot/{slot.id}/").content.decode()
    response = client.post(
        f"/kelola/slot/{slot.id}/",
        {"capacity": "5", "is_closed": "on", "booking_closes_at": start.strftime("%Y-%m-%dT08:15")},
    )

    # The form shows the closing time in WIT (07:00), not in the server's zone.
    assert f'value="{start.strftime("%Y-%m-%d")}T07:00"' in form
    assert response.status_code == 302
    assert response["Location"].endswith(f"/kalender/?minggu={_next_monday().isoformat()}")
    with tenant_scope(tenant_a.tenant):
        slot.refresh_from_db()
    assert (slot.capacity, slot.is_closed) == (5, True)
    assert slot.booking_closes_at == start.replace(hour=8, minute=15)

    reopened = client.post(
        f"/kelola/slot/{slot.id}/",
        {"capacity": "5", "booking_closes_at": start.strftime("%Y-%m-%dT08:15")},
    )

    assert reopened.status_code == 302
    with tenant_scope(tenant_a.tenant):
        slot.refresh_from_db()
    assert slot.is_closed is False


def test_booking_cannot_close_after_the_slot_ends(tenant_a: OrganizerFixture) -> None:
    start = dt.datetime.combine(_next_monday(), dt.time(9, 0), JAYAPURA)
    with tenant_scope(tenant_a.tenant):
        slot = _slot(_papua_venue(), a_programme(), start)

    response = host_client(tenant_a.host, user=tenant_a.owner).post(
        f"/kelola/slot/{slot.id}/",
        {"capacity": "20", "booking_closes_at": start.strftime("%Y-%m-%dT10:00")},
    )

    assert response.status_code == 200
    assert "Pendaftaran harus ditutup sebelum sesi berakhir." in response.content.decode()
    with tenant_scope(tenant_a.tenant):
        slot.refresh_from_db()
    assert slot.booking_closes_at == start - dt.timedelta(hours=2)


# Days off


def test_a_day_off_for_every_venue_is_listed_and_a_second_one_is_refused(
    tenant_a: OrganizerFixture,
) -> None:
    day = _next_monday()
    with tenant_scope(tenant_a.tenant):
        venue = _papua_venue()
        _slot(venue, a_programme(), dt.datetime.combine(day, dt.time(9, 0), JAYAPURA))
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
    day = _next_monday()
    with tenant_scope(tenant_a.tenant):
        venue = _papua_venue()

    response = host_client(tenant_a.host, user=tenant_a.owner).post(
        "/kelola/libur/", {"day": day.isoformat(), "venue": str(venue.id), "reason": ""}
    )

    assert response.status_code == 302
    with tenant_scope(tenant_a.tenant):
        assert BlackoutDay.objects.get().venue_id == venue.id


# Who may see these pages


def _pages(tenant: OrganizerFixture) -> list[str]:
    with tenant_scope(tenant.tenant):
        programme, venue = a_programme(), _papua_venue()
        template = SlotTemplate.objects.create(
            venue=venue,
            programme=programme,
            first_day=_next_monday(),
            last_day=_next_monday(),
            weekdays=[0],
            opens=dt.time(8),
            closes=dt.time(9),
            slot_minutes=30,
            capacity=5,
            vaccine_brand="sinovac",
        )
        slot = _slot(venue, programme, dt.datetime.combine(_next_monday(), dt.time(8), JAYAPURA))
    return [
        "/kelola/lokasi/",
        "/kelola/lokasi/baru/",
        f"/kelola/lokasi/{venue.id}/",
        f"/kelola/lokasi/{venue.id}/jadwal/baru/",
        f"/kelola/lokasi/{venue.id}/jadwal/{template.id}/",
        f"/kelola/lokasi/{venue.id}/kalender/",
        f"/kelola/slot/{slot.id}/",
        "/kelola/libur/",
    ]


def test_owners_and_administrators_see_every_page(
    tenant_a: OrganizerFixture, make_member: Callable[..., User]
) -> None:
    admin = make_member(tenant_a, "admin", "admin@alpha.test")

    assert_owners_and_admins_see(tenant_a, admin, _pages(tenant_a))


def test_check_in_staff_get_not_found_and_the_anonymous_are_sent_to_sign_in(
    tenant_a: OrganizerFixture, make_member: Callable[..., User]
) -> None:
    checkin = make_member(tenant_a, "checkin_staff", "checkin@alpha.test")
    pages = _pages(tenant_a)
    before = _counts(tenant_a)

    assert_check_in_staff_refused_and_anonymous_sent_to_sign_in(
        tenant_a, checkin, pages, VENUE_FORM
    )

    assert _counts(tenant_a) == before
    dashboard = host_client(tenant_a.host, user=checkin).get("/kelola/").content.decode()
    assert "/kelola/lokasi/" not in dashboard


def test_another_organisers_objects_do_not_exist_on_this_host(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture
) -> None:
    alpha_pages = [page for page in _pages(tenant_a) if any(c.isdigit() for c in page)]
    before = _counts(tenant_b)

    for client in (
        host_client(tenant_b.host, user=tenant_b.owner),  # beta's own owner, alpha's ids
        host_client(tenant_b.host, user=tenant_a.owner),  # alpha's owner on beta's host
    ):
        for page in alpha_pages:
            response = client.get(page)
            assert response.status_code == 404, page
            assert "Puskesmas Abepura" not in response.content.decode()
            assert client.post(page, {"capacity": "1", "name": "x"}).status_code == 404, page

    assert _counts(tenant_b) == before


def test_the_dashboard_links_to_the_organiser_pages(tenant_a: OrganizerFixture) -> None:
    body = host_client(tenant_a.host, user=tenant_a.owner).get("/kelola/").content.decode()

    assert 'href="/kelola/lokasi/"' in body
    assert 'href="/kelola/libur/"' in body
