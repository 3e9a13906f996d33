"""The one validator of a booking body (organizers.services.booking.request), which the rush
front and the API both call: a table of bodies and what it makes of each (the cleaned booking,
or the messages per field, in both languages), and the query of a day's slots. Replaces the
differential test of the front's former plain gate against the API's DRF fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from organizers.services.booking.request import (
    BookingRequest,
    booking_request_clean,
    slot_day_query_clean,
)

VALID = {
    "programme_id": 7,
    "slot_id": 31,
    "dose": 1,
    "nik": "3273015403580002",
    "date_of_birth": "1958-03-14",
    "full_name": "Siti Aminah",
    "phone": "+6281234567890",
    "email": "siti@example.id",
    "sex": "F",
}
BOOKED = BookingRequest(
    programme_id=7,
    slot_id=31,
    dose=1,
    nik="3273015403580002",
    date_of_birth=dt.date(1958, 3, 14),
    full_name="Siti Aminah",
    phone="+6281234567890",
    email="siti@example.id",
    sex="F",
)


@pytest.mark.parametrize(
    ("change", "cleaned"),
    [
        ({}, {}),
        ({"full_name": "  Siti Aminah "}, {}),  # trimmed, as DRF trims
        ({"programme_id": "7", "slot_id": 31.0, "dose": "1"}, {}),  # numbers as text: DRF's
        ({"phone": "0812-3456-7890"}, {}),  # the one phone rule: stored as +62...
        ({"phone": "62 812 3456 7890"}, {}),
        ({"phone": ""}, {"phone": ""}),
        ({"email": ""}, {"email": ""}),
        ({"language": "en"}, {"language": "en"}),
        (
            {"reserve_next_dose": "yes", "invite_token": "abc"},
            {"reserve_next_dose": True, "invite_token": "abc"},
        ),
        (
            {"address": " Jl. Merdeka 1 ", "employee_number": 42},
            {"address": "Jl. Merdeka 1", "employee_number": "42"},
        ),
        ({"unknown": "ignored"}, {}),
    ],
)
def test_a_valid_body_is_cleaned_as_it_is_booked(change: dict, cleaned: dict) -> None:
    booking, errors = booking_request_clean({**VALID, **change})

    assert errors == {}
    expected = {field: getattr(BOOKED, field) for field in BookingRequest.__slots__}
    assert booking == BookingRequest(**{**expected, **cleaned})


def test_left_out_optional_fields_take_their_defaults() -> None:
    required = {
        k: VALID[k]
        for k in ("programme_id", "slot_id", "dose", "nik", "date_of_birth", "full_name")
    }
    booking, errors = booking_request_clean({**required, "nik": "3273011403580002"})

    assert errors == {}
    assert booking is not None
    assert (booking.phone, booking.email, booking.sex, booking.language) == ("", "", "", None)
    assert (booking.reserve_next_dose, booking.invite_token) == (False, "")


# (the body's changes, {field: the messages in English}, {field: in Bahasa Indonesia} or None
# when the same words are kept in both)
WRONG: list[tuple[dict[str, Any], dict[str, list[str]], dict[str, list[str]] | None]] = [
    (
        {"nik": "12345"},
        {"nik": ["Ensure this field has at least 16 characters."]},
        {"nik": ["Isi bidang ini minimal 16 karakter."]},
    ),
    ({"nik": "32730154035800AB"}, {"nik": ["A NIK has exactly 16 digits."]}, None),
    ({"nik": "327301540358000\uff12"}, {"nik": ["A NIK has exactly 16 digits."]}, None),
    (
        {"nik": None},
        {"nik": ["This field may not be null."]},
        {"nik": ['Bidang ini tidak boleh diisi dengan "null".']},
    ),
    (
        {"nik": ""},
        {"nik": ["This field may not be blank."]},
        {"nik": ["Bidang ini tidak boleh kosong."]},
    ),
    (
        {"full_name": "a" * 201},
        {"full_name": ["Ensure this field has no more than 200 characters."]},
        None,
    ),
    ({"full_name": "Si\x00ti"}, {"full_name": ["Null characters are not allowed."]}, None),
    (
        {"full_name": "Si\ud800ti"},
        {"full_name": ["Surrogate characters are not allowed: U+D800."]},
        None,
    ),
    ({"full_name": ["Siti"]}, {"full_name": ["Not a valid string."]}, None),
    (
        {"date_of_birth": "14-03-1958"},
        {"date_of_birth": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
        {"date_of_birth": ["Format tanggal salah. Gunakan salah satu format berikut: YYYY-MM-DD."]},
    ),
    ({"date_of_birth": "2999-01-01"}, {"date_of_birth": ["Check the date of birth."]}, None),
    ({"date_of_birth": "1899-12-31"}, {"date_of_birth": ["Check the date of birth."]}, None),
    (
        {"programme_id": "x"},
        {"programme_id": ["A valid integer is required."]},
        {"programme_id": ["Nilai bidang ini harus berupa bilangan bulat."]},
    ),
    ({"slot_id": 0}, {"slot_id": ["Ensure this value is greater than or equal to 1."]}, None),
    (
        {"slot_id": 2**63},
        {"slot_id": ["Ensure this value is less than or equal to 9223372036854775807."]},
        None,
    ),
    ({"slot_id": True}, {"slot_id": ["A valid integer is required."]}, None),
    (
        {"dose": 7},
        {"dose": ['"7" is not a valid choice.']},
        {"dose": ['"7" tidak ada dalam daftar pilihan.']},
    ),
    ({"reserve_next_dose": "maybe"}, {"reserve_next_dose": ["Must be a valid boolean."]}, None),
    ({"email": "not-an-email"}, {"email": ["Enter a valid email address."]}, None),
    ({"email": 42}, {"email": ["Enter a valid email address."]}, None),
    (
        {"phone": "+1 202 555 0143"},
        {"phone": ["Enter an Indonesian phone number, e.g. 0812 3456 7890 or +62 812 3456 7890."]},
        {"phone": ["Isi nomor telepon Indonesia, misalnya 0812 3456 7890 atau +62 812 3456 7890."]},
    ),
    (
        {"phone": "0812 3456 7890 ext. 12"},
        {"phone": ["Enter an Indonesian phone number, e.g. 0812 3456 7890 or +62 812 3456 7890."]},
        None,
    ),
    ({"sex": "X"}, {"sex": ['"X" is not a valid choice.']}, None),
    ({"language": "fr"}, {"language": ['"fr" is not a valid choice.']}, None),
    (
        {"invite_token": "t" * 65},
        {"invite_token": ["Ensure this field has no more than 64 characters."]},
        None,
    ),
    (
        {"slot_id": None, "dose": "x", "nik": "1"},  # every field's messages, in the API's order
        {
            "nik": ["Ensure this field has at least 16 characters."],
            "slot_id": ["This field may not be null."],
            "dose": ['"x" is not a valid choice.'],
        },
        None,
    ),
]


@pytest.mark.parametrize(("change", "english", "indonesian"), WRONG)
def test_a_wrong_field_is_named_with_the_apis_words_in_both_languages(
    change: dict, english: dict, indonesian: dict | None
) -> None:
    body = {**VALID, **change}
    with translation.override("en"):
        booking_en, errors_en = booking_request_clean(body)
    with translation.override("id"):
        booking_id, errors_id = booking_request_clean(body)

    assert booking_en is booking_id is None
    assert errors_en == english
    assert list(errors_id) == list(english)
    if indonesian is not None:
        assert errors_id == indonesian


def test_a_missing_field_is_required() -> None:
    body = {k: v for k, v in VALID.items() if k not in ("slot_id", "full_name")}
    with translation.override("en"):
        _booking, errors = booking_request_clean(body)

    assert errors == {
        "full_name": ["This field is required."],
        "slot_id": ["This field is required."],
    }


def test_the_niks_own_rules_are_checked_once_every_field_is_valid() -> None:
    with translation.override("en"):
        _booking, male = booking_request_clean({**VALID, "sex": "M"})
        _booking, elsewhere = booking_request_clean({**VALID, "nik": "9973015403580002"})
        _booking, both = booking_request_clean({**VALID, "sex": "M", "dose": 9})

    assert list(male) == ["nik"]
    assert len(male["nik"]) == 1  # the NIK says a woman: one message says so
    assert list(elsewhere) == ["nik"]
    assert "99" in elsewhere["nik"][0]
    assert list(both) == ["dose"]  # a wrong field first; the NIK's rules wait for it


@pytest.mark.parametrize("body", [[], "booking", 7, None])
def test_a_body_that_is_no_object_is_refused_as_a_whole(body: object) -> None:
    with translation.override("en"):
        booking, errors = booking_request_clean(body)

    assert booking is None
    assert errors == {"non_field_errors": ["Send an object with the booking's fields."]}


@pytest.mark.parametrize(
    ("query", "expected", "errors"),
    [
        ({"date": "2026-12-31"}, (dt.date(2026, 12, 31), None), {}),
        ({"date": "2026-12-31", "programme": "7"}, (dt.date(2026, 12, 31), 7), {}),
        ({}, None, {"date": ["This field is required."]}),
        (
            {"date": "31-12-2026"},
            None,
            {"date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]},
        ),
        (
            {"date": "2026-12-31", "programme": "0"},
            None,
            {"programme": ["Ensure this value is greater than or equal to 1."]},
        ),
    ],
)
def test_a_days_query_is_read_with_the_same_rules(
    query: dict, expected: tuple | None, errors: dict
) -> None:
    with translation.override("en"):
        assert slot_day_query_clean(query) == (expected, errors)
