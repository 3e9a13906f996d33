"""The one phone rule (organizers.phone), which the booking pages, the API and branding use."""

from __future__ import annotations

import random

import pytest

from organizers import phone
from organizers.phone import phone_display, phone_normalise, whatsapp_number


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0812 3456 7890", "+6281234567890"),
        ("0812-3456-7890", "+6281234567890"),
        ("62 812 3456 7890", "+6281234567890"),
        ("+62 812.3456.7890", "+6281234567890"),
        ("(021) 555-1234", "+62215551234"),
        ("+62 21 5551234", "+62215551234"),
    ],
)
def test_indonesian_numbers_are_stored_in_one_form(typed: str, stored: str) -> None:
    assert phone_normalise(typed) == stored


@pytest.mark.parametrize(
    "typed", ["", "12345", "08123", "081234567890123", "+1 650 253 0000", "0812 abcd 7890"]
)
def test_what_is_not_an_indonesian_number_is_refused(typed: str) -> None:
    assert phone_normalise(typed) is None


def test_a_mobile_number_has_whatsapp_and_a_landline_has_not() -> None:
    assert whatsapp_number("0812 3456 7890") == "6281234567890"
    assert whatsapp_number("+62 21 555 1234") is None


def test_a_stored_number_is_shown_grouped() -> None:
    assert phone_display("+6281234567890") == "+62 812-3456-7890"


# Moved from tests/public_site/test_booking_pages.py: the booking pages' cases, same rule.
@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("62 812 3456 7890", "+6281234567890"),
        ("+62 (812) 3456.7890", "+6281234567890"),
        ("081234", None),
        ("0081234567890", None),
        ("+1 415 555 0100", None),
        ("\uff10\uff18\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff10", None),
    ],
)
def test_what_the_booking_pages_accepted_is_written_the_international_way(
    typed: str, normalised: str | None
) -> None:
    assert phone_normalise(typed) == normalised


def _typed_numbers(count: int, seed: int) -> list[str]:
    """What people type: the prefixes in use, mobile and other leading digits, every length
    around the valid ones, and the separators people put between digit groups."""
    rng = random.Random(seed)
    typed = []
    for _ in range(count):
        prefix = rng.choice(["0", "0", "0", "+62", "+62", "62", "+62 0", "0062", "", "+1"])
        digits = rng.choice("88888888123456789") + "".join(
            rng.choice("0123456789") for _ in range(rng.randint(5, 13))
        )
        text = prefix
        for digit in digits:
            text += digit + (rng.choice(" -.") if rng.random() < 0.15 else "")
        typed.append(text)
    return typed


def test_the_plain_mobile_shortcut_gives_what_the_general_parser_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The shortcut for 08.../+628... numbers must not change a single answer: every form
    (stored, shown, WhatsApp) is compared with the general parser's on 20,000 typed numbers."""
    typed = _typed_numbers(20_000, seed=62)
    forms = (phone_normalise, phone_display, whatsapp_number)
    taken = sum(phone._plain_mobile(text) is not None for text in typed)
    with_shortcut = [[form(text) for form in forms] for text in typed]
    monkeypatch.setattr(phone, "_plain_mobile", lambda text: None)
    general = [[form(text) for form in forms] for text in typed]

    assert with_shortcut == general
    # The comparison means something: the shortcut answered thousands, and the general parser
    # both accepted and refused thousands.
    stored = [answer[0] for answer in general]
    assert taken > 1_500
    assert sum(answer is not None for answer in stored) > taken
    assert sum(answer is None for answer in stored) > 5_000
