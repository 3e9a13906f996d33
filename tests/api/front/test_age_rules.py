"""Age rules in the front: a programme's age bands admit in the front what the full path admits
and leave to it what it refuses, to the day of a birthday."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from organizers.nik import nik_compose
from tests.api.front.conftest import PERSON, Harness, assert_same_answer, elderly_first


def test_elderly_first_the_age_rules_admit_in_the_front_and_refuse_in_the_full_path(
    harness: Harness,
) -> None:
    elderly_first(harness)
    harness.warm()  # 68 years old: admitted
    elderly = harness.book(60)
    young = {"date_of_birth": "1990-01-15", "nik": "3273015501900001"}
    too_early = harness.call(
        "POST",
        "/api/v1/bookings",
        body=json.dumps(
            {
                **PERSON,
                **young,
                "programme_id": harness.programme.id,
                "slot_id": harness.slot.id,
                "dose": 1,
            }
        ).encode(),
        headers=((b"content-type", b"application/json"),),
    )

    assert elderly.status == 201
    assert too_early.status == 409
    assert too_early.json()["error"]["code"] == "age_group_not_open_yet"
    assert harness.django.seen == ["POST /api/v1/bookings"] * 2  # the warm-up, the refusal
    assert harness.counters() == (2, 2)


def _born_and_nik(born: dt.date, serial: int) -> dict[str, str]:
    """A woman born on `born` and a NIK that encodes it (her day of birth + 40)."""
    return {"date_of_birth": born.isoformat(), "nik": nik_compose(born, sex="F", serial=serial)}


@pytest.mark.parametrize(
    ("case", "days_after_60th_birthday", "status"),
    [("60 today", 0, 201), ("60 yesterday", 1, 201), ("60 tomorrow", -1, 409)],
)
def test_an_age_at_the_edge_of_a_band_gets_the_same_answer_from_the_front_and_from_django(
    harness: Harness, case: str, days_after_60th_birthday: int, status: int
) -> None:
    today = timezone.localdate()
    elderly_first(harness)
    harness.warm()  # 68 years old: admitted; the front knows the host and the age bands
    sixtieth = today.replace(year=today.year - 60)
    if sixtieth.month == 2 and sixtieth.day == 29:  # pragma: no cover - a leap day's edge
        pytest.skip("the 60th birthday of a leap day is not one day")
    born = sixtieth - dt.timedelta(days=days_after_60th_birthday)
    front_answer = harness.book(140, **_born_and_nik(born, 140))
    django_answer = harness.book(141, app=harness.django, **_born_and_nik(born, 141))

    assert_same_answer(front_answer, django_answer)
    assert front_answer.status == status
    if status == 409:
        assert front_answer.json()["error"]["code"] == "age_group_not_open_yet"
        assert len(harness.django.seen) == 3  # the front left the refusal to Django
    else:
        assert len(harness.django.seen) == 2  # the warm-up and Django's own
    booked = 1 + 2 * (status == 201)
    assert harness.counters() == (booked, booked)
