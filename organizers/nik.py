"""The NIK (Nomor Induk Kependudukan), Indonesia's 16-digit population number:
PP KK CC DDMMYY SSSS = province, regency/city, district, birth date (day + 40 for women),
serial. `nik_problems` says what is wrong with a NIK given the date of birth and sex.
TODO(#4): the rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class NikProblem:
    code: str  # nik_format, nik_province, nik_birth_date, nik_sex
    message: str  # in the active language


def nik_problems(nik: str, *, date_of_birth: dt.date | None, sex: str = "") -> list[NikProblem]:
    """Empty when the NIK is plausible for this person."""
    return []
