"""The NIK (Nomor Induk Kependudukan), Indonesia's 16-digit population number:
PP KK CC DDMMYY SSSS = province, regency/city, district, birth date (day + 40 for women),
serial. `nik_problems` says what is wrong with a NIK given the date of birth and sex.

Only ASCII digits count: a NIK typed with full-width digits would give another person key, so
`nik_problems` refuses it; `nik_clean` (for forms) turns full-width digits into ASCII and drops
the spaces, dots and dashes people type to group the digits.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from organizers.geography import PROVINCE_NIK_CODES

_DIGITS = re.compile(r"[0-9]{16}")
_SEPARATORS = re.compile(r"[\s.\-]+")


@dataclass(frozen=True)
class NikProblem:
    code: str  # nik_format, nik_province, nik_birth_date, nik_sex, nik_serial
    message: str  # in the active language


def _short(day: int, month: int, year: int) -> str:
    return f"{day:02d}-{month:02d}-{year % 100:02d}"


def _date_exists(day: int, month: int, yy: int) -> bool:
    for century in (1900, 2000):
        try:
            dt.date(century + yy, month, day)
        except ValueError:
            continue
        return True
    return False


def nik_birth_facts(nik: str) -> tuple[int, int, int, bool] | None:
    """(day, month, two-digit year, is a woman) encoded in a well-formed NIK, or None when
    digits 7-12 are not a date."""
    raw_day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = raw_day > 40
    day = raw_day - 40 if female else raw_day
    if not _date_exists(day, month, yy):
        return None
    return day, month, yy, female


def nik_problems(nik: str, *, date_of_birth: dt.date | None, sex: str = "") -> list[NikProblem]:
    """Empty when the NIK is plausible for this person. `sex` is "M", "F" or "" (not asked:
    then the NIK's day may be either the day or the day + 40)."""
    if not isinstance(nik, str) or not _DIGITS.fullmatch(nik) or not nik.isascii():
        return [
            NikProblem(
                "nik_format",
                _("A NIK is exactly 16 digits (0-9). Copy it from your KTP or family card."),
            )
        ]
    problems: list[NikProblem] = []
    if nik[:2] not in PROVINCE_NIK_CODES:
        problems.append(
            NikProblem(
                "nik_province",
                _(
                    "A NIK starts with the code of a province, and %(code)s is not one. "
                    "Check the first two digits against your KTP."
                )
                % {"code": nik[:2]},
            )
        )
    facts = nik_birth_facts(nik)
    if facts is None:
        problems.append(
            NikProblem(
                "nik_birth_date",
                _(
                    "Digits 7 to 12 of a NIK are the date of birth, and %(digits)s is not a date. "
                    "Check the NIK against your KTP."
                )
                % {"digits": nik[6:12]},
            )
        )
    else:
        day, month, yy, female = facts
        if date_of_birth is not None and (day, month, yy) != (
            date_of_birth.day,
            date_of_birth.month,
            date_of_birth.year % 100,
        ):
            problems.append(
                NikProblem(
                    "nik_birth_date",
                    _(
                        "The date of birth in the NIK (%(nik_date)s) does not match the date of "
                        "birth you entered (%(entered)s). Check both against your KTP."
                    )
                    % {
                        "nik_date": _short(day, month, yy),
                        "entered": _short(
                            date_of_birth.day, date_of_birth.month, date_of_birth.year
                        ),
                    },
                )
            )
        if sex == "M" and female:
            problems.append(
                NikProblem(
                    "nik_sex",
                    _(
                        "This NIK is a woman's (for women the day of birth in the NIK is plus "
                        "40), but you chose male. Check the sex you chose, or the NIK."
                    ),
                )
            )
        elif sex == "F" and not female:
            problems.append(
                NikProblem(
                    "nik_sex",
                    _(
                        "This NIK is a man's (for women the day of birth in the NIK is plus 40), "
                        "but you chose female. Check the sex you chose, or the NIK."
                    ),
                )
            )
    if nik[12:] == "0000":
        problems.append(
            NikProblem(
                "nik_serial",
                _("The last four digits of a NIK are never 0000. Check the NIK against your KTP."),
            )
        )
    return problems


def nik_clean(value: str) -> str:
    """What a person typed, as a NIK to check: full-width digits made ASCII, and the spaces,
    dots and dashes used to group digits dropped. Anything else is left for nik_problems."""
    value = _SEPARATORS.sub("", value or "")
    return "".join(
        unicodedata.normalize("NFKC", ch) if unicodedata.category(ch) == "Nd" else ch
        for ch in value
    )


def nik_validate(value: str, *, date_of_birth: dt.date | None, sex: str = "") -> str:
    """For Django forms (the booking pages): the cleaned NIK, or a ValidationError holding one
    message per problem (codes as in nik_problems), for `form.add_error("nik", error)`."""
    nik = nik_clean(value)
    problems = nik_problems(nik, date_of_birth=date_of_birth, sex=sex)
    if problems:
        raise ValidationError([ValidationError(p.message, code=p.code) for p in problems])
    return nik


def nik_compose(
    date_of_birth: dt.date, *, sex: str = "M", region: str = "327301", serial: int = 1
) -> str:
    """A well-formed NIK for this date of birth and sex (demo data, tests, load generators)."""
    day = date_of_birth.day + (40 if sex == "F" else 0)
    if not (1 <= serial <= 9999) or len(region) != 6 or not region.isdigit():
        raise ValueError("region is 6 digits, serial 1..9999")
    return f"{region}{day:02d}{date_of_birth.month:02d}{date_of_birth.year % 100:02d}{serial:04d}"
