"""The organiser's application on a 360 px phone, in Bahasa Indonesia: the checklist on
/kelola/ leads to the form; choosing a province narrows the regency list to its regencies and
cities (organizer_pages/application_areas.js, from our host under the pages' CSP); a wrong NPWP
is refused next to its field; the draft is saved and is there again on the next visit."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from applications.models import OrganiserApplication
from tenants.models import Tenant
from tests.browser.conftest import LiveServer, screenshot, sign_in_to_kelola
from tests.browser.test_booking_in_browser import check_accessibility

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "browser-application@alpha.test"


def test_an_application_is_drafted_and_resumed_on_a_phone(
    platform_server: LiveServer,
    phone: object,
    committed: Callable[[Callable], None],
    alpha_admin: Callable[[str], Tenant],
) -> None:
    tenant = alpha_admin(ADMIN_EMAIL)
    committed(lambda: OrganiserApplication.objects.filter(tenant=tenant).delete())
    sign_in_to_kelola(phone, platform_server, ADMIN_EMAIL)

    phone.get_by_role("link", name="Pengajuan Anda").first.click()
    phone.wait_for_url("**/kelola/pengajuan/")
    assert phone.get_by_role("heading", level=1).inner_text() == "Pengajuan Anda"
    check_accessibility(phone, "application-1-empty")

    phone.get_by_label("Nama resmi").fill("PT Klinik Alpha Sehat")
    phone.get_by_label("NPWP").fill("01.234.567.8")
    phone.get_by_label("Provinsi").select_option("32")
    regencies = phone.get_by_label("Kabupaten atau kota")
    # Only Jawa Barat's regencies and cities can be chosen now.
    assert phone.evaluate(
        "Array.from(document.querySelectorAll('#id_regency_code optgroup:not([disabled])'))"
        ".map(g => g.label)"
    ) == ["Jawa Barat"]
    regencies.select_option("32.73")
    phone.get_by_role("button", name="Simpan draf").click()

    phone.get_by_text("yang ini 9 angka.").wait_for()
    assert phone.get_by_label("Nama resmi").input_value() == "PT Klinik Alpha Sehat"
    check_accessibility(phone, "application-2-refused")
    screenshot(phone, "application-2-refused")
    phone.get_by_label("NPWP").fill("01.234.567.8-901.000")
    phone.get_by_role("button", name="Simpan draf").click()
    phone.get_by_text("Pengajuan Anda disimpan sebagai draf.").wait_for()

    phone.goto(platform_server.url("alpha.localhost", "/kelola/pengajuan/"))
    assert phone.get_by_label("NPWP").input_value() == "01.234.567.8-901.000"
    assert phone.get_by_label("Kabupaten atau kota").input_value() == "32.73"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "application-3-resumed")
