"""An organiser's administrator sets up a venue, a schedule and its slots in a real browser on a
360 px phone, in Bahasa Indonesia, the way a person would: through the links and the labels."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from organizers.models import BlackoutDay, Programme, Slot, SlotTemplate, Venue
from tenants.context import tenant_scope
from tenants.models import Tenant
from tests.browser.conftest import LiveServer, screenshot, sign_in_to_kelola

pytestmark = pytest.mark.browser

JAKARTA = ZoneInfo("Asia/Jakarta")  # Jawa Barat keeps WIB
ADMIN_EMAIL = "browser-admin@alpha.test"
VENUE_NAME = "Puskesmas Cibeunying"
DASH, TIMES = "\u2013", "\u00d7"  # en dash and multiplication sign, as the pages write them


def _next_monday() -> dt.date:
    today = timezone.localdate(timezone.now(), JAKARTA)
    return today + dt.timedelta(days=7 - today.weekday())


def _label(text: str) -> re.Pattern[str]:
    """A field's label exactly, with or without Django's label suffix (a colon)."""
    return re.compile(rf"^{re.escape(text)}:?$")


def _fits_the_phone(page: object) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_an_administrator_adds_a_venue_and_a_weeks_schedule_on_a_phone(
    platform_server: LiveServer,
    phone: object,
    committed: Callable[[Callable], None],
    alpha_admin: Callable[[str], Tenant],
) -> None:
    tenant = alpha_admin(ADMIN_EMAIL)
    # The session's alpha has no programme: the platform would have set one up.
    with tenant_scope(tenant):
        programme = Programme.objects.create(
            name="Vaksinasi Umum Bandung", kind="public", vaccine_brands=["sinovac"]
        )

    def remove_the_organisers_data() -> None:
        with tenant_scope(tenant):
            Slot.objects.all().delete()
            SlotTemplate.objects.all().delete()
            BlackoutDay.objects.all().delete()
            Venue.objects.all().delete()
            Programme.objects.filter(id=programme.id).delete()

    committed(remove_the_organisers_data)
    monday = _next_monday()
    sunday = monday + dt.timedelta(days=6)

    # Sign in on the organiser's own host.
    sign_in_to_kelola(phone, platform_server, ADMIN_EMAIL)
    assert phone.get_by_role("heading", level=1).inner_text() == "Dasbor"
    screenshot(phone, "organizer-1-dashboard")

    # The dashboard leads to the venues; there are none yet.
    phone.get_by_role("link", name="Lokasi, jadwal, dan kalender").click()
    phone.wait_for_url(re.compile(r"/kelola/lokasi/$"))
    assert phone.get_by_role("heading", level=1).inner_text() == "Lokasi"
    assert phone.get_by_text(re.compile("^Belum ada lokasi.")).is_visible()
    _fits_the_phone(phone)
    screenshot(phone, "organizer-2-venues-empty")

    # Add a venue in Jawa Barat that gives Sinovac.
    phone.get_by_role("link", name="Tambah lokasi").click()
    phone.wait_for_url(re.compile(r"/kelola/lokasi/baru/$"))
    phone.get_by_label("Nama lokasi").fill(VENUE_NAME)
    phone.get_by_label("Alamat").fill("Jl. Cikutra No. 12")
    phone.get_by_label("Provinsi").select_option(label="Jawa Barat")
    phone.get_by_label("Kota atau kabupaten").fill("Kota Bandung")
    phone.get_by_label("Sinovac (CoronaVac)").check()
    phone.get_by_label(_label("Narahubung")).fill("dr. Siti Rahma")
    phone.get_by_label("Telepon narahubung").fill("+62222501234")
    _fits_the_phone(phone)
    screenshot(phone, "organizer-3-venue-form")
    phone.get_by_role("button", name="Simpan lokasi").click()

    phone.wait_for_url(re.compile(r"/kelola/lokasi/$"))
    assert phone.get_by_text(f"{VENUE_NAME} sudah disimpan.").is_visible()
    card = phone.locator(".card").filter(has_text=VENUE_NAME)
    assert "Menunggu peninjauan" in card.inner_text()
    assert "Kota Bandung, Jawa Barat · WIB" in card.inner_text()
    _fits_the_phone(phone)
    screenshot(phone, "organizer-4-venue-added")
    with tenant_scope(tenant):
        venue = Venue.objects.get(name=VENUE_NAME)
    assert (venue.province, venue.time_zone, venue.vaccine_brands, venue.status) == (
        "Jawa Barat",
        "Asia/Jakarta",
        ["sinovac"],
        "pending",
    )

    # From the venue, a schedule for next week, every day.
    card.get_by_role("link", name=VENUE_NAME).click()
    phone.wait_for_url(re.compile(rf"/kelola/lokasi/{venue.id}/$"))
    screenshot(phone, "organizer-5-venue")
    phone.get_by_role("link", name="Tambah jadwal").click()
    phone.wait_for_url(re.compile(rf"/kelola/lokasi/{venue.id}/jadwal/baru/$"))
    assert phone.get_by_role("heading", level=1).inner_text() == f"Jadwal baru di {VENUE_NAME}"
    phone.get_by_label(_label("Program")).select_option(label=programme.name)
    phone.get_by_label(_label("Vaksin")).select_option(label="Sinovac (CoronaVac)")
    phone.get_by_label("Hari pertama").fill(monday.isoformat())
    phone.get_by_label("Hari terakhir").fill(sunday.isoformat())
    for weekday in ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"):
        phone.get_by_role("checkbox", name=weekday, exact=True).check()
    phone.get_by_label("Jam buka").fill("08:00")
    phone.get_by_label("Jam tutup").fill("12:00")
    phone.get_by_label("Istirahat 1 mulai").fill("10:00")
    phone.get_by_label("Istirahat 1 selesai").fill("10:30")
    phone.get_by_label("Panjang sesi (menit)").fill("30")
    phone.get_by_label("Hitung dari jumlah jalur dan menit per suntikan").check()
    phone.get_by_label("Jalur vaksinasi (jika dihitung)").fill("2")
    phone.get_by_label("Menit per suntikan (jika dihitung)").fill("5")
    _fits_the_phone(phone)
    screenshot(phone, "organizer-6-schedule-form")
    phone.get_by_role("button", name="Buat jadwal dan sesinya").click()

    # The confirmation: 2 lanes x (30 / 5) = 12 seats, 7 days x 7 slots = 49 slots.
    phone.wait_for_url(re.compile(rf"/kelola/lokasi/{venue.id}/jadwal/\d+/$"))
    assert phone.get_by_text("49 sesi dibuat.").is_visible()
    stats = phone.locator("dl.stats > div")
    assert stats.filter(has_text="Kursi per sesi").locator("dd").inner_text() == "12"
    assert stats.filter(has_text="Sesi dari jadwal ini").locator("dd").inner_text() == "49"
    assert phone.locator(".computation").inner_text() == (
        f"2 jalur {TIMES} 6 suntikan per jalur (30 menit ÷ 5 menit per suntikan) "
        "= 12 kursi per sesi."
    )
    _fits_the_phone(phone)
    screenshot(phone, "organizer-7-schedule-created")
    with tenant_scope(tenant):
        assert Slot.objects.filter(venue=venue).count() == 49

    # The week calendar of that week.
    phone.get_by_role("link", name="Lihat sesi di kalender").click()
    phone.wait_for_url(re.compile(rf"/kelola/lokasi/{venue.id}/kalender/\?minggu={monday}$"))
    assert phone.get_by_role("heading", level=1).inner_text() == f"Kalender {VENUE_NAME}"
    assert "waktu dalam WIB" in phone.locator(".lead").inner_text()
    days = phone.locator("section.day")
    assert days.count() == 7
    for index in range(7):
        day = days.nth(index)
        assert day.locator(".day-total").inner_text() == "7 sesi, 0 dari 84 kursi terisi"
        times = day.locator(".slot-time").all_inner_texts()
        assert times[0] == f"08:00{DASH}08:30"
        assert f"10:00{DASH}10:30" not in times  # the break
        assert times[-1] == f"11:30{DASH}12:00"
    assert phone.locator(".slot-fill").all_inner_texts() == ["0/12 terisi (0%)"] * 49
    assert days.first.get_by_role("heading").inner_text().startswith(f"Senin, {monday.day} ")
    assert days.last.get_by_role("heading").inner_text().startswith(f"Minggu, {sunday.day} ")
    _fits_the_phone(phone)
    screenshot(phone, "organizer-8-calendar")
