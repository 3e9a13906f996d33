"""The organiser's branding: logo, main colour, welcome text, FAQ and contact. Tenant schema.

Everything an organiser types or uploads here ends up on public pages and in emails, so it is
checked on the way in and stored in a form that cannot carry anything else:

- The logo is judged by its content, never by its name or declared type: Pillow must recognise
  it as PNG, JPEG, WebP or GIF, it must decode completely, and it must stay under a size and a
  pixel limit (a small file can unpack into gigabytes: a "decompression bomb"). It is then
  re-encoded from the decoded pixels (EXIF, GPS, comments and anything hidden after the image
  data are gone), scaled to at most 512 x 512 px, and only that PNG is stored. PNG because every
  email client shows it (WebP is still missing from some) and logos are mostly flat colour.
- The main colour is a #rrggbb value (so nothing but a colour reaches the CSS) that white or
  near-black text can be read on (WCAG 2.1 AA, 4.5:1). Links and outlined buttons sit on the
  light page instead: for them a darker variant is derived (`text`) that reaches 4.5:1 against
  the page, so an organiser may pick a light yellow and still get readable links.
- Texts are plain text with length limits; templates escape them.

A save invalidates the per-tenant cache the pages read (organizers.selectors.branding_page_get).
"""

from __future__ import annotations

import io
import math
import re
import warnings
from dataclasses import dataclass, replace
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from organizers.models import Branding
from organizers.phone import phone_display, phone_normalise, whatsapp_number
from tenants.errors import ApplicationError, NotFoundError, UserText
from tenants.storage import tenant_file_delete, tenant_file_open, tenant_file_save

BRANDING_ID = 1
BRANDING_CACHE_KEY = "branding:v1"

LOGO_MAX_BYTES = 2 * 1024 * 1024
# 4000 x 4000: a phone photo fits; a 2 MB file that unpacks into 400 megapixels does not.
LOGO_MAX_PIXELS = 16_000_000
LOGO_MAX_SIDE = 512
LOGO_FORMATS = ("PNG", "JPEG", "WEBP", "GIF")
LOGO_CONTENT_TYPE = "image/png"

WHITE = "#ffffff"
DARK_INK = "#1b1f24"  # the site's text colour (site.css --ink)
# Light backgrounds brand-coloured text sits on: the card, the page, the "approved" badge.
LIGHT_BACKGROUNDS = ("#ffffff", "#f2f5f4", "#e3f2ef")
MIN_TEXT_CONTRAST = 4.5
DEFAULT_COLOUR = "#0b5d50"  # site.css --brand: what an organiser without branding shows

WELCOME_MAX = 2000
QUESTION_MAX = 200
ANSWER_MAX = 1000
FAQ_MAX = 20

_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


class BrandingError(ApplicationError):
    """A refused branding detail; `extra` maps the form field to its message."""

    def __init__(self, message: UserText, *, code: str, field: str) -> None:
        super().__init__(message, code=code, extra={field: [message]})


# Colours


@dataclass(frozen=True)
class BrandColours:
    primary: str  # backgrounds: header, filled buttons
    ink: str  # text on `primary`
    text: str  # brand-coloured text, links and borders on the light page
    ink_contrast: float


