"""An organiser's administrator gives the booking page its logo and colour on a 360 px phone,
in Bahasa Indonesia, and a visitor's booking home shows them."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from PIL import Image, ImageDraw

from organizers.models import Branding
from organizers.services.branding.display import branding_cache_clear
from tenants.context import tenant_scope
from tenants.models import Tenant
from tenants.storage import tenant_file_delete
from tests.browser.conftest import LiveServer, screenshot, sign_in_to_kelola

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "browser-branding@alpha.test"
PURPLE = "#6a1b9a"


def _logo_png() -> bytes:
    """A 900 x 300 logo with a purple mark and a name on a transparent background, with
    metadata the upload must drop."""
    image = Image.new("RGBA", (900, 300), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 20, 280, 280), fill=(106, 27, 154, 255))
    draw.rectangle((125, 70, 175, 230), fill=(255, 255, 255, 255))
    draw.rectangle((70, 125, 230, 175), fill=(255, 255, 255, 255))
    draw.text((310, 90), "Alpha", fill=(106, 27, 154, 255), font_size=120)
    output = io.BytesIO()
    image.save(output, format="PNG", pnginfo=None)
    return output.getvalue()


def test_an_administrator_uploads_a_logo_and_the_booking_home_shows_it_in_the_colour(
    platform_server: LiveServer,
    phone: object,
    committed: Callable[[Callable], None],
    alpha_admin: Callable[[str], Tenant],
) -> None:
    tenant = alpha_admin(ADMIN_EMAIL)

    def remove_the_branding() -> None:
        with tenant_scope(tenant):
            for branding in Branding.objects.all():
                if branding.logo_key:
                    tenant_file_delete(key=branding.logo_key)
                branding.delete()
            branding_cache_clear()  # the server's cached copy, for the tests after this one

    committed(remove_the_branding)

    sign_in_to_kelola(phone, platform_server, ADMIN_EMAIL)

    phone.get_by_role("link", name="Tampilan halaman pendaftaran", exact=True).click()
    phone.wait_for_url(re.compile(r"/kelola/tampilan/$"))
    assert phone.get_by_role("heading", level=1).inner_text() == "Tampilan halaman pendaftaran"
    phone.get_by_label("Logo baru").set_input_files(
        files=[{"name": "logo-alpha.png", "mimeType": "image/png", "buffer": _logo_png()}]
    )
    phone.get_by_label("Warna utama").fill(PURPLE)
    phone.get_by_label("Teks sambutan (Bahasa Indonesia)").fill(
        "Selamat datang di layanan vaksinasi Alpha Clinic."
    )
    phone.get_by_label("Pertanyaan 1").fill("Apa yang harus dibawa?")
    phone.get_by_label("Jawaban 1").fill("KTP asli.")
    phone.get_by_label("Telepon atau WhatsApp kontak").fill("0812 3456 7890")
    screenshot(phone, "branding-1-form")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.get_by_role("button", name="Simpan", exact=True).click()

    phone.wait_for_url(re.compile(r"/kelola/tampilan/$"))
    assert phone.get_by_text("Tampilan halaman pendaftaran Anda sudah disimpan.").is_visible()
    assert phone.get_by_role("img", name="Logo Anda saat ini").is_visible()
    screenshot(phone, "branding-2-saved")

    # A light amber, previewed before saving: dark text on it, nothing saved.
    phone.get_by_label("Warna utama").fill("#ffd54f")
    phone.get_by_role("button", name="Pratinjau sebelum menyimpan").click()
    phone.wait_for_url(re.compile(r"/kelola/tampilan/pratinjau/$"))
    assert phone.get_by_text(re.compile("Belum ada yang disimpan")).is_visible()
    header = phone.locator(".site-header")
    assert header.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(255, 213, 79)"
    sign_out = phone.get_by_role("link", name="Keluar")
    assert sign_out.evaluate("el => getComputedStyle(el).color") == "rgb(27, 31, 36)"
    screenshot(phone, "branding-3-preview-amber")
    phone.get_by_role("link", name="Kembali tanpa menyimpan").click()
    phone.wait_for_url(re.compile(r"/kelola/tampilan/$"))

    # The booking home, as a visitor sees it.
    visitor = phone.context.browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        locale="id-ID",
    )
    home = visitor.new_page()
    try:
        home.goto(platform_server.url("alpha.localhost", "/"))
        logo = home.get_by_role("img", name="Alpha Clinic")
        assert logo.is_visible()
        assert logo.evaluate("image => image.complete && image.naturalWidth") == 512
        header = home.locator(".site-header")
        assert header.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(106, 27, 154)"
        assert home.get_by_text("Selamat datang di layanan vaksinasi Alpha Clinic.").is_visible()
        home.get_by_text("Apa yang harus dibawa?").click()  # a question opens on a tap
        assert home.get_by_text("KTP asli.").is_visible()
        assert home.evaluate("document.documentElement.scrollWidth") <= 360
        screenshot(home, "branding-4-booking-home")
    finally:
        visitor.close()

    with tenant_scope(tenant):
        branding = Branding.objects.get()
    assert (branding.primary_colour, branding.contact_phone) == (PURPLE, "+6281234567890")
