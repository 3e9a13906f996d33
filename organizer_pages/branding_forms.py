"""The organiser's branding form (/kelola/tampilan/). It only parses what people typed; the
rules (image content, contrast, lengths, phone) live in organizers.services.branding."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from organizers.services.branding.editing import ANSWER_MAX, FAQ_MAX, QUESTION_MAX, WELCOME_MAX
from organizers.services.branding.logo import LOGO_MAX_BYTES

FAQ_BLANK_ROWS = 5
LOGO_ACCEPT = "image/png,image/jpeg,image/webp,image/gif"


def faq_row_count(*, saved: int = 0, posted: str | None = None) -> int:
    """Rows in the form: what was posted (bounded), else the saved questions plus blank rows
    to add more, at least five."""
    if posted is not None:
        try:
            return min(max(int(posted), 1), FAQ_MAX + FAQ_BLANK_ROWS)
        except ValueError:
            pass
    return min(max(saved + 2, FAQ_BLANK_ROWS), FAQ_MAX + 2)


class BrandingForm(forms.Form):
    logo = forms.FileField(
        label=_("New logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": LOGO_ACCEPT}),
        help_text=_(
            "A PNG, JPEG, WebP or GIF picture, at most 2 MB. It is shown at most "
            "512 x 512 px; a logo on a white or transparent background looks best."
        ),
    )
    # The re-encoded logo carried from the preview to "save" (checked again on save).
    logo_data = forms.CharField(required=False, widget=forms.HiddenInput)
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    primary_colour = forms.CharField(
        label=_("Main colour"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=_(
            "For the page header and the buttons. White or dark text on it must be "
            "easy to read (contrast at least 4.5:1)."
        ),
    )
    welcome_text = forms.CharField(
        label=_("Welcome text (Bahasa Indonesia)"),
        required=False,
        max_length=WELCOME_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shown at the top of your booking page. Plain text; line breaks are kept."),
    )
    welcome_text_en = forms.CharField(
        label=_("Welcome text (English, optional)"),
        required=False,
        max_length=WELCOME_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Shown to visitors who chose English. Left empty, they see the Indonesian text."
        ),
    )
    contact_email = forms.EmailField(
        label=_("Contact email"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    contact_phone = forms.CharField(
        label=_("Contact phone or WhatsApp"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("e.g. 0812 3456 7890. A mobile number also gets a WhatsApp link."),
    )

    def __init__(self, *args: Any, faq_rows: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.faq_rows = faq_rows
        for row in range(faq_rows):
            number = {"number": row + 1}
            self.fields[f"faq_question_{row}"] = forms.CharField(
                label=_("Question %(number)s") % number, required=False, max_length=QUESTION_MAX
            )
            self.fields[f"faq_answer_{row}"] = forms.CharField(
                label=_("Answer %(number)s") % number,
                required=False,
                max_length=ANSWER_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("primary_colour", "welcome_text", "welcome_text_en")]

    def contact_fields(self) -> list[forms.BoundField]:
        return [self["contact_email"], self["contact_phone"]]

    def faq_field_rows(self) -> list[tuple[int, forms.BoundField, forms.BoundField]]:
        return [
            (row + 1, self[f"faq_question_{row}"], self[f"faq_answer_{row}"])
            for row in range(self.faq_rows)
        ]

    def faq_pairs(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        return [
            (data.get(f"faq_question_{row}", ""), data.get(f"faq_answer_{row}", ""))
            for row in range(self.faq_rows)
        ]

    def new_logo(self) -> tuple[bytes, int] | None:
        """The uploaded logo (at most its first 2 MB and a byte: the service refuses anything
        larger by its full size) or the one carried from the preview; None if neither."""
        upload = self.cleaned_data.get("logo")
        if upload is not None:
            return upload.read(LOGO_MAX_BYTES + 1), upload.size
        carried = self.cleaned_data.get("logo_data") or ""
        if carried:
            try:
                content = base64.b64decode(carried, validate=True)
            except (binascii.Error, ValueError):
                content = b"not an image"  # the service refuses it with its usual message
            return content, len(content)
        return None

    def draft_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "primary_colour": data["primary_colour"],
            "welcome_text": data["welcome_text"],
            "welcome_text_en": data["welcome_text_en"],
            "faq": self.faq_pairs(),
            "contact_email": data["contact_email"],
            "contact_phone": data["contact_phone"],
        }
