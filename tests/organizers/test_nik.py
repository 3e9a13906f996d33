"""The NIK rules: 16 ASCII digits, a real province, the birth date (day + 40 for women) matching
the date of birth and sex, a serial other than 0000; one clear message per mismatch."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from organizers.geography import PROVINCE_NIK_CODES, PROVINCE_TIME_ZONES
from organizers.nik import nik_clean, nik_compose, nik_problems, nik_validate

SITI = dt.date(1958, 3, 14)  # a woman: her NIK's day is 14 + 40 = 54
SITI_NIK = "3273015403580002"
BUDI = dt.date(1960, 5, 17)
BUDI_NIK = "3173021705600011"


def codes(nik: str, **kwargs: object) -> list[str]:
    return [p.code for p in nik_problems(nik, **kwargs)]  # type: ignore[arg-type]


def test_a_plausible_nik_has_no_problem() -> None:
    assert nik_problems(SITI_NIK, date_of_birth=SITI, sex="F") == []
    assert nik_problems(BUDI_NIK, date_of_birth=BUDI, sex="M") == []
    # Without the sex (the API may not send it), the day may be either form.
    assert nik_problems(SITI_NIK, date_of_birth=SITI) == []
    assert nik_problems(BUDI_NIK, date_of_birth=BUDI) == []


@pytest.mark.parametrize(
    "nik",
    [
        "12345",
        "32730154035800021",
        "32730154035800AB",
        "3273 0154 0358 0002",
        "".join(chr(ord(d) + 0xFEE0) for d in SITI_NIK),
        "٣٢٧٣٠١٥٤٠٣٥٨٠٠٠٢",
        "",
    ],
)
def test_anything_but_sixteen_ascii_digits_is_a_format_problem(nik: str) -> None:
    with translation.override("en"):
        problems = nik_problems(nik, date_of_birth=SITI)
    assert [p.code for p in problems] == ["nik_format"]
    assert "16 digits" in problems[0].message


def test_the_province_code_must_be_one_of_the_38() -> None:
    assert len(PROVINCE_NIK_CODES) == 38
    assert set(PROVINCE_NIK_CODES.values()) == set(PROVINCE_TIME_ZONES)
    for code in ("93", "94", "95", "96"):  # the Papua provinces of 2022
        assert codes(code + SITI_NIK[2:], date_of_birth=SITI) == []
    for code in ("00", "10", "20", "37", "50", "66", "77", "90", "97", "99"):
        assert codes(code + SITI_NIK[2:], date_of_birth=SITI) == ["nik_province"]
    with translation.override("en"):
        (problem,) = nik_problems("99" + SITI_NIK[2:], date_of_birth=SITI)
    assert "99" in problem.message
    assert "province" in problem.message


@pytest.mark.parametrize(
    "ddmmyy", ["000358", "320358", "400358", "720358", "541358", "300258", "290259", "690259"]
)
def test_an_impossible_encoded_date_is_reported(ddmmyy: str) -> None:
    nik = f"327301{ddmmyy}0002"
    assert codes(nik, date_of_birth=None) == ["nik_birth_date"]


def test_29_february_exists_in_a_leap_year() -> None:
    assert codes("3273012902600002", date_of_birth=dt.date(1960, 2, 29), sex="M") == []
    assert codes("3273016902000002", date_of_birth=dt.date(2000, 2, 29), sex="F") == []


def test_a_birth_date_mismatch_says_both_dates_in_the_persons_language() -> None:
    other_day = dt.date(1958, 3, 4)
    with translation.override("en"):
        (problem,) = nik_problems(SITI_NIK, date_of_birth=other_day, sex="F")
    assert problem.code == "nik_birth_date"
    assert problem.message == (
        "The date of birth in the NIK (14-03-58) does not match the date of birth you entered "
        "(04-03-58). Check both against your KTP."
    )
    with translation.override("id"):
        (problem,) = nik_problems(SITI_NIK, date_of_birth=other_day, sex="F")
    assert "14-03-58" in problem.message
    assert "04-03-58" in problem.message
    assert "tanggal lahir" in problem.message.lower()


@pytest.mark.parametrize(
    "date_of_birth",
    [dt.date(1958, 4, 14), dt.date(1959, 3, 14), dt.date(1958, 3, 15), dt.date(2058, 3, 14)],
)
def test_day_month_and_two_digit_year_must_all_match(date_of_birth: dt.date) -> None:
    expected = [] if date_of_birth.year == 2058 else ["nik_birth_date"]
    assert codes(SITI_NIK, date_of_birth=date_of_birth) == expected


def test_a_sex_mismatch_is_its_own_message_each_way() -> None:
    with translation.override("en"):
        (woman_as_man,) = nik_problems(SITI_NIK, date_of_birth=SITI, sex="M")
        (man_as_woman,) = nik_problems(BUDI_NIK, date_of_birth=BUDI, sex="F")
    assert woman_as_man.code == man_as_woman.code == "nik_sex"
    assert "woman" in woman_as_man.message
    assert "you chose male" in woman_as_man.message
    assert "man's" in man_as_woman.message
    assert "you chose female" in man_as_woman.message
    with translation.override("id"):
        (problem,) = nik_problems(SITI_NIK, date_of_birth=SITI, sex="M")
    assert "perempuan" in problem.message.lower()


def test_several_mismatches_give_one_message_each() -> None:
    nik = "9973015403590000"  # bad province, year 59, serial 0000
    assert codes(nik, date_of_birth=SITI, sex="M") == [
        "nik_province",
        "nik_birth_date",
        "nik_sex",
        "nik_serial",
    ]


def test_serial_0000_is_refused() -> None:
    assert codes("3273015403580000", date_of_birth=SITI) == ["nik_serial"]


def test_nik_clean_and_nik_validate_for_forms() -> None:
    full_width = "".join(chr(ord(d) + 0xFEE0) for d in SITI_NIK)
    assert nik_clean(" 3273-0154.0358 0002 ") == SITI_NIK
    assert nik_clean(full_width) == SITI_NIK
    assert nik_validate("3273 0154 0358 0002", date_of_birth=SITI, sex="F") == SITI_NIK
    with translation.override("en"), pytest.raises(ValidationError) as error:
        nik_validate(SITI_NIK, date_of_birth=dt.date(1958, 3, 4), sex="M")
    assert [e.code for e in error.value.error_list] == ["nik_birth_date", "nik_sex"]


def test_nik_compose_gives_a_plausible_nik() -> None:
    for sex in ("M", "F"):
        nik = nik_compose(SITI, sex=sex, serial=9999)
        assert nik_problems(nik, date_of_birth=SITI, sex=sex) == []
    with pytest.raises(ValueError, match="serial"):
        nik_compose(SITI, serial=0)
