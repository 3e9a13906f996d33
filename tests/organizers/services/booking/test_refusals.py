"""organizers.services.booking.refusals: a booking refusal is worded in one table, whichever
path refuses (the booking engine, the waitlist, the rush front, the API, the pages), in both
languages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation

from organizers.services.booking.refusals import (
    REFUSALS,
    SLOT_REFUSALS,
    BookingRefusedError,
    refusal_error,
)
from tenants.errors import NotFoundError

ROOT = Path(__file__).resolve().parents[4]
CODE_USE = re.compile(r"refusal_(?:error|message)\(\s*\"([a-z_0-9]+)\"")


def _sources() -> list[Path]:
    return [
        path
        for package in (
            "organizers",
            "public_site",
            "booking_pages",
            "organizer_pages",
            "api",
            "tenants",
        )
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    ]


def test_every_refusal_the_code_names_is_in_the_table() -> None:
    named = {code for path in _sources() for code in CODE_USE.findall(path.read_text())}

    assert named, "the scan found no refusal: the pattern is out of date"
    assert named - set(REFUSALS) == set()


def test_no_booking_refusal_is_worded_outside_the_table() -> None:
    # Eligibility's refusals carry the organiser's name and the person's facts: they are
    # worded where they are decided (organizers.services.eligibility.rules), through one helper.
    allowed = {
        "organizers/services/booking/refusals.py",
        "organizers/services/eligibility/rules.py",
    }
    wording = [
        str(path.relative_to(ROOT))
        for path in _sources()
        if "RefusedError(" in path.read_text().replace("class BookingRefusedError(", "")
        and str(path.relative_to(ROOT)) not in allowed
    ]

    assert wording == []


@pytest.mark.parametrize("code", sorted(REFUSALS))
def test_each_refusal_has_its_status_and_an_indonesian_wording(code: str) -> None:
    error = refusal_error(code)
    with translation.override("en"):
        english = str(error.message)
    with translation.override("id"):
        indonesian = str(error.message)

    assert isinstance(error, (NotFoundError, BookingRefusedError))
    assert error.status_code in (404, 409)
    assert error.code == (REFUSALS[code].code or code)
    assert english
    assert indonesian != english


def test_the_pages_send_the_person_back_for_every_refusal_about_the_time() -> None:
    rule = {"slot_not_found", "venue_not_bookable", "slot_in_past", "window_closed", "slot_full"}

    assert rule | {"next_dose_full", "slot_no_longer_bookable"} == SLOT_REFUSALS
