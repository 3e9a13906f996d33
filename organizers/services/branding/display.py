"""What pages and emails show of the organiser's branding. Tenant schema (reads only).

The pages read `branding_view_get`, cached per tenant for 30 seconds; a save clears the cache
after its commit (`branding_cache_clear`, called by editing.branding_update). Emails read
`branding_for_email`, plain values with the logo inline.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.core.cache import cache

from organizers.phone import phone_display, phone_normalise, whatsapp_number
from organizers.services.branding.colours import DEFAULT_COLOUR, BrandColours, brand_colours
from organizers.services.branding.errors import BrandingError
from organizers.services.branding.logo import logo_content_get, logo_version

BRANDING_CACHE_KEY = "branding:v1"
LOGO_PATH = "/logo/{version}.png"
BRANDING_CACHE_SECONDS = 30


@dataclass(frozen=True)
class Question:
    question: str
    answer: str


@dataclass(frozen=True)
class BrandingView:
    """What pages and emails show. `colours` is None for an organiser who never saved a
    colour: the site's own colours stay. `welcome` is the text for the active language
    (filled per request by `branding_view_for_language`)."""

    logo_version: str | None
    colours: BrandColours | None
    welcome_text: str
    welcome_text_en: str
    faq: tuple[Question, ...]
    contact_email: str
    contact_phone: str
    welcome: str = ""
    preview_logo_url: str | None = None  # the preview of unsaved values only

    @property
    def logo_url(self) -> str | None:
        """Relative to the organiser's host; versioned, so it can be cached for a year."""
        if self.preview_logo_url is not None:
            return self.preview_logo_url
        return LOGO_PATH.format(version=self.logo_version) if self.logo_version else None

    @property
    def whatsapp_number(self) -> str | None:
        return whatsapp_number(self.contact_phone) if self.contact_phone else None

    @property
    def tel(self) -> str:
        """The phone for a tel: link (+62 and digits only)."""
        return phone_normalise(self.contact_phone) or self.contact_phone

    @property
    def contact_phone_display(self) -> str:
        """The phone as people read it ('+62 812-3456-7890')."""
        return phone_display(self.contact_phone)

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_email or self.contact_phone)


def branding_cache_clear() -> None:
    cache.delete(BRANDING_CACHE_KEY)  # tenant-keyed (tenants.cache)


def _branding_view_build() -> BrandingView:
    from organizers.selectors import branding_get

    branding = branding_get()
    if branding is None:
        return BrandingView(
            logo_version=None,
            colours=None,
            welcome_text="",
            welcome_text_en="",
            faq=(),
            contact_email="",
            contact_phone="",
        )
    try:
        colours: BrandColours | None = brand_colours(branding.primary_colour)
    except BrandingError:
        colours = None  # never saved through the service (the admin, an old row): site colours
    faq = tuple(
        Question(question=str(item.get("question", "")), answer=str(item.get("answer", "")))
        for item in branding.faq
        if isinstance(item, dict)
    )
    return BrandingView(
        logo_version=logo_version(branding.logo_key),
        colours=colours,
        welcome_text=branding.welcome_text,
        welcome_text_en=branding.welcome_text_en,
        faq=faq,
        contact_email=branding.contact_email,
        contact_phone=branding.contact_phone,
    )


def branding_view_get() -> BrandingView:
    """The current tenant's branding, cached per tenant for 30 seconds (a save clears it)."""
    view = cache.get(BRANDING_CACHE_KEY)
    if not isinstance(view, BrandingView):
        view = _branding_view_build()
        cache.set(BRANDING_CACHE_KEY, view, BRANDING_CACHE_SECONDS)
    return view


def branding_view_for_language(view: BrandingView, *, language: str) -> BrandingView:
    """English welcome text for English when the organiser wrote one; Indonesian otherwise."""
    english = language.startswith("en") and view.welcome_text_en
    return replace(view, welcome=view.welcome_text_en if english else view.welcome_text)


def branding_for_email() -> dict[str, Any]:
    """Branding for an email to a person, as plain values. Tenant schema (the message's
    tenant: call it inside the task's tenant scope).

    Keys:
    - `organizer_name`: the organiser's name (use it as the logo's alt text and sender name).
    - `primary_colour`, `ink_colour`: a header band in the main colour with text in
      `ink_colour` (contrast at least 4.5:1); `text_colour`: links and headings on white.
      The site's defaults when the organiser has not chosen a colour.
    - `logo_url`: absolute https URL of the current logo (versioned, cacheable), or None.
    - `logo_png`: the logo's PNG bytes (at most 512 x 512 px, re-encoded, no metadata) for an
      inline attachment, or None; `logo_cid`: a Content-ID to attach it under
      (`<img src="cid:{logo_cid}">`; attach with header `Content-ID: <{logo_cid}>`). Inline
      is what most mail clients show without "load remote images"; prefer it.
    - `contact_email`, `contact_phone` (as people read it: '+62 812-3456-7890'),
      `whatsapp_url` (https://wa.me/..., mobiles only): empty strings / None when not set.
    """
    from tenants.context import require_current_tenant
    from tenants.links import absolute_url
    from tenants.selectors import tenant_primary_host

    tenant = require_current_tenant()
    view = branding_view_get()
    colours = view.colours or brand_colours(DEFAULT_COLOUR)
    logo = logo_content_get()
    whatsapp = view.whatsapp_number
    return {
        "organizer_name": tenant.name,
        "primary_colour": colours.primary,
        "ink_colour": colours.ink,
        "text_colour": colours.text,
        "logo_url": (
            absolute_url(host=tenant_primary_host(tenant=tenant), path=view.logo_url)
            if view.logo_url and logo
            else None
        ),
        "logo_png": logo[0] if logo else None,
        "logo_cid": f"logo-{logo[1]}@sentra" if logo else None,
        "contact_email": view.contact_email,
        "contact_phone": phone_display(view.contact_phone),
        "whatsapp_url": f"https://wa.me/{whatsapp}" if whatsapp else None,
    }
