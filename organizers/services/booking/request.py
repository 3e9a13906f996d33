"""What a booking request says, checked once: the body of POST /api/v1/bookings and the query of
a venue's day of slots, for the rush front and for the API alike (plain Python: no DRF, no
request object).

`booking_request_clean` returns the cleaned fields or, per field, the messages that say what is
wrong, in the active language. The wording is the API's (the DRF fields it used before: same
messages, same order of fields), so an integrator sees the same 400 whoever answers. It keeps
the one phone rule (organizers.phone): a phone number is stored as +62..., and text that is no
Indonesian number is refused with a message under `phone`.

The rush front calls it for every booking at a drop: a valid body is checked in a few
microseconds (exact JSON types take the short way through each field; the messages are only
built for a body that has errors).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from organizers.models import Sex
from organizers.nik import nik_problems
from organizers.phone import phone_normalise
from organizers.services.booking.person import Person

MAX_ID = 2**63 - 1
NIK_RE = re.compile(r"[0-9]{16}")  # ASCII only: full-width digits would be another HMAC key
LANGUAGES = ("id", "en")
FieldErrors = dict[str, list[str]]


@dataclass(frozen=True, slots=True)
class BookingRequest:
    """A booking body as it is booked: every field valid, text trimmed, the phone as +62...
    `language` is None when the body does not choose one (the request's language decides)."""

    programme_id: int
    slot_id: int
    dose: int
    nik: str
    date_of_birth: dt.date
    full_name: str
    phone: str = ""
    email: str = ""
    sex: str = ""
    address: str = ""
    employee_number: str = ""
    language: str | None = None
    reserve_next_dose: bool = False
    invite_token: str = ""

    def person(self, *, language: str) -> Person:
        """The person this body books, speaking `language` (the body's or the request's)."""
        return Person(
            nik=self.nik,
            date_of_birth=self.date_of_birth,
            full_name=self.full_name,
            phone=self.phone,
            email=self.email,
            sex=self.sex,
            address=self.address,
            employee_number=self.employee_number,
            language=language,
        )


class _Invalid(Exception):  # noqa: N818 - a field's messages, caught within this module
    def __init__(self, *messages: str) -> None:
        self.messages = list(messages)


_MISSING: Any = object()


# --- One field each: DRF's rules (CharField, IntegerField, ChoiceField, ...), DRF's words -------


def _present(value: object) -> None:
    if value is _MISSING:
        raise _Invalid(_("This field is required."))
    if value is None:
        raise _Invalid(_("This field may not be null."))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _text(
    value: object,
    *,
    max_length: int | None,
    min_length: int | None = None,
    blank: bool,
    invalid: str | None = None,
) -> str:
    """As DRF's CharField: numbers are taken as text, surrounding whitespace is trimmed, a
    blank value is "" (or refused), then every length and character rule is checked."""
    _present(value)
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        text = str(value).strip()
    else:
        raise _Invalid(invalid or _("Not a valid string."))
    if text == "":
        if not blank:
            raise _Invalid(_("This field may not be blank."))
        return ""
    errors: list[str] = []
    if max_length is not None and len(text) > max_length:
        errors.append(
            _("Ensure this field has no more than {max_length} characters.").format(
                max_length=max_length
            )
        )
    if min_length is not None and len(text) < min_length:
        errors.append(
            _("Ensure this field has at least {min_length} characters.").format(
                min_length=min_length
            )
        )
    if "\x00" in text:
        errors.append(_("Null characters are not allowed."))
    if (surrogate := _SURROGATE.search(text)) is not None:
        errors.append(
            _("Surrogate characters are not allowed: U+{code_point:X}.").format(
                code_point=ord(surrogate.group())
            )
        )
    if errors:
        raise _Invalid(*errors)
    return text


_DECIMAL = re.compile(r"\.0*\s*$")  # "7.0" is 7, as DRF reads it; "7.5" is not an integer


def _integer(value: object, *, minimum: int, maximum: int) -> int:
    _present(value)
    if type(value) is int:
        number = value
    else:
        if isinstance(value, str) and len(value) > 1000:
            raise _Invalid(_("String value too large."))
        try:
            number = int(_DECIMAL.sub("", str(value)))
        except (ValueError, TypeError):
            raise _Invalid(_("A valid integer is required.")) from None
    errors: list[str] = []
    if number > maximum:
        errors.append(
            _("Ensure this value is less than or equal to {max_value}.").format(max_value=maximum)
        )
    if number < minimum:
        errors.append(
            _("Ensure this value is greater than or equal to {min_value}.").format(
                min_value=minimum
            )
        )
    if errors:
        raise _Invalid(*errors)
    return number


def _choice(value: object, choices: Mapping[str, Any], *, blank: bool = False) -> Any:
    """As DRF's ChoiceField: a choice is matched by its text ("1" and 1 are dose 1)."""
    _present(value)
    if value == "" and blank:
        return ""
    try:
        return choices[value if type(value) is str else str(value)]
    except KeyError:
        raise _Invalid(_('"{input}" is not a valid choice.').format(input=value)) from None


_TRUE = {"t", "y", "yes", "true", "on", "1", 1}
_FALSE = {"f", "n", "no", "false", "off", "0", 0}


def _boolean(value: object) -> bool:
    _present(value)
    if value is False or value is True:
        return value
    lowered = value.lower() if isinstance(value, str) else value
    try:
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    except TypeError:  # a list or an object: not hashable, not a boolean
        pass
    raise _Invalid(_("Must be a valid boolean."))


# A date as people and programs write it: ASCII digits only. Python's ISO parser also takes
# week dates ("1958-W11-5"), and Django's parse_date takes any script's digits ("\uff11\uff19..."):
# neither is a date of birth anyone means.
_DATE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")


def date_from_text(value: object) -> dt.date | None:
    """A date written YYYY-MM-DD in ASCII digits, or None: the one reading of a date in a
    request body or query, for the API's serializers as for this validator."""
    if type(value) is not str or not _DATE.fullmatch(value):
        return None
    try:
        return parse_date(value)
    except ValueError:
        return None


def _date(value: object) -> dt.date:
    _present(value)
    parsed = date_from_text(value)
    if parsed is None:
        raise _Invalid(
            _("Date has wrong format. Use one of these formats instead: {format}.").format(
                format="YYYY-MM-DD"
            )
        )
    return parsed


_EMAIL = EmailValidator(message="-")


def _email(value: object) -> str:
    try:
        text = _text(value, max_length=None, blank=True, invalid=_("Enter a valid email address."))
    except _Invalid as invalid:
        # DRF's EmailField runs the address check beside the character rules: both messages.
        if isinstance(value, str) and value.strip() and not _email_valid(value.strip()):
            invalid.messages.append(_("Enter a valid email address."))
        raise
    if text != "" and not _email_valid(text):
        raise _Invalid(_("Enter a valid email address."))
    return text


def _email_valid(text: str) -> bool:
    try:
        _EMAIL(text)
    except ValidationError:
        return False
    return True


def _nik(value: object) -> str:
    nik = _text(value, max_length=16, min_length=16, blank=False)
    if not NIK_RE.fullmatch(nik):
        raise _Invalid(_("A NIK has exactly 16 digits."))
    return nik


def name_problem(name: str) -> str | None:
    """What is wrong with a person's name, or None: control characters (a bell, a new line) and
    invisible formatting characters (bidi overrides that flip how the name reads on a staff
    list, zero-width characters) cannot be printed on a list or an e-voucher. The one rule
    for the API, the rush front and the booking pages."""
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in name):
        return str(_("A name can only have letters, spaces and punctuation."))
    return None


