"""What pages and emails read: the cached branding of one tenant, cleared by a save of that
tenant only; the plain values an email needs, with the logo inline and by URL."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from organizers.services.branding.colours import contrast_ratio
from organizers.services.branding.display import branding_for_email, branding_view_get
from organizers.services.branding.editing import branding_draft, branding_update
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture
from tests.organizers.services.branding.logo_files import an_image


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
