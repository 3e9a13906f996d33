"""Branding rules: a logo is judged by its content and re-encoded, a colour must keep text
readable, texts are plain and bounded; a refusal stores nothing and keeps what was there."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from PIL import Image

from organizers.models import Branding
from organizers.phone import whatsapp_number
from organizers.services.branding import (
    BrandingError,
    BrandingView,
    brand_colours,
    branding_draft,
    branding_for_email,
    branding_update,
    branding_view_get,
    contrast_ratio,
    logo_prepare,
)
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture

CAMERA = 0x010F  # EXIF "Make"
ORIENTATION = 0x0112


def an_image(
    image_format: str = "PNG",
    *,
    size: tuple[int, int] = (1200, 600),
    colour: tuple[int, ...] = (123, 31, 162),
    mode: str = "RGB",
    exif: bool = False,
) -> bytes:
    """A real image of `image_format`; with `exif`, a camera name and GPS-like metadata."""
    output = io.BytesIO()
    options: dict[str, object] = {}
    if exif:
        tags = Image.Exif()
        tags[CAMERA] = "SecretCam 3000"
        options["exif"] = tags
    Image.new(mode, size, colour).save(output, format=image_format, **options)
    return output.getvalue()


def a_bomb() -> bytes:
    """A 300 kB PNG that unpacks into 100 megapixels."""
    output = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(output, format="PNG", optimize=True)
    return output.getvalue()


REFUSED_FILES: dict[str, tuple[Callable[[], bytes], str, str]] = {
    "svg": (
        lambda: b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
        "logo_not_image",
        "bukan gambar PNG, JPEG, WebP, atau GIF",
    ),
    "html renamed to .png": (
        lambda: b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>",
        "logo_not_image",
        "bukan gambar PNG, JPEG, WebP, atau GIF",
    ),
    "pdf": (lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", "logo_not_image", "SVG"),
    "truncated png": (lambda: an_image("PNG")[:300], "logo_broken", "rusak"),
    "truncated jpeg": (lambda: an_image("JPEG")[:700], "logo_broken", "rusak"),
    "over 2 MB": (
        lambda: an_image("PNG") + b"\0" * (2 * 1024 * 1024),
        "logo_too_large",
        "2 MB",
    ),
    "decompression bomb": (a_bomb, "logo_too_many_pixels", "4000 x 4000"),
    "empty": (lambda: b"", "logo_empty", "kosong"),
}


@pytest.fixture(autouse=True)
def _fresh_branding_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _stored_files(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file())


# The logo


@pytest.mark.parametrize("image_format", ["PNG", "JPEG", "WEBP", "GIF"])
def test_a_real_image_is_re_encoded_as_a_png_without_metadata_and_at_most_512_px(
    image_format: str,
) -> None:
    original = an_image(image_format, exif=image_format != "GIF")

    logo = logo_prepare(content=original)

    assert logo.content != original
    stored = Image.open(io.BytesIO(logo.content))
    assert stored.format == "PNG"
    assert (stored.width, stored.height) == (logo.width, logo.height) == (512, 256)
    assert dict(stored.getexif()) == {}
    assert b"SecretCam" not in logo.content
    assert stored.convert("RGB").getpixel((10, 10)) == pytest.approx((123, 31, 162), abs=3)


def test_a_phone_photo_is_turned_upright_from_its_exif_orientation() -> None:
    output = io.BytesIO()
    tags = Image.Exif()
    tags[ORIENTATION] = 6  # "rotate 90° clockwise to display"
    Image.new("RGB", (800, 400), (10, 10, 10)).save(output, format="JPEG", exif=tags)

    logo = logo_prepare(content=output.getvalue())

    assert (logo.width, logo.height) == (256, 512)


def test_transparency_is_kept_and_a_small_logo_is_not_enlarged() -> None:
    logo = logo_prepare(content=an_image("PNG", size=(200, 80), mode="RGBA", colour=(0, 0, 0, 0)))

    stored = Image.open(io.BytesIO(logo.content))
    assert (stored.mode, stored.size) == ("RGBA", (200, 80))
    assert stored.getpixel((5, 5))[3] == 0


def test_trailing_data_after_the_image_is_not_stored() -> None:
    smuggled = an_image("PNG") + b"<script>alert(1)</script>"

    logo = logo_prepare(content=smuggled)

    assert b"<script>" not in logo.content


@pytest.mark.parametrize("name", sorted(REFUSED_FILES))
def test_a_file_that_is_not_a_sound_small_raster_image_is_refused_in_indonesian(
    name: str,
) -> None:
    make, code, words = REFUSED_FILES[name]

    with pytest.raises(BrandingError) as refused:
        logo_prepare(content=make())

    assert refused.value.code == code
    assert words in str(refused.value.extra["logo"][0])


def test_replacing_the_logo_deletes_the_old_one_after_the_commit(
    tenant_a: OrganizerFixture, local_media: Path, django_capture_on_commit_callbacks
) -> None:
    with tenant_scope(tenant_a.tenant):
        with django_capture_on_commit_callbacks(execute=True):
            first = branding_update(
                draft=branding_draft(primary_colour="#0b5394", logo=an_image("PNG"))
            )
        first_key = first.logo_key
        assert _stored_files(local_media) == [local_media / first_key]
        assert first_key.startswith(f"tenants/{tenant_a.tenant.uid}/branding/")
        assert first_key.endswith(".png")

        with django_capture_on_commit_callbacks(execute=True):
            second = branding_update(
                draft=branding_draft(primary_colour="#0b5394", logo=an_image("JPEG"))
            )

        assert second.logo_key != first_key
        assert _stored_files(local_media) == [local_media / second.logo_key]
        assert Image.open(local_media / second.logo_key).format == "PNG"

        with django_capture_on_commit_callbacks(execute=True):
            branding_update(draft=branding_draft(primary_colour="#0b5394"), remove_logo=True)
        assert _stored_files(local_media) == []
        assert Branding.objects.get().logo_key == ""


@pytest.mark.parametrize("name", ["svg", "html renamed to .png", "decompression bomb"])
def test_a_refused_logo_stores_nothing_and_keeps_the_old_logo(
    name: str,
    tenant_a: OrganizerFixture,
    local_media: Path,
    django_capture_on_commit_callbacks,
) -> None:
    with tenant_scope(tenant_a.tenant):
        with django_capture_on_commit_callbacks(execute=True):
            kept = branding_update(
                draft=branding_draft(primary_colour="#0b5394", logo=an_image("PNG"))
            ).logo_key

        with pytest.raises(BrandingError):
            branding_update(
                draft=branding_draft(
                    primary_colour="#7b1fa2",
                    welcome_text="Selamat datang",
                    logo=REFUSED_FILES[name][0](),
                )
            )

        branding = Branding.objects.get()
    assert (branding.logo_key, branding.primary_colour, branding.welcome_text) == (
        kept,
        "#0b5394",
        "",
    )
    assert _stored_files(local_media) == [local_media / kept]


def test_a_logo_whose_save_fails_is_removed_from_the_store(
    tenant_a: OrganizerFixture, local_media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = branding_draft(primary_colour="#0b5394", logo=an_image("PNG"))

    def broken_save(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(Branding, "save", broken_save)
    with tenant_scope(tenant_a.tenant), pytest.raises(RuntimeError):
        branding_update(draft=draft)

    assert _stored_files(local_media) == []


# Colours


@pytest.mark.parametrize(
    ("colour", "ink"),
    [("#0b5394", "#ffffff"), ("#FFEB3B", "#1b1f24"), ("#000", "#ffffff"), ("#ffffff", "#1b1f24")],
)
def test_the_text_colour_is_the_one_with_the_better_contrast(colour: str, ink: str) -> None:
    colours = brand_colours(colour)

    assert colours.primary == colour.lower() if len(colour) == 7 else "#000000"
    assert colours.ink == ink
    assert contrast_ratio(colours.primary, colours.ink) >= 4.5


@pytest.mark.parametrize("colour", ["#ffeb3b", "#ff9800", "#ffffff", "#0b5394"])
def test_links_get_a_variant_that_reads_on_the_light_page(colour: str) -> None:
    colours = brand_colours(colour)

    for background in ("#ffffff", "#f2f5f4", "#e3f2ef"):
        assert contrast_ratio(colours.text, background) >= 4.5
    if contrast_ratio(colour, "#ffffff") >= 4.6:
        assert colours.text == colour  # already dark enough: unchanged


@pytest.mark.parametrize(
    ("colour", "measured", "ink"),
    [("#777777", "4.47", "putih"), ("#e53935", "4.22", "putih"), ("#808080", "4.19", "gelap")],
)
def test_a_colour_that_text_cannot_be_read_on_is_refused_with_the_measured_ratio(
    colour: str, measured: str, ink: str
) -> None:
    with pytest.raises(BrandingError) as refused:
        brand_colours(colour)

    assert refused.value.code == "colour_contrast"
    message = str(refused.value.extra["primary_colour"][0])
    assert f"{measured}:1" in message
    assert "4.5:1" in message
    assert f"teks {ink}" in message


@pytest.mark.parametrize(
    "value",
    ["red", "#12345", "#1234567", "#0b5394;}body{display:none", "</style><script>", "", "#ggg"],
)
def test_anything_but_a_hex_colour_is_refused(value: str) -> None:
    with pytest.raises(BrandingError) as refused:
        brand_colours(value)

    assert refused.value.code == "colour_invalid"


# Texts and contact


def test_faq_rows_keep_their_order_and_blank_rows_are_dropped() -> None:
    draft = branding_draft(
        primary_colour="#0b5394",
        faq=[("Bawa apa?", "KTP asli."), ("", ""), ("  Parkir?  ", "Di basement.\r\nGratis.")],
    )

    assert draft.faq == [
        {"question": "Bawa apa?", "answer": "KTP asli."},
        {"question": "Parkir?", "answer": "Di basement.\nGratis."},
    ]


def test_a_question_without_an_answer_is_refused_on_its_row() -> None:
    with pytest.raises(BrandingError) as refused:
        branding_draft(primary_colour="#0b5394", faq=[("Bawa apa?", "KTP"), ("Parkir?", " ")])

    assert list(refused.value.extra) == ["faq_answer_1"]


@pytest.mark.parametrize(
    ("phone", "stored", "shown", "whatsapp"),
    [
        ("0812-3456-7890", "+6281234567890", "+62 812-3456-7890", "6281234567890"),
        ("+62 812 3456 7890", "+6281234567890", "+62 812-3456-7890", "6281234567890"),
        ("(021) 555 1234", "+62215551234", "+62 21 5551234", None),
    ],
)
def test_indonesian_phone_numbers_are_stored_in_one_form_and_mobiles_get_whatsapp(
    phone: str, stored: str, shown: str, whatsapp: str | None
) -> None:
    draft = branding_draft(primary_colour="#0b5394", contact_phone=phone)

    assert draft.contact_phone == stored
    assert whatsapp_number(draft.contact_phone) == whatsapp
    view = BrandingView(
        logo_version=None,
        colours=None,
        welcome_text="",
        welcome_text_en="",
        faq=(),
        contact_email="",
        contact_phone=draft.contact_phone,
    )
    assert (view.contact_phone_display, view.tel, view.whatsapp_number) == (shown, stored, whatsapp)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"contact_phone": "call me maybe"}, "contact_phone"),
        ({"contact_phone": "javascript:alert(1)"}, "contact_phone"),
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"welcome_text": "x" * 2001}, "welcome_text"),
    ],
)
def test_bad_contact_details_and_overlong_texts_are_refused_on_their_field(
    fields: dict[str, str], field: str
) -> None:
    with pytest.raises(BrandingError) as refused:
        branding_draft(primary_colour="#0b5394", **fields)

    assert list(refused.value.extra) == [field]


# What pages and emails read


def test_a_save_clears_the_cached_branding_of_that_tenant_only(
    tenant_a: OrganizerFixture,
    tenant_b: OrganizerFixture,
    local_media: Path,
    django_capture_on_commit_callbacks,
) -> None:
    with tenant_scope(tenant_b.tenant):
        assert branding_view_get().colours is None  # cached for beta
    with tenant_scope(tenant_a.tenant):
        assert branding_view_get().colours is None  # cached for alpha
        with django_capture_on_commit_callbacks(execute=True):
            branding_update(draft=branding_draft(primary_colour="#7b1fa2", welcome_text="Halo"))
        view = branding_view_get()
    assert (view.colours.primary, view.welcome_text) == ("#7b1fa2", "Halo")
    with tenant_scope(tenant_b.tenant):
        assert branding_view_get().colours is None


def test_branding_for_email_gives_colours_contact_and_the_logo_inline_and_by_url(
    tenant_a: OrganizerFixture, local_media: Path, django_capture_on_commit_callbacks
) -> None:
    with tenant_scope(tenant_a.tenant):
        with django_capture_on_commit_callbacks(execute=True):
            branding_update(
                draft=branding_draft(
                    primary_colour="#ffeb3b",
                    contact_email="halo@alpha.test",
                    contact_phone="0812 3456 7890",
                    logo=an_image("JPEG", exif=True),
                )
            )
        email = branding_for_email()

    assert email["organizer_name"] == "Alpha Clinic"
    assert (email["primary_colour"], email["ink_colour"]) == ("#ffeb3b", "#1b1f24")
    assert contrast_ratio(email["text_colour"], "#ffffff") >= 4.5
    assert Image.open(io.BytesIO(email["logo_png"])).format == "PNG"
    assert email["logo_url"].startswith("http://alpha.localhost:")
    assert email["logo_url"].endswith(".png")
    assert email["logo_cid"].endswith("@sentra")
    assert email["whatsapp_url"] == "https://wa.me/6281234567890"
    assert email["contact_email"] == "halo@alpha.test"


def test_branding_for_email_without_branding_uses_the_site_colours(
    tenant_a: OrganizerFixture,
) -> None:
    with tenant_scope(tenant_a.tenant):
        email = branding_for_email()

    assert (email["primary_colour"], email["ink_colour"]) == ("#0b5d50", "#ffffff")
    assert (email["logo_url"], email["logo_png"], email["whatsapp_url"]) == (None, None, None)
