"""Saving branding: a logo is stored and replaced after the commit, a refusal stores nothing and
keeps what was there; texts are plain and bounded, the contact phone is stored in one form."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from organizers.models import Branding
from organizers.phone import whatsapp_number
from organizers.services.branding.display import BrandingView
from organizers.services.branding.editing import branding_draft, branding_update
from organizers.services.branding.errors import BrandingError
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture
from tests.organizers.services.branding.logo_files import REFUSED_FILES, an_image


def _stored_files(media: Path) -> list[Path]:
    return sorted(path for path in media.rglob("*") if path.is_file())


# Storing the logo


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