def _full_name(value: object) -> str:
    name = _text(value, max_length=200, blank=False)
    if (problem := name_problem(name)) is not None:
        raise _Invalid(problem)
    return name


def _date_of_birth(value: object) -> dt.date:
    born = _date(value)
    if born > timezone.localdate() or born.year < 1900:
        raise _Invalid(_("Check the date of birth."))
    return born


def _phone(value: object) -> str:
    text = _text(value, max_length=30, blank=True)
    if text == "":
        return ""
    normalised = phone_normalise(text)
    if normalised is None:
        raise _Invalid(
            _("Enter an Indonesian phone number, e.g. 0812 3456 7890 or +62 812 3456 7890.")
        )
    return normalised


def _id(value: object) -> int:
    if type(value) is int and 1 <= value <= MAX_ID:
        return value
    return _integer(value, minimum=1, maximum=MAX_ID)


_DOSES = {"1": 1, "2": 2, "3": 3}
_SEXES = {code: code for code, _name in Sex.choices}
_LANGUAGES = {code: code for code in LANGUAGES}

# (field, how it is read, its value when the body leaves it out; _MISSING: required, None: left
# out of the cleaned fields). In the API's order: the messages of a 400 come in this order.
_FIELDS: tuple[tuple[str, Any, Any], ...] = (
    ("nik", _nik, _MISSING),
    ("date_of_birth", _date_of_birth, _MISSING),
    ("full_name", _full_name, _MISSING),
    ("phone", _phone, ""),
    ("email", _email, ""),
    ("sex", lambda value: _choice(value, _SEXES, blank=True), ""),
    ("programme_id", _id, _MISSING),
    ("slot_id", _id, _MISSING),
    ("dose", lambda value: _choice(value, _DOSES), _MISSING),
    ("reserve_next_dose", _boolean, False),
    ("address", lambda value: _text(value, max_length=500, blank=True), ""),
    ("employee_number", lambda value: _text(value, max_length=40, blank=True), ""),
    ("language", lambda value: _choice(value, _LANGUAGES), None),
    ("invite_token", lambda value: _text(value, max_length=64, blank=True), ""),
)


