"""People book on the organiser's host in a real browser on a 360 px phone, in Bahasa Indonesia,
through the labels and buttons they see; axe-core (from npm) checks every step for WCAG 2.0/2.1
A and AA problems, and no serious or critical one may be left."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from config.env import BASE_DIR
from organizers.models import Booking, Programme, RosterEntry, Slot
from organizers.nik import nik_compose
from organizers.personal_data import person_key, seal
from organizers.services.manage_links import manage_link_token_create
from tenants.context import public_scope, tenant_scope
from tenants.models import Tenant
from tests.browser.conftest import LiveServer, screenshot
from tests.organizers.factories import a_programme, a_slot, a_venue, organizer_data_delete

pytestmark = pytest.mark.browser

AXE = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
JAKARTA = ZoneInfo("Asia/Jakarta")
SITI_BORN = dt.date(1958, 3, 14)
BUDI_BORN = dt.date(1955, 7, 2)


def go(page: object, target: object) -> None:
    """Click a link or a form's button and wait for the page it leads to (the next step's
    checks must not run on the page being left)."""
    with page.expect_navigation():
        target.click()


def check_accessibility(page: object, name: str) -> None:
    """axe-core on the page as it is now; a screenshot for a person to look at."""
    if not AXE.exists():
        pytest.fail("axe-core is missing: ./sentra test installs it (npm ci)")
    # Served as if from the page's own host: the pages' Content-Security-Policy allows scripts
    # from there only, and the check runs on the pages as people get them (policy included).
    page.route(
        "**/__axe-core__.js",
        lambda route: route.fulfill(path=str(AXE), content_type="application/javascript"),
    )
    page.add_script_tag(url="/__axe-core__.js")
    violations = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
            }));
        }""",
        WCAG_TAGS,
    )
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], f"{name}: {serious}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{name} is too wide"
    screenshot(page, f"booking-{name}")
    # WCAG 1.4.10 reflow: 320 CSS px (a 640 px screen at 200% zoom) without scrolling sideways.
    page.set_viewport_size({"width": 320, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, f"{name} at 320 px"
    page.set_viewport_size({"width": 360, "height": 740})


@pytest.fixture
def alpha_place(committed: Callable[[Callable], None]) -> dict[str, object]:
    """Alpha's public programme with a venue and, tomorrow and the day after, two arrival
    times each (committed: the browser's server must see them)."""
    with public_scope():
        tenant = Tenant.objects.get(slug="alpha")
    committed(lambda: organizer_data_delete(tenant))
    with tenant_scope(tenant):
        programme = a_programme(name="Vaksinasi Lansia Bandung", doses=[1, 2])
        venue = a_venue(name="Puskesmas Cempaka", latitude="-6.902481", longitude="107.618810")
        today = timezone.localdate(timezone.now(), JAKARTA)
        slots = []
        for days in (1, 2):
            for hour in (9, 10):
                starts = dt.datetime.combine(
                    today + dt.timedelta(days=days), dt.time(hour), JAKARTA
                )
                slots.append(
                    a_slot(
                        venue=venue,
                        programme=programme,
                        capacity=5,
                        starts_at=starts,
                        ends_at=starts + dt.timedelta(minutes=30),
                        booking_closes_at=starts - dt.timedelta(hours=1),
                    )
                )
    return {"tenant": tenant, "programme": programme, "venue": venue, "slots": slots}


def _to_the_first_free_time(phone: object, server: LiveServer, place: dict, prefix: str) -> None:
    phone.goto(server.url("alpha.localhost", "/"))
    assert phone.locator("html").get_attribute("lang") == "id"
    check_accessibility(phone, f"{prefix}1-programmes")
    go(phone, phone.get_by_role("link", name=re.compile("Vaksinasi Lansia Bandung")))

    phone.wait_for_url(re.compile(r"/daftar/\d+/$"))
    assert phone.get_by_text("Langkah 2 dari 7").is_visible()
    assert (
        phone.get_by_role("link", name=re.compile("^Peta"))
        .get_attribute("href")
        .startswith("https://www.openstreetmap.org/?mlat=-6.902481&mlon=107.618810")
    )
    check_accessibility(phone, f"{prefix}2-places")
    go(phone, phone.get_by_role("link", name=re.compile("^Pilih tempat ini.*Puskesmas Cempaka")))

    phone.wait_for_url(re.compile(r"/daftar/\d+/\d+/$"))
    check_accessibility(phone, f"{prefix}3-calendar")
    day_link = phone.locator("td.has-seats a").first
    # axe cannot always work out a link's background inside a table cell: the day's number
    # must not be drawn in the colour of its own background.
    ink, fill = day_link.evaluate(
        "e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]"
    )
    assert ink != fill
    go(phone, day_link)

    phone.wait_for_url(re.compile(r"/daftar/\d+/\d+/\d{4}-\d\d-\d\d/$"))
    assert phone.get_by_text("Sisa tempat: 5").first.is_visible()
    check_accessibility(phone, f"{prefix}4-times")
    phone.get_by_role("radio", name=re.compile(r"^09:00.09:30 WIB")).check()
    go(phone, phone.get_by_role("button", name="Lanjut"))
    phone.wait_for_url(re.compile(r"/daftar/data-diri/$"))


def _fill_person(phone: object, *, name: str, nik: str, born: dt.date, sex: str) -> None:
    phone.get_by_label("Nama lengkap sesuai KTP").fill(name)
    phone.get_by_label("NIK (16 angka di KTP)").fill(nik)
    phone.get_by_label("Tanggal", exact=True).fill(str(born.day))
    phone.get_by_label("Bulan").select_option(str(born.month))
    phone.get_by_label("Tahun").fill(str(born.year))
    phone.get_by_label(sex, exact=True).check()


def _fill_contact(phone: object) -> None:
    phone.get_by_label("Nomor HP").fill("0812 3456 7890")
    phone.get_by_label("Alamat email").fill("keluarga@example.id")
    phone.get_by_label("Alamat rumah").fill("Jl. Melati No. 5, Bandung")


def test_a_person_books_on_a_phone_in_bahasa_indonesia(
    platform_server: LiveServer, phone: object, alpha_place: dict
) -> None:
    _to_the_first_free_time(phone, platform_server, alpha_place, "")

    # Step 5: pressing on without answers lists the problems at the top and moves focus there.
    assert phone.get_by_text("Langkah 5 dari 7").is_visible()
    check_accessibility(phone, "5-person")
    go(phone, phone.get_by_role("button", name="Lanjut"))
    summary = phone.locator("#error-summary")
    expect(summary).to_be_focused()
    assert phone.get_by_label("Nama lengkap sesuai KTP").get_attribute("aria-invalid") == "true"
    check_accessibility(phone, "5-person-errors")
    summary.get_by_role("link", name=re.compile("nama lengkap")).click()
    assert phone.evaluate("document.activeElement.id") == "id_full_name"

    _fill_person(
        phone,
        name="Siti Aminah",
        nik=nik_compose(SITI_BORN, sex="F", serial=21),
        born=SITI_BORN,
        sex="Perempuan",
    )
    assert phone.get_by_label("Dosis pertama").is_checked()  # the first dose unless told
    go(phone, phone.get_by_role("button", name="Lanjut"))

    phone.wait_for_url(re.compile(r"/daftar/kontak/$"))
    check_accessibility(phone, "6-contact")
    _fill_contact(phone)
    go(phone, phone.get_by_role("button", name="Lanjut"))

    phone.wait_for_url(re.compile(r"/daftar/periksa/$"))
    assert phone.get_by_text("3273••••••••0021").is_visible()  # the NIK masked
    assert phone.get_by_text("UU No. 27 Tahun 2022", exact=False).is_visible()
    check_accessibility(phone, "7-review")
    go(phone, phone.get_by_role("button", name="Daftar sekarang"))  # no consent yet
    expect(phone.locator("#error-summary")).to_be_focused()
    phone.get_by_role("checkbox", name=re.compile("^Saya setuju")).check()
    go(phone, phone.get_by_role("button", name="Daftar sekarang"))

    phone.wait_for_url(re.compile(r"/daftar/selesai/$"))
    with tenant_scope(alpha_place["tenant"]):
        booking = Booking.objects.select_related("slot").get()
    assert phone.locator(".voucher-code").inner_text() == booking.voucher_code
    assert booking.slot_id == alpha_place["slots"][0].id
    assert (booking.phone, booking.language) == ("+6281234567890", "id")
    assert phone.get_by_text("keluarga@example.id", exact=False).first.is_visible()
    check_accessibility(phone, "8-done")

    # The booking, from "see or change": a new day and time at the same place.
    go(phone, phone.get_by_role("link", name=re.compile("Lihat atau ubah pendaftaran ini")))
    phone.wait_for_url(re.compile(r"/janji/\d+/$"))
    check_accessibility(phone, "9-manage")
    go(phone, phone.get_by_role("link", name="Pilih hari atau jam lain"))
    check_accessibility(phone, "10-reschedule-calendar")
    go(phone, phone.locator("td.has-seats a").last)
    phone.get_by_role("radio", name=re.compile(r"^10:00.10:30 WIB")).check()
    go(phone, phone.get_by_role("button", name="Lanjut"))
    phone.wait_for_url(re.compile(r"/janji/\d+/$"))
    assert phone.get_by_text("Jadwal baru Anda", exact=False).is_visible()
    with tenant_scope(alpha_place["tenant"]):
        assert Booking.objects.get(id=booking.id).slot_id == alpha_place["slots"][3].id


def test_a_nik_that_does_not_match_the_date_of_birth_is_refused(
    platform_server: LiveServer, phone: object, alpha_place: dict
) -> None:
    _to_the_first_free_time(phone, platform_server, alpha_place, "nik-")

    wrong = nik_compose(dt.date(1960, 3, 14), sex="F", serial=22)
    _fill_person(phone, name="Siti Aminah", nik=wrong, born=SITI_BORN, sex="Perempuan")
    go(phone, phone.get_by_role("button", name="Lanjut"))

    expect(phone.locator("#error-summary")).to_be_focused()
    nik = phone.get_by_label("NIK (16 angka di KTP)")
    assert nik.get_attribute("aria-invalid") == "true"
    assert "id_nik_error" in nik.get_attribute("aria-describedby")
    assert "14-03-60" in phone.locator("#id_nik_error").inner_text()
    check_accessibility(phone, "nik-refused")
    with tenant_scope(alpha_place["tenant"]):
        assert Booking.objects.count() == 0


def test_a_roster_only_programme_refuses_an_outsider(
    platform_server: LiveServer, phone: object, alpha_place: dict
) -> None:
    with tenant_scope(alpha_place["tenant"]):
        programme = alpha_place["programme"]
        Programme.objects.filter(id=programme.id).update(kind="company", uses_roster=True)
        someone = nik_compose(dt.date(1980, 1, 2), sex="M", serial=5)
        RosterEntry.objects.create(
            programme=programme,
            person_key=person_key(someone),
            nik_sealed=seal(someone, field="nik"),
            full_name="Karyawan Lain",
        )
    _to_the_first_free_time(phone, platform_server, alpha_place, "roster-")
    _fill_person(
        phone,
        name="Orang Luar",
        nik=nik_compose(SITI_BORN, sex="F", serial=23),
        born=SITI_BORN,
        sex="Perempuan",
    )
    go(phone, phone.get_by_role("button", name="Lanjut"))
    _fill_contact(phone)
    go(phone, phone.get_by_role("button", name="Lanjut"))

    summary = phone.locator("#error-summary")
    expect(summary).to_be_focused()
    assert "NIK" in summary.inner_text()  # why, and what to do
    assert phone.url.endswith("/daftar/kontak/")
    check_accessibility(phone, "roster-refused")
    with tenant_scope(alpha_place["tenant"]):
        assert Booking.objects.count() == 0
        assert Slot.objects.filter(booked__gt=0).count() == 0


def test_a_helper_books_for_two_people(
    platform_server: LiveServer, phone: object, alpha_place: dict
) -> None:
    _to_the_first_free_time(phone, platform_server, alpha_place, "helper-")
    _fill_person(
        phone,
        name="Siti Aminah",
        nik=nik_compose(SITI_BORN, sex="F", serial=24),
        born=SITI_BORN,
        sex="Perempuan",
    )
    go(phone, phone.get_by_role("button", name="Lanjut"))
    _fill_contact(phone)
    go(phone, phone.get_by_role("button", name="Lanjut"))

    go(phone, phone.get_by_role("button", name="Tambah orang lain"))
    phone.wait_for_url(re.compile(r"/daftar/data-diri/$"))
    assert phone.get_by_role("heading", level=1).inner_text() == "Orang ke-2: siapa?"
    _fill_person(
        phone,
        name="Budi Santoso",
        nik=nik_compose(BUDI_BORN, sex="M", serial=25),
        born=BUDI_BORN,
        sex="Laki-laki",
    )
    go(phone, phone.get_by_role("button", name="Lanjut"))
    assert phone.get_by_label("Alamat email").input_value() == "keluarga@example.id"
    go(phone, phone.get_by_role("button", name="Lanjut"))

    check_accessibility(phone, "helper-7-review-two")
    phone.get_by_role("checkbox", name=re.compile("^Saya setuju")).check()
    go(phone, phone.get_by_role("button", name="Daftarkan 2 orang"))

    phone.wait_for_url(re.compile(r"/daftar/selesai/$"))
    codes = phone.locator(".voucher-code").all_inner_texts()
    with tenant_scope(alpha_place["tenant"]):
        bookings = list(Booking.objects.order_by("id"))
    assert codes == [b.voucher_code for b in bookings]
    assert [b.full_name for b in bookings] == ["Siti Aminah", "Budi Santoso"]
    assert bookings[0].party == bookings[1].party
    check_accessibility(phone, "helper-8-done-two")


def test_the_one_time_link_opens_the_booking_and_cancels_it(
    platform_server: LiveServer, phone: object, alpha_place: dict
) -> None:
    from organizers.services.booking import engine
    from tests.organizers.factories import a_person

    with tenant_scope(alpha_place["tenant"]):
        slot = alpha_place["slots"][0]
        booking = engine.booking_create(
            programme_id=alpha_place["programme"].id, slot_id=slot.id, dose=1, person=a_person()
        )
        token = manage_link_token_create(Booking.objects.select_related("slot").get(id=booking.id))

    phone.goto(platform_server.url("alpha.localhost", f"/janji/masuk/{token}/"))
    check_accessibility(phone, "manage-1-link")
    go(phone, phone.get_by_role("button", name="Buka pendaftaran saya"))
    phone.wait_for_url(re.compile(rf"/janji/{booking.id}/$"))
    go(phone, phone.get_by_role("link", name="Batalkan pendaftaran"))
    check_accessibility(phone, "manage-2-cancel")
    go(phone, phone.get_by_role("button", name="Ya, batalkan pendaftaran"))

    phone.wait_for_url(re.compile(rf"/janji/{booking.id}/$"))
    assert phone.get_by_text("Pendaftaran ini sudah dibatalkan.").is_visible()
    assert phone.get_by_role("heading", level=1).inner_text().startswith("Dibatalkan")
    assert phone.get_by_role("link", name="Daftar lagi").get_attribute("href") == "/"
    check_accessibility(phone, "manage-3-cancelled")
    with tenant_scope(alpha_place["tenant"]):
        assert Booking.objects.get(id=booking.id).status == "cancelled"
        assert Slot.objects.get(id=slot.id).booked == 0
    # The link was spent: a second visit explains, and changes nothing.
    phone.goto(platform_server.url("alpha.localhost", f"/janji/masuk/{token}/"))
    go(phone, phone.get_by_role("button", name="Buka pendaftaran saya"))
    assert phone.get_by_role("heading", level=1).inner_text() == "Tautan ini tidak bisa dipakai"


def test_switching_the_language_keeps_what_was_typed(
    platform_server: LiveServer, phone: object, alpha_place: dict
) -> None:
    _to_the_first_free_time(phone, platform_server, alpha_place, "switch-")
    nik = nik_compose(SITI_BORN, sex="F", serial=26)
    header_height = phone.locator("header").bounding_box()["height"]
    assert header_height <= 100, f"the header takes {header_height} px of a 740 px phone"
    phone.get_by_label("Nama lengkap sesuai KTP").fill("Siti Aminah")
    phone.get_by_label("NIK (16 angka di KTP)").fill(nik)
    phone.get_by_label("Perempuan", exact=True).check()

    go(phone, phone.get_by_role("button", name="English", exact=True))

    phone.wait_for_url(re.compile(r"/daftar/data-diri/$"))
    assert phone.locator("html").get_attribute("lang") == "en"
    assert phone.get_by_label("Full name as on the KTP").input_value() == "Siti Aminah"
    assert phone.get_by_label("NIK (16 digits on the KTP)").input_value() == nik
    assert phone.get_by_label("Female", exact=True).is_checked()
    assert phone.evaluate("window.sessionStorage.length") == 0  # forgotten once put back
    check_accessibility(phone, "switch-english")

    go(phone, phone.get_by_role("button", name="Bahasa Indonesia", exact=True))
    assert phone.locator("html").get_attribute("lang") == "id"
    assert phone.get_by_label("Nama lengkap sesuai KTP").input_value() == "Siti Aminah"


def test_a_person_joins_the_waiting_list_for_a_full_day(
    platform_server: LiveServer, phone: object, alpha_place: dict
) -> None:
    from organizers.models import WaitlistEntry

    with tenant_scope(alpha_place["tenant"]):  # tomorrow is fully booked
        Slot.objects.filter(id__in=[slot.id for slot in alpha_place["slots"][:2]]).update(
            booked=5, booked_dose1=5
        )
    programme, venue = alpha_place["programme"], alpha_place["venue"]
    phone.goto(platform_server.url("alpha.localhost", f"/daftar/{programme.id}/{venue.id}/"))
    full = phone.locator("td.full a").first
    assert "Penuh" in full.inner_text()
    assert "Penuh: masuk daftar tunggu" in full.get_attribute("aria-label")
    check_accessibility(phone, "waitlist-1-calendar")
    go(phone, full)

    phone.wait_for_url(re.compile(r"/daftar/\d+/\d+/\d{4}-\d\d-\d\d/$"))
    assert phone.get_by_text("30 menit", exact=False).is_visible()
    check_accessibility(phone, "waitlist-2-full-day")
    go(phone, phone.get_by_role("button", name="Masuk daftar tunggu"))

    phone.wait_for_url(re.compile(r"/daftar/data-diri/$"))
    assert phone.get_by_text("Daftar tunggu (hari ini sudah penuh)").is_visible()
    _fill_person(
        phone,
        name="Siti Aminah",
        nik=nik_compose(SITI_BORN, sex="F", serial=25),
        born=SITI_BORN,
        sex="Perempuan",
    )
    go(phone, phone.get_by_role("button", name="Lanjut"))

    phone.wait_for_url(re.compile(r"/daftar/kontak/$"))
    assert phone.get_by_text("alamat email wajib diisi", exact=False).is_visible()
    phone.get_by_label("Nomor HP").fill("0812 3456 7890")
    phone.get_by_label("Alamat rumah").fill("Jl. Melati No. 5, Bandung")
    go(phone, phone.get_by_role("button", name="Lanjut"))  # no email yet
    expect(phone.locator("#error-summary")).to_be_focused()
    assert phone.get_by_label("Alamat email").get_attribute("aria-invalid") == "true"
    check_accessibility(phone, "waitlist-3-contact-email-required")
    phone.get_by_label("Alamat email").fill("keluarga@example.id")
    go(phone, phone.get_by_role("button", name="Lanjut"))

    phone.wait_for_url(re.compile(r"/daftar/periksa/$"))
    assert phone.get_by_role("button", name="Tambah orang lain").count() == 0
    phone.get_by_role("checkbox", name=re.compile("^Saya setuju")).check()
    check_accessibility(phone, "waitlist-4-review")
    go(phone, phone.get_by_role("button", name="Masuk daftar tunggu"))

    phone.wait_for_url(re.compile(r"/daftar/daftar-tunggu/$"))
    assert phone.get_by_text("Urutan Anda di antrean hari ini: nomor 1.").is_visible()
    check_accessibility(phone, "waitlist-5-done")
    with tenant_scope(alpha_place["tenant"]):
        entry = WaitlistEntry.objects.get()
        assert (entry.email, entry.language, entry.venue_id) == (
            "keluarga@example.id",
            "id",
            venue.id,
        )
        assert Booking.objects.count() == 0
