"""The organiser's branding page (/kelola/tampilan/), its preview, the logo URL, and the
branding on the booking home: through the test client, in Bahasa Indonesia (the default)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from PIL import Image

from organizers.models import Branding
from organizers.services.branding.colours import brand_colours
from organizers.services.branding.display import (
    BrandingView,
    Question,
    branding_view_for_language,
)
from organizers.services.branding.editing import branding_draft, branding_update
from tenants.context import tenant_scope
from tenants.models import User
from tests.conftest import ROOT_HOST, OrganizerFixture, host_client
from tests.organizers.services.branding.logo_files import an_image

FORM = {
    "faq_rows": "5",
    "primary_colour": "#7b1fa2",
    "welcome_text": "Selamat datang di vaksinasi Alpha.\nBawa KTP asli.",
    "welcome_text_en": "Welcome to Alpha's vaccination.",
    "faq_question_0": "Apa yang harus dibawa?",
    "faq_answer_0": "KTP asli dan masker.",
    "contact_email": "halo@alpha.test",
    "contact_phone": "0812 3456 7890",
}
LOGO_IN_PAGE = re.compile(r'<img src="(/logo/[0-9a-f]{16}\.png)" alt="Alpha Clinic">')


@pytest.fixture(autouse=True)
def _media_on_disk_and_a_fresh_branding_cache(local_media: Path) -> Iterator[None]:
    cache.clear()  # branding is cached per tenant for a few seconds
    yield
    cache.clear()


def _upload(content: bytes, name: str = "logo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


def _stored_files(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file())


def _branding(tenant: OrganizerFixture) -> Branding | None:
    with tenant_scope(tenant.tenant):
        return Branding.objects.first()


def _save(client: object, **changes: object) -> object:
    return client.post("/kelola/tampilan/", {**FORM, **changes})


# The page


def test_the_owner_sees_the_form_with_five_empty_question_rows(tenant_a: OrganizerFixture) -> None:
    response = host_client(tenant_a.host, user=tenant_a.owner).get("/kelola/tampilan/")

    body = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Tampilan halaman pendaftaran</h1>" in body
    assert body.count('name="faq_question_') == 5
    assert 'type="color"' in body
    assert 'accept="image/png,image/jpeg,image/webp,image/gif"' in body
    assert "Belum ada logo" in body


def test_the_dashboard_links_to_the_page(tenant_a: OrganizerFixture) -> None:
    body = host_client(tenant_a.host, user=tenant_a.owner).get("/kelola/").content.decode()

    assert 'href="/kelola/tampilan/"' in body


@pytest.mark.parametrize("path", ["/kelola/tampilan/", "/kelola/tampilan/pratinjau/"])
def test_check_in_staff_get_not_found_and_nothing_is_saved(
    path: str, tenant_a: OrganizerFixture, make_member: Callable[..., User]
) -> None:
    checkin = make_member(tenant_a, "checkin_staff", "checkin-branding@alpha.test")
    client = host_client(tenant_a.host, user=checkin)

    assert client.get(path).status_code == 404
    assert client.post(path, {**FORM, "logo": _upload(an_image())}).status_code == 404
    assert _branding(tenant_a) is None


def test_another_organisers_owner_cannot_save_here(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture, local_media: Path
) -> None:
    response = _save(host_client(tenant_a.host, user=tenant_b.owner), logo=_upload(an_image()))

    assert response.status_code == 404
    assert (_branding(tenant_a), _branding(tenant_b)) == (None, None)
    assert _stored_files(local_media) == []


def test_an_admin_saves_the_look_and_visitors_see_it_on_the_booking_home(
    tenant_a: OrganizerFixture,
    tenant_b: OrganizerFixture,
    local_media: Path,
    make_member: Callable[..., User],
    django_capture_on_commit_callbacks,
) -> None:
    admin = make_member(tenant_a, "admin", "admin-branding@alpha.test")
    client = host_client(tenant_a.host, user=admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = _save(client, logo=_upload(an_image("JPEG", exif=True), "foto.jpg"))

    assert response.status_code == 302
    assert response["Location"] == "/kelola/tampilan/"
    branding = _branding(tenant_a)
    assert branding.primary_colour == "#7b1fa2"
    assert branding.faq == [
        {"question": "Apa yang harus dibawa?", "answer": "KTP asli dan masker."}
    ]
    (stored,) = _stored_files(local_media)
    assert stored == local_media / branding.logo_key
    assert Image.open(stored).format == "PNG"
    assert b"SecretCam" not in stored.read_bytes()
    assert "sudah disimpan" in client.get("/kelola/tampilan/").content.decode()

    home = host_client(tenant_a.host).get("/").content.decode()
    assert "--brand:#7b1fa2;--brand-ink:#ffffff;--brand-text:#7b1fa2" in home
    assert "Selamat datang di vaksinasi Alpha.<br>Bawa KTP asli." in home
    assert "<summary>Apa yang harus dibawa?</summary>" in home
    assert 'href="https://wa.me/6281234567890"' in home
    logo_url = LOGO_IN_PAGE.search(home).group(1)
    logo = host_client(tenant_a.host).get(logo_url)
    assert logo.status_code == 200
    assert logo["Content-Type"] == "image/png"
    assert logo["Cache-Control"] == "public, max-age=31536000, immutable"
    assert not logo.cookies  # nothing personal in a response caches may share
    assert b"".join(logo.streaming_content if logo.streaming else [logo.content]) == (
        stored.read_bytes()
    )

    other_home = host_client(tenant_b.host).get("/").content.decode()
    assert "#7b1fa2" not in other_home
    assert "/logo/" not in other_home
    assert host_client(tenant_b.host).get(logo_url).status_code == 404


def test_each_host_serves_only_its_own_logo_whatever_the_url_asks(
    tenant_a: OrganizerFixture, tenant_b: OrganizerFixture, local_media: Path
) -> None:
    red, blue = an_image("PNG", colour=(200, 0, 0)), an_image("PNG", colour=(0, 0, 200))
    with tenant_scope(tenant_a.tenant):
        alpha = branding_update(draft=branding_draft(primary_colour="#0b5394", logo=red))
    with tenant_scope(tenant_b.tenant):
        beta = branding_update(draft=branding_draft(primary_colour="#0b5394", logo=blue))
    alpha_url = f"/logo/{alpha.logo_key.rsplit('/', 1)[-1][:16]}.png"

    on_beta = host_client(tenant_b.host).get(alpha_url)

    assert on_beta.status_code == 200
    assert on_beta.content == (local_media / beta.logo_key).read_bytes()
    assert on_beta.content != (local_media / alpha.logo_key).read_bytes()
    # Not alpha's version here: served, but not kept for a year.
    assert on_beta["Cache-Control"] == "public, max-age=300"


def test_the_logo_answers_not_modified_to_a_browser_that_has_it(
    tenant_a: OrganizerFixture,
) -> None:
    with tenant_scope(tenant_a.tenant):
        branding_update(draft=branding_draft(primary_colour="#0b5394", logo=an_image()))
    url = LOGO_IN_PAGE.search(host_client(tenant_a.host).get("/").content.decode()).group(1)
    first = host_client(tenant_a.host).get(url)

    again = host_client(tenant_a.host).get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""


# Refusals: the form again with the message, nothing written, the old logo kept


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("halaman.png", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "bukan gambar"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"/>', "bukan gambar"),
        ("logo.png", an_image("PNG")[:300], "rusak"),
        ("besar.png", an_image("PNG") + b"\0" * (3 * 1024 * 1024), "paling besar 2 MB"),
    ],
)
def test_a_refused_logo_re_shows_the_form_and_keeps_the_old_logo(
    name: str,
    content: bytes,
    message: str,
    tenant_a: OrganizerFixture,
    local_media: Path,
    django_capture_on_commit_callbacks,
) -> None:
    client = host_client(tenant_a.host, user=tenant_a.owner)
    with django_capture_on_commit_callbacks(execute=True):
        _save(client, logo=_upload(an_image()))
    kept = _branding(tenant_a)

    response = _save(
        client, logo=_upload(content, name), primary_colour="#000000", welcome_text="Baru"
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert message in body
    assert 'role="alert"' in body
    after = _branding(tenant_a)
    assert (after.logo_key, after.primary_colour, after.welcome_text) == (
        kept.logo_key,
        "#7b1fa2",
        FORM["welcome_text"],
    )
    assert _stored_files(local_media) == [local_media / kept.logo_key]


def test_a_colour_text_cannot_be_read_on_is_refused_with_the_measured_contrast(
    tenant_a: OrganizerFixture,
) -> None:
    response = _save(host_client(tenant_a.host, user=tenant_a.owner), primary_colour="#e53935")

    body = response.content.decode()
    assert response.status_code == 200
    assert "hanya 4.22:1, padahal minimal 4.5:1" in body
    assert _branding(tenant_a) is None


@pytest.mark.parametrize(
    "colour",
    ["#7b1fa2;}body{display:none}", "</style><script>alert(1)</script>", "url(x)", "red"],
)
def test_a_colour_cannot_inject_css_or_html(colour: str, tenant_a: OrganizerFixture) -> None:
    response = _save(host_client(tenant_a.host, user=tenant_a.owner), primary_colour=colour)

    assert response.status_code == 200
    assert _branding(tenant_a) is None
    assert "<script>alert" not in response.content.decode()


def test_a_bad_colour_written_past_the_service_never_reaches_the_page(
    tenant_a: OrganizerFixture,
) -> None:
    with tenant_scope(tenant_a.tenant):
        Branding.objects.create(id=1, primary_colour="</style")  # the column holds 7 characters

    home = host_client(tenant_a.host).get("/").content.decode()

    assert "</style<" not in home
    assert "--brand:" not in home  # the site's own colours stay


def test_a_question_without_an_answer_is_marked_on_its_row(tenant_a: OrganizerFixture) -> None:
    response = _save(
        host_client(tenant_a.host, user=tenant_a.owner), faq_question_2="Parkir di mana?"
    )

    body = response.content.decode()
    assert "Tulis jawaban untuk pertanyaan ini" in body
    assert 'aria-invalid="true"' in body
    assert _branding(tenant_a) is None


# The preview


def test_the_preview_shows_unsaved_values_saves_nothing_and_can_save_them(
    tenant_a: OrganizerFixture, local_media: Path, django_capture_on_commit_callbacks
) -> None:
    client = host_client(tenant_a.host, user=tenant_a.owner)

    response = client.post(
        "/kelola/tampilan/pratinjau/", {**FORM, "logo": _upload(an_image("WEBP"))}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Belum ada yang disimpan" in body
    assert "--brand:#7b1fa2" in body
    assert '<img src="data:image/png;base64,' in body
    assert (_branding(tenant_a), _stored_files(local_media)) == (None, [])

    carried = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', body))
    assert carried["primary_colour"] == "#7b1fa2"
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post("/kelola/tampilan/", carried)
    assert saved.status_code == 302
    branding = _branding(tenant_a)
    assert branding.contact_phone == "+6281234567890"  # stored in one form (organizers.phone)
    assert _stored_files(local_media) == [local_media / branding.logo_key]


def test_the_preview_of_saved_values_shows_the_saved_colour(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        branding_update(draft=branding_draft(primary_colour="#ffeb3b"))

    body = host_client(tenant_a.host, user=tenant_a.owner).get("/kelola/tampilan/pratinjau/")

    text = body.content.decode()
    assert "--brand:#ffeb3b;--brand-ink:#1b1f24;--brand-text:#736a1b" in text
    assert "Beginilah pengunjung melihat" in text


def test_a_refused_value_in_the_preview_shows_the_form_with_the_message(
    tenant_a: OrganizerFixture,
) -> None:
    response = host_client(tenant_a.host, user=tenant_a.owner).post(
        "/kelola/tampilan/pratinjau/", {**FORM, "contact_phone": "telepon saya"}
    )

    assert "Tulis nomor telepon Indonesia" in response.content.decode()


# The partials (included by the booking pages) and the root domain


def _view(**fields: object) -> BrandingView:
    values: dict = {
        "logo_version": None,
        "colours": brand_colours("#0b5394"),
        "welcome_text": "<b>Halo</b>\nBaris dua",
        "welcome_text_en": "Hello",
        "faq": (Question(question="<i>Parkir?</i>", answer="Di basement.\nGratis."),),
        "contact_email": "halo@alpha.test",
        "contact_phone": "0812 3456 7890",
    }
    return BrandingView(**{**values, **fields})


def test_welcome_text_is_plain_text_in_the_visitors_language() -> None:
    indonesian = render_to_string(
        "public_site/_brand_welcome.html",
        {"branding": branding_view_for_language(_view(), language="id")},
    )
    english = render_to_string(
        "public_site/_brand_welcome.html",
        {"branding": branding_view_for_language(_view(), language="en")},
    )
    no_english = render_to_string(
        "public_site/_brand_welcome.html",
        {"branding": branding_view_for_language(_view(welcome_text_en=""), language="en")},
    )

    assert "&lt;b&gt;Halo&lt;/b&gt;<br>Baris dua" in indonesian
    assert "<b>" not in indonesian
    assert "Hello" in english
    assert "Halo" not in english
    assert "Halo" in no_english


def test_faq_and_contact_are_escaped_and_linked() -> None:
    faq = render_to_string("public_site/_brand_faq.html", {"branding": _view()})
    contact = render_to_string("public_site/_brand_contact.html", {"branding": _view()})

    assert "<summary>&lt;i&gt;Parkir?&lt;/i&gt;</summary>" in faq
    assert "Di basement.<br>Gratis." in faq
    assert 'href="tel:+6281234567890"' in contact
    assert 'href="https://wa.me/6281234567890"' in contact
    assert "+62 812-3456-7890</a>" in contact  # shown as people read it
    assert 'href="mailto:halo@alpha.test"' in contact
    empty = _view(faq=(), contact_email="", contact_phone="", welcome_text="")
    assert render_to_string("public_site/_brand_faq.html", {"branding": empty}).strip() == ""
    assert render_to_string("public_site/_brand_contact.html", {"branding": empty}).strip() == ""


def test_the_root_domain_stays_sentra(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        branding_update(draft=branding_draft(primary_colour="#7b1fa2", logo=an_image()))

    body = host_client(ROOT_HOST).get("/").content.decode()

    assert "--brand:" not in body
    assert "/logo/" not in body
    assert 'class="brand" href="/">Sentra</a>' in body
