"""The rush front's plain-Python gate (api.v1.rush.booking_fields_plain) never accepts a body
that the full path (BookingCreateSerializer's fields, the NIK rules, the date-of-birth check)
would refuse or change: whatever it lets through, the full path would book exactly as given."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from api.v1 import rush
from api.v1 import serializers as s

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

# Values that are valid, invalid, or valid only after DRF changes them (trimming, "7" -> 7).
TRICKY: list[Any] = [
    None, True, False, 0, 1, 2, -1, 7, 7.0, "7", " 7", 2**63 - 1, 2**63, "", " ", "x",
    "Siti Aminah", " Siti", "Siti ", "Si\x00ti", "Si\ud800ti", "a" * 200, "a" * 201, "a" * 501,
    "3273015403580002", "3273015403580003", " 3273015403580002", "327301540358000\uff12",
    "3273015403580002\n", "9973015403580002", "3273015403580000", "3273011403580002",
    "1958-03-14", "1958-3-14", "1958-03-14T00:00", "14-03-1958", "2999-01-01", "1899-12-31",
    "1958-02-30", "siti@example.id", "siti@", " siti@example.id", "SITI@EXAMPLE.ID",
    "siti@localhost", "M", "F", "m", "id", "en", "fr", [], {}, ["1"], "+6281234567890",
    "0812-3456-7890", "a" * 30, "a" * 31, "a" * 40, "a" * 41,
]  # fmt: skip
FIELDS = [*VALID, "reserve_next_dose", "address", "employee_number", "language", "invite_token"]


def _full_path(payload: dict[str, Any]) -> dict[str, Any] | None:
    """What the full path books from `payload`, or None when it refuses it."""
    data, errors = rush._validate(payload)
    if errors or s.nik_rule_errors(data):
        return None
    return data


def _same_booking(plain: dict[str, Any], full: dict[str, Any]) -> bool:
    keys = ("programme_id", "slot_id", "dose", "nik", "date_of_birth", "full_name", "phone",
            "email", "sex", "address", "employee_number")  # fmt: skip
    return all(plain[key] == full[key] for key in keys) and full["reserve_next_dose"] is False


def test_a_plain_valid_body_passes_the_gate_as_the_full_path_reads_it() -> None:
    plain = rush.booking_fields_plain(VALID)
    full = _full_path(VALID)

    assert plain is not None
    assert full is not None
    assert _same_booking(plain, full)
    assert plain["date_of_birth"] == dt.date(1958, 3, 14)
    assert plain["language"] is None  # not given: the request's language decides


@pytest.mark.parametrize(
    ("field", "value"),
    [("full_name", " Siti"), ("programme_id", "7"), ("dose", 2), ("reserve_next_dose", True),
     ("nik", "3273015403580000"), ("date_of_birth", "1958-3-14"), ("email", " siti@example.id"),
     ("invite_token", "abc"), ("sex", "M"), ("language", "fr")],
)  # fmt: skip
def test_bodies_the_gate_is_not_sure_of_go_to_the_full_path(field: str, value: object) -> None:
    assert rush.booking_fields_plain({**VALID, field: value}) is None


def test_the_gate_never_lets_through_what_the_full_path_would_refuse_or_change() -> None:
    chooser = random.Random(20261126)  # noqa: S311 - a repeatable corpus, not a secret
    let_through = 0
    for _round in range(4000):
        payload = dict(VALID)
        for field in chooser.sample(FIELDS, chooser.randint(1, 3)):
            if chooser.random() < 0.15:
                payload.pop(field, None)
            else:
                payload[field] = chooser.choice(TRICKY)
        plain = rush.booking_fields_plain(payload)
        if plain is None:
            continue
        let_through += 1
        full = _full_path(payload)
        assert full is not None, payload
        assert _same_booking(plain, full), payload
    assert let_through > 200  # the corpus reaches the accepting side, not only refusals
