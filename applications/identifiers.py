"""The numbers an organiser gives about itself, checked for their form (not looked up at the
tax office or OSS: staff check them against the documents), with messages that say what is
wrong. Each `*_clean` returns the value as stored, or raises ValidationError.

- NPWP (Nomor Pokok Wajib Pajak, the tax number): 15 digits in the form people know
  (01.234.567.8-901.000), or 16 since the 2024 change (PMK 112/2022): a person's NIK, or the old
  number with a leading 0 for an organisation. Stored as its digits.
- NIB (Nomor Induk Berusaha, issued by OSS): 13 digits. A puskesmas or a local government office
  is no business and has none (NIB_OPTIONAL_KINDS in services).
- Phone: the one phone rule of the platform (organizers.phone), stored as +62...
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from organizers.phone import phone_normalise
from tenants.errors import UserText

# What people type between the digits of an NPWP or a NIB.
_SEPARATORS = re.compile(r"[\s.\-]")
_DIGITS = re.compile(r"[0-9]+")
NPWP_LENGTHS = (15, 16)
NIB_LENGTH = 13


def _digits(text: str, *, not_digits: UserText) -> str:
    digits = _SEPARATORS.sub("", text or "")
    # ASCII digits only: `\d` also matches other scripts' digits.
    if not _DIGITS.fullmatch(digits):
        raise ValidationError(not_digits, code="not_digits")
    return digits


def npwp_clean(text: str) -> str:
    digits = _digits(
        text, not_digits=_("An NPWP has only digits; dots, dashes and spaces may separate them.")
    )
    if len(digits) not in NPWP_LENGTHS:
        raise ValidationError(
            ngettext_lazy(
                "An NPWP has 15 digits (or 16 in the new form); this one has %(count)d digit.",
                "An NPWP has 15 digits (or 16 in the new form); this one has %(count)d digits.",
                "count",
            )
            % {"count": len(digits)},
            code="npwp_length",
        )
    if set(digits) == {"0"}:
        raise ValidationError(_("An NPWP cannot be all zeros."), code="npwp_zeros")
    return digits


def npwp_display(digits: str) -> str:
    """A stored NPWP as people write it: 01.234.567.8-901.000 (15 digits); 16 as they are."""
    if len(digits) != 15:
        return digits
    d = digits
    return f"{d[:2]}.{d[2:5]}.{d[5:8]}.{d[8]}-{d[9:12]}.{d[12:]}"


def nib_clean(text: str) -> str:
    digits = _digits(text, not_digits=_("A NIB has only digits."))
    if len(digits) != NIB_LENGTH:
        raise ValidationError(
            ngettext_lazy(
                "A NIB (from OSS) has 13 digits; this one has %(count)d digit.",
                "A NIB (from OSS) has 13 digits; this one has %(count)d digits.",
                "count",
            )
            % {"count": len(digits)},
            code="nib_length",
        )
    if set(digits) == {"0"}:
        raise ValidationError(_("A NIB cannot be all zeros."), code="nib_zeros")
    return digits


def phone_clean(text: str) -> str:
    phone = phone_normalise(text)
    if phone is None:
        raise ValidationError(
            _("Enter an Indonesian phone number, e.g. 0812 3456 7890 or +62 21 555 1234."),
            code="phone",
        )
    return phone
