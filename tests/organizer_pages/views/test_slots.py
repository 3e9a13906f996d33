"""The organiser's schedule pages: a schedule and the slots it makes, the week calendar and
one slot's settings, all in the venue's own time. Through the test client, in Bahasa Indonesia
(the default); every refusal re-shows the form with its message and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from organizers.models import BlackoutDay, Programme, Slot, SlotTemplate
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture, host_client
from tests.organizer_pages.papua_venue import (
    JAYAPURA,
    a_slot_starting,
    next_monday,
    papua_venue,
    schedule_counts,
)
from tests.organizers.factories import a_programme

DASH, TIMES = "\u2013", "\u00d7"  # en dash and multiplication sign, as the pages write them


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
    monday = next_monday(weeks_ahead=2)
    with tenant_scope(tenant_a.tenant):
        programme, venue = a_programme(), papua_venue()
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
    monday = next_monday()
    with tenant_scope(tenant_a.tenant):
        programme, venue = a_programme(), papua_venue()

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
    monday = next_monday()
    with tenant_scope(tenant_a.tenant):
        programme, venue = a_programme(), papua_venue()
    if changes.get("last_day") == "FIRST_DAY_MINUS_ONE":
        changes = {"last_day": (monday - dt.timedelta(days=1)).isoformat()}
    before = schedule_counts(tenant_a)

    response = host_client(tenant_a.host, user=tenant_a.owner).post(
        f"/kelola/lokasi/{venue.id}/jadwal/baru/", _template_form(programme, monday, **changes)
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="id_{field}_error"' in body
    assert message in body
    assert "Periksa kolom yang ditandai di bawah." in body
    assert schedule_counts(tenant_a) == before


def test_a_schedule_cannot_start_in_the_past(tenant_a: OrganizerFixture) -> None:
    yesterday = timezone.localdate(timezone.now(), JAYAPURA) - dt.timedelta(days=1)
    with tenant_scope(tenant_a.tenant):
        programme, venue = a_programme(), papua_venue()

    response = host_client(tenant_a.host, user=tenant_a.owner).post(
        f"/kelola/lokasi/{venue.id}/jadwal/baru/",
        _template_form(programme, yesterday, weekdays=[str(n) for n in range(7)]),
    )

    assert response.status_code == 200
    assert "Hari pertama tidak boleh di masa lalu." in response.content.decode()
    assert schedule_counts(tenant_a)["SlotTemplate"] == 0


# The week calendar and one slot


def test_the_week_calendar_shows_each_day_in_venue_time_with_its_fill_level(
    tenant_a: OrganizerFixture,
) -> None:
    monday = next_monday()
    with tenant_scope(tenant_a.tenant):
        programme, venue = a_programme(), papua_venue()
        # 08:00 WIT is 06:00 in Jakarta: the page must say 08:00.
        a_slot_starting(
            venue, programme, dt.datetime.combine(monday, dt.time(8, 0), JAYAPURA), booked=5
        )
        a_slot_starting(
            venue, programme, dt.datetime.combine(monday, dt.time(8, 30), JAYAPURA), booked=20
        )
        a_slot_starting(
            venue,
            programme,
            dt.datetime.combine(monday + dt.timedelta(days=3), dt.time(13, 0), JAYAPURA),
            is_closed=True,
        )
        # A slot of the week before is not on this page.
        a_slot_starting(
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
    start = dt.datetime.combine(next_monday(), dt.time(9, 0), JAYAPURA)
    with tenant_scope(tenant_a.tenant):
        slot = a_slot_starting(papua_venue(), a_programme(), start, booked=5)
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
    start = dt.datetime.combine(next_monday(), dt.time(9, 0), JAYAPURA)
    with tenant_scope(tenant_a.tenant):
        slot = a_slot_starting(papua_venue(), a_programme(), start, booked=5)
    client = host_client(tenant_a.host, user=tenant_a.owner)

    form = client.get(f"/kelola/slot/{slot.id}/").content.decode()
    response = client.post(
        f"/kelola/slot/{slot.id}/",
        {"capacity": "5", "is_closed": "on", "booking_closes_at": start.strftime("%Y-%m-%dT08:15")},
    )

    # The form shows the closing time in WIT (07:00), not in the server's zone.
    assert f'value="{start.strftime("%Y-%m-%d")}T07:00"' in form
    assert response.status_code == 302
    assert response["Location"].endswith(f"/kalender/?minggu={next_monday().isoformat()}")
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
    start = dt.datetime.combine(next_monday(), dt.time(9, 0), JAYAPURA)
    with tenant_scope(tenant_a.tenant):
        slot = a_slot_starting(papua_venue(), a_programme(), start)

    response = host_client(tenant_a.host, user=tenant_a.owner).post(
        f"/kelola/slot/{slot.id}/",
        {"capacity": "20", "booking_closes_at": start.strftime("%Y-%m-%dT10:00")},
    )

    assert response.status_code == 200
    assert "Pendaftaran harus ditutup sebelum sesi berakhir." in response.content.decode()
    with tenant_scope(tenant_a.tenant):
        slot.refresh_from_db()
    assert slot.booking_closes_at == start - dt.timedelta(hours=2)
