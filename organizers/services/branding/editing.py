"""What the organiser edits: the branding form's values checked, saved and previewed. Tenant
schema.

Texts are plain text with length limits; templates escape them. The contact phone is stored in
one form (organizers.phone), the colour and the logo are checked by `colours` and `logo`. A
save invalidates the per-tenant cache the pages read (display.branding_view_get).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizers.models import Branding
from organizers.phone import phone_normalise
from organizers.services.branding.colours import brand_colours
from organizers.services.branding.display import BrandingView, Question, branding_cache_clear
from organizers.services.branding.errors import BrandingError
from organizers.services.branding.logo import LOGO_CONTENT_TYPE, PreparedLogo, logo_prepare
from tenants.storage import tenant_file_delete, tenant_file_save

BRANDING_ID = 1

WELCOME_MAX = 2000
QUESTION_MAX = 200
ANSWER_MAX = 1000
FAQ_MAX = 20


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
