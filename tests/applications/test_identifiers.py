"""The NPWP, NIB and phone rules: what is accepted (and how it is stored), what is refused and
what the message says, in Indonesian (the default) and English."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from applications.identifiers import nib_clean, npwp_clean, npwp_display, phone_clean


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("01.234.567.8-901.000", "012345678901000"),
        ("012345678901000", "012345678901000"),
        (" 01 234 567 8 901 000 ", "012345678901000"),
        ("0012345678901000", "0012345678901000"),  # the 16-digit form (2024)
    ],
)
def test_an_npwp_is_stored_as_its_digits(typed: str, stored: str) -> None:
    assert npwp_clean(typed) == stored


def test_a_15_digit_npwp_is_shown_as_people_write_it() -> None:
    assert npwp_display("012345678901000") == "01.234.567.8-901.000"
    assert npwp_display("0012345678901000") == "0012345678901000"


@pytest.mark.parametrize(
    ("typed", "code", "indonesian", "english"),
    [
        (
            "01.234.567.8-901",
            "npwp_length",
            "NPWP terdiri dari 15 angka (atau 16 dalam format baru); yang ini 12 angka.",
            "An NPWP has 15 digits (or 16 in the new form); this one has 12 digits.",
        ),
        (
            "01234567890100012",
            "npwp_length",
            "NPWP terdiri dari 15 angka (atau 16 dalam format baru); yang ini 17 angka.",
            "An NPWP has 15 digits (or 16 in the new form); this one has 17 digits.",
        ),
        (
            "01.234.567.8-9O1.000",  # a letter O for a zero
            "not_digits",
            "NPWP hanya berisi angka; titik, tanda hubung, dan spasi boleh memisahkannya.",
            "An NPWP has only digits; dots, dashes and spaces may separate them.",
        ),
        (
            "".join(chr(0xFF10 + int(d)) for d in "012345678901000"),  # full-width
            "not_digits",
            "NPWP hanya berisi angka; titik, tanda hubung, dan spasi boleh memisahkannya.",
            "An NPWP has only digits; dots, dashes and spaces may separate them.",
        ),
        (
            "00.000.000.0-000.000",
            "npwp_zeros",
            "NPWP tidak boleh berisi nol semua.",
            "An NPWP cannot be all zeros.",
        ),
    ],
)
def test_a_wrong_npwp_is_refused_with_what_is_wrong(
    typed: str, code: str, indonesian: str, english: str
) -> None:
    for language, expected in (("id", indonesian), ("en", english)):
        with translation.override(language):
            with pytest.raises(ValidationError) as refused:
                npwp_clean(typed)
            # Lazy messages: read in the language they are shown in.
            assert refused.value.messages == [expected]
        assert refused.value.code == code


def test_a_nib_is_13_digits() -> None:
    assert nib_clean("9120 0012 3456 7") == "9120001234567"


@pytest.mark.parametrize(
    ("typed", "indonesian", "english"),
    [
        (
            "912000123456",
            "NIB (dari OSS) terdiri dari 13 angka; yang ini 12 angka.",
            "A NIB (from OSS) has 13 digits; this one has 12 digits.",
        ),
        ("NIB-9120001234567", "NIB hanya berisi angka.", "A NIB has only digits."),
        ("0000000000000", "NIB tidak boleh berisi nol semua.", "A NIB cannot be all zeros."),
    ],
)
def test_a_wrong_nib_is_refused_with_what_is_wrong(
    typed: str, indonesian: str, english: str
) -> None:
    for language, expected in (("id", indonesian), ("en", english)):
        with translation.override(language):
            with pytest.raises(ValidationError) as refused:
                nib_clean(typed)
            assert refused.value.messages == [expected]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("0812-3456-7890", "+6281234567890"), ("+62 21 555 1234", "+62215551234")],
)
def test_a_phone_is_stored_as_plus_62(typed: str, stored: str) -> None:
    assert phone_clean(typed) == stored


@pytest.mark.parametrize("typed", ["+1 202 555 0123", "12345", "0812-ABCD-7890"])
def test_a_phone_that_is_not_indonesian_is_refused(typed: str) -> None:
    with pytest.raises(ValidationError) as refused:
        phone_clean(typed)

    with translation.override("id"):
        assert refused.value.messages == [
            "Tulis nomor telepon Indonesia, misalnya 0812 3456 7890 atau +62 21 555 1234."
        ]