def _luminance(colour: str) -> float:
    """WCAG 2.1 relative luminance of a #rrggbb colour."""
    channels = []
    for index in (1, 3, 5):
        value = int(colour[index : index + 2], 16) / 255
        channels.append(value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def colour_normalise(value: str) -> str:
    """'#ABC', 'abc' or '#AABBCC' -> '#aabbcc'; anything else is refused. Only this form ever
    reaches a style sheet."""
    match = _HEX.match((value or "").strip())
    if match is None:
        raise BrandingError(
            _("Enter a colour as # and six hexadecimal digits, e.g. #0b5394."),
            code="colour_invalid",
            field="primary_colour",
        )
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return f"#{digits}"


def _darkened(colour: str, step: int) -> str:
    factor = 1 - step / 20
    return "#" + "".join(
        f"{round(int(colour[index : index + 2], 16) * factor):02x}" for index in (1, 3, 5)
    )


def _text_variant(colour: str) -> str:
    """The colour itself when it reads on every light background, else the first darker shade
    (5 % steps towards black, same hue) that does."""
    for step in range(21):
        candidate = _darkened(colour, step)
        if all(
            contrast_ratio(candidate, background) >= MIN_TEXT_CONTRAST
            for background in LIGHT_BACKGROUNDS
        ):
            return candidate
    return "#000000"


def brand_colours(value: str) -> BrandColours:
    """The colours derived from the organiser's main colour, or BrandingError (field
    `primary_colour`, code `colour_contrast`) with the measured ratio when neither white nor
    near-black text reaches 4.5:1 on it."""
    primary = colour_normalise(value)
    on_white, on_dark = contrast_ratio(primary, WHITE), contrast_ratio(primary, DARK_INK)
    ink, ratio = (WHITE, on_white) if on_white >= on_dark else (DARK_INK, on_dark)
    if ratio < MIN_TEXT_CONTRAST:
        # Rounded down: a measured 4.47 must not read "4.5:1" next to "at least 4.5:1".
        shown = f"{math.floor(ratio * 100) / 100:.2f}"
        raise BrandingError(
            _(
                "Text on %(colour)s would be hard to read: the best contrast, with %(ink)s "
                "text, is only %(ratio)s:1 and at least 4.5:1 is needed. Choose a darker or "
                "a lighter colour."
            )
            % {
                "colour": primary,
                "ink": _("white") if ink == WHITE else _("dark"),
                "ratio": shown,
            },
            code="colour_contrast",
            field="primary_colour",
        )
    return BrandColours(primary=primary, ink=ink, text=_text_variant(primary), ink_contrast=ratio)


# Logo


@dataclass(frozen=True)
class PreparedLogo:
    content: bytes  # the re-encoded PNG: the only bytes ever stored or served
    width: int
    height: int


def _refuse_logo(message: UserText, code: str) -> BrandingError:
    return BrandingError(message, code=code, field="logo")


def logo_prepare(*, content: bytes, size: int | None = None) -> PreparedLogo:
    """Check an uploaded logo by its content and re-encode it. Pure: stores nothing.

    Refusals (BrandingError, field `logo`): `logo_empty`, `logo_too_large` (over 2 MB),
    `logo_not_image` (not PNG, JPEG, WebP or GIF by content: SVG, HTML, PDF...),
    `logo_too_many_pixels` (decompression bomb), `logo_broken` (truncated or corrupt).
    `size`: the upload's full size when the caller read only the first bytes of a huge one."""
    if not content:
        raise _refuse_logo(_("The logo file is empty."), "logo_empty")
    size = max(size or 0, len(content))
    if size > LOGO_MAX_BYTES:
        raise _refuse_logo(
            _("The logo is %(size)s MB; the largest accepted is 2 MB.")
            % {"size": f"{size / (1024 * 1024):.1f}"},
            "logo_too_large",
        )
    not_image = _refuse_logo(
        _("This file is not a PNG, JPEG, WebP or GIF image. SVG and other files are refused."),
        "logo_not_image",
    )
    broken = _refuse_logo(
        _("The image could not be read completely: it may be damaged. Export it again."),
        "logo_broken",
    )
    too_many_pixels = _refuse_logo(
        _("The image is too large in pixels (at most 4000 x 4000)."), "logo_too_many_pixels"
    )
    with warnings.catch_warnings():
        # Pillow's own bomb check warns first and raises only at twice its limit.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # The header alone: size and format, no pixels decoded yet.
            with Image.open(io.BytesIO(content), formats=LOGO_FORMATS) as probe:
                if probe.width * probe.height > LOGO_MAX_PIXELS:
                    raise too_many_pixels
                probe.verify()
            with Image.open(io.BytesIO(content), formats=LOGO_FORMATS) as image:
                image.seek(0)  # an animated GIF or WebP: its first frame
                if image.format == "JPEG":
                    # Decode a phone photo at 1/2 to 1/8 scale (DCT scaling): 12 MP in about
                    # a fifth of the time, still at least twice the size kept.
                    image.draft(image.mode, (LOGO_MAX_SIDE * 2, LOGO_MAX_SIDE * 2))
                image.load()
                upright = ImageOps.exif_transpose(image)
                has_alpha = upright.mode in ("RGBA", "LA", "PA") or ("transparency" in upright.info)
                pixels = upright.convert("RGBA" if has_alpha else "RGB")
        except BrandingError:
            raise
        except (UnidentifiedImageError, Image.DecompressionBombError) as exc:
            if isinstance(exc, Image.DecompressionBombError):
                raise too_many_pixels from exc
            raise not_image from exc
        except Image.DecompressionBombWarning as exc:
            raise too_many_pixels from exc
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise broken from exc
    # A new image from the pixels alone: no EXIF, ICC, text chunks or trailing data survive.
    clean = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    clean.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    clean.save(output, format="PNG", optimize=True)
    return PreparedLogo(content=output.getvalue(), width=clean.width, height=clean.height)


# Texts


@dataclass(frozen=True)
class Question:
    question: str
    answer: str


def _text(value: str | None, *, field: str, limit: int) -> str:
    text = (value or "").replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise BrandingError(
            _("At most %(limit)s characters (this has %(count)s).")
            % {"limit": limit, "count": len(text)},
            code="too_long",
            field=field,
        )
    return text


def faq_clean(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
    """Question and answer pairs in order; blank rows dropped. Field names in errors are
    `faq_question_<n>` / `faq_answer_<n>` (n from 0, the row in the form)."""
    cleaned = []
    for row, (question_raw, answer_raw) in enumerate(pairs):
        question = _text(question_raw, field=f"faq_question_{row}", limit=QUESTION_MAX)
        answer = _text(answer_raw, field=f"faq_answer_{row}", limit=ANSWER_MAX)
        if not question and not answer:
            continue
        if not answer:
            raise BrandingError(
                _("Write the answer to this question, or clear the question."),
                code="faq_incomplete",
                field=f"faq_answer_{row}",
            )
        if not question:
            raise BrandingError(
                _("Write the question this answers, or clear the answer."),
                code="faq_incomplete",
                field=f"faq_question_{row}",
            )
        cleaned.append({"question": question, "answer": answer})
    if len(cleaned) > FAQ_MAX:
        raise BrandingError(
            _("At most %(limit)s questions.") % {"limit": FAQ_MAX}, code="faq_too_many", field="faq"
        )
    return cleaned


def _phone(value: str | None) -> str:
    """The contact phone as stored: +62... (organizers.phone, the one phone rule), or ""."""
    typed = " ".join((value or "").split())
    if not typed:
        return ""
    phone = phone_normalise(typed)
    if phone is None:
        raise BrandingError(
            _("Enter an Indonesian phone number, e.g. 0812 3456 7890 or +62 21 555 1234."),
            code="phone_invalid",
            field="contact_phone",
        )
    return phone


def _email(value: str | None) -> str:
    email = (value or "").strip()
    if email:
        try:
            validate_email(email)
        except DjangoValidationError as exc:
            raise BrandingError(
                _("Enter a valid email address."), code="email_invalid", field="contact_email"
            ) from exc
    return email


@dataclass(frozen=True)
class BrandingDraft:
    """Checked values, not saved: what a save writes and what the preview shows."""

    primary_colour: str
    welcome_text: str
    welcome_text_en: str
    faq: list[dict[str, str]]
    contact_email: str
    contact_phone: str
    logo: PreparedLogo | None


def branding_draft(
    *,
    primary_colour: str,
    welcome_text: str = "",
    welcome_text_en: str = "",
    faq: list[tuple[str, str]] | None = None,
    contact_email: str = "",
    contact_phone: str = "",
    logo: bytes | None = None,
    logo_size: int | None = None,
) -> BrandingDraft:
    """Check every detail; raises the first BrandingError. Writes nothing (the preview uses
    this as it is)."""
    return BrandingDraft(
        primary_colour=brand_colours(primary_colour).primary,
        welcome_text=_text(welcome_text, field="welcome_text", limit=WELCOME_MAX),
        welcome_text_en=_text(welcome_text_en, field="welcome_text_en", limit=WELCOME_MAX),
        faq=faq_clean(faq or []),
        contact_email=_email(contact_email),
        contact_phone=_phone(contact_phone),
        logo=logo_prepare(content=logo, size=logo_size) if logo is not None else None,
    )


def branding_cache_clear() -> None:
    cache.delete(BRANDING_CACHE_KEY)  # tenant-keyed (tenants.cache)


def branding_update(*, draft: BrandingDraft, remove_logo: bool = False) -> Branding:
    """Save checked branding (one row per tenant, created on first save).

    A new logo is stored before the row changes; the replaced (or removed) logo is deleted
    after the commit, and a stored logo whose row change rolls back is deleted at once, so the
    store never keeps an object no row points to and the row never points to a missing one.
    Clears the cached branding after the commit."""
    stored_key = None
    if draft.logo is not None:
        stored_key = tenant_file_save(
            category="branding", content=draft.logo.content, content_type=LOGO_CONTENT_TYPE
        ).key
    try:
        with transaction.atomic():
            branding, _created = Branding.objects.select_for_update().get_or_create(id=BRANDING_ID)
            old_key = branding.logo_key
            fields: dict[str, Any] = {
                "primary_colour": draft.primary_colour,
                "welcome_text": draft.welcome_text,
                "welcome_text_en": draft.welcome_text_en,
                "faq": draft.faq,
                "contact_email": draft.contact_email,
                "contact_phone": draft.contact_phone,
                "updated_at": timezone.now(),
            }
            if stored_key is not None:
                fields["logo_key"] = stored_key
            elif remove_logo:
                fields["logo_key"] = ""
            for name, value in fields.items():
                setattr(branding, name, value)
            branding.save(update_fields=list(fields))
            if old_key and old_key != branding.logo_key:
                transaction.on_commit(lambda: tenant_file_delete(key=old_key))
            transaction.on_commit(branding_cache_clear)
    except BaseException:
        if stored_key is not None:
            tenant_file_delete(key=stored_key)
        raise
    return branding


# Reading (pages and emails)

LOGO_PATH = "/logo/{version}.png"
BRANDING_CACHE_SECONDS = 30


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


def logo_version(key: str) -> str | None:
    """The random part of the logo's key: changes with every new logo, tells nothing."""
    if not key:
        return None
    return key.rsplit("/", 1)[-1].split(".", 1)[0][:16] or None


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


def branding_view_from_draft(draft: BrandingDraft, *, logo_url: str | None) -> BrandingView:
    """Unsaved values for the preview; `logo_url` is what the preview shows for the logo (a
    data: URL of the re-encoded upload, the saved logo's URL, or None)."""
    return BrandingView(
        logo_version=None,
        colours=brand_colours(draft.primary_colour),
        welcome_text=draft.welcome_text,
        welcome_text_en=draft.welcome_text_en,
        faq=tuple(Question(**item) for item in draft.faq),
        contact_email=draft.contact_email,
        contact_phone=draft.contact_phone,
        preview_logo_url=logo_url,
    )


def logo_content_get(*, version: str | None = None) -> tuple[bytes, str] | None:
    """The current logo's PNG bytes and version, or None when there is none. Reads the
    current tenant's row and its own storage prefix only; the bytes are cached per tenant and
    version (a version's bytes never change)."""
    from organizers.selectors import branding_get

    branding = branding_get()
    current = logo_version(branding.logo_key) if branding else None
    if branding is None or current is None:
        return None
    cache_key = f"branding:logo:{current}"
    content = cache.get(cache_key)
    if not isinstance(content, bytes):
        try:
            with tenant_file_open(key=branding.logo_key) as stored:
                content = stored.read()
        except NotFoundError:
            return None
        cache.set(cache_key, content, 60 * 60 * 24)
    return content, current


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