def booking_request_clean(payload: object) -> tuple[BookingRequest | None, FieldErrors]:
    """(the booking the body asks for, {}) or (None, the messages per field). A body that is no
    JSON object has its message under "non_field_errors". The NIK's own rules (province, the
    date of birth and sex it encodes) are checked once every field is valid, as the API did."""
    if not isinstance(payload, dict):
        return None, {"non_field_errors": [_("Send an object with the booking's fields.")]}
    get = payload.get
    cleaned: dict[str, Any] = {}
    errors: FieldErrors = {}
    for name, read, default in _FIELDS:
        value = get(name, _MISSING)
        if value is _MISSING and default is not _MISSING:
            if default is not None:
                cleaned[name] = default
            continue
        try:
            cleaned[name] = read(value)
        except _Invalid as invalid:
            errors[name] = invalid.messages
    if errors:
        return None, errors
    problems = nik_problems(
        cleaned["nik"], date_of_birth=cleaned["date_of_birth"], sex=cleaned["sex"]
    )
    if problems:
        return None, {"nik": [problem.message for problem in problems]}
    return BookingRequest(**cleaned), {}


SlotDay = tuple[dt.date, int | None]


def slot_day_query_clean(query: Mapping[str, str]) -> tuple[SlotDay | None, FieldErrors]:
    """The day and, if given, the programme of GET /api/v1/venues/<id>/slots?date=&programme=:
    ((day, programme), {}) or (None, the messages per field)."""
    errors: FieldErrors = {}
    day = programme = None
    try:
        day = _date(query.get("date", _MISSING))
    except _Invalid as invalid:
        errors["date"] = invalid.messages
    if "programme" in query:
        try:
            programme = _id(query["programme"])
        except _Invalid as invalid:
            errors["programme"] = invalid.messages
    if errors or day is None:
        return None, errors
    return (day, programme), {}


def day_may_hold_slots(day: dt.date) -> bool:
    """False for far-off days: they hold no slots, and their time zone arithmetic overflows."""
    return dt.date(2000, 1, 1) <= day <= dt.date(9000, 1, 1)
