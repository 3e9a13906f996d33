"""The one phone rule: an Indonesian number, stored as E.164 (+62...), parsed by libphonenumber.

People type 0812-3456-7890, 62 812 3456 7890 or +62 21 555 1234; the pages, the API, the rush
front and branding all store what `phone_normalise` returns, so staff, messages and exports
see one form. Numbers of other countries are refused: the platform serves Indonesia and its
messages go to Indonesian numbers.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType
from phonenumbers.phonenumberutil import NumberParseException

REGION = "ID"
# What people type around the digits; libphonenumber would also read letters as keypad digits.
_TYPED = re.compile(r"\+?[0-9 ().\-]+")
_MOBILE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
# The shape nearly everyone types at a rush: a mobile number, 08... or +628..., with spaces,
# dashes or dots between the digits. For it the national number is plain to see, so the
# general parser (about 25 us, the largest single cost of validating a booking body on the
# front) is skipped; libphonenumber still decides whether the number is valid. Anything else,
# and any number this shape does not make valid, takes the general path. ASCII digits only:
# `[0-9]`, never `\d`, which also matches other scripts' digits.
_SEPARATORS = str.maketrans("", "", " -.")
_PLAIN_MOBILE = re.compile(r"(?:0|\+62)(8[0-9]{7,12})")


def _plain_mobile(text: str) -> phonenumbers.PhoneNumber | None:
    """The fast path above: a valid number of the plain mobile shape, else None."""
    plain = _PLAIN_MOBILE.fullmatch(text.translate(_SEPARATORS))
    if plain is None:
        return None
    number = phonenumbers.PhoneNumber(country_code=62, national_number=int(plain.group(1)))
    return number if phonenumbers.is_valid_number(number) else None


def _parsed(value: str) -> phonenumbers.PhoneNumber | None:
    text = (value or "").strip()
    if not text or len(text) > 30 or not _TYPED.fullmatch(text):
        return None
    number = _plain_mobile(text)
    if number is not None:
        return number
    try:
        number = phonenumbers.parse(text, REGION)
    except NumberParseException:
        return None
    if number.country_code != 62 or not phonenumbers.is_valid_number(number):
        return None
    return number


def phone_normalise(value: str) -> str | None:
    """An Indonesian phone number as +62..., or None when the text is not one."""
    number = _parsed(value)
    return None if number is None else phonenumbers.format_number(number, PhoneNumberFormat.E164)


def phone_display(value: str) -> str:
    """A stored number as people read it ('+62 812-3456-7890'); other text as it is."""
    number = _parsed(value)
    if number is None:
        return value
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def whatsapp_number(value: str) -> str | None:
    """The wa.me form of a mobile number ('6281234567890'), else None: a landline has no
    WhatsApp."""
    number = _parsed(value)
    if number is None or phonenumbers.number_type(number) not in _MOBILE:
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164).lstrip("+")
