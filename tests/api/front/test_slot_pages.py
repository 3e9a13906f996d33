"""A day's slots from the front: the full path's list, its 400 worded the same, no other
tenant's venue."""

from __future__ import annotations

import datetime as dt

from tests.api.front.conftest import BETA, Harness, assert_same_answer


def test_the_days_slots_match_the_full_paths_list(harness: Harness) -> None:
    day = harness.slot.starts_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    path = f"/api/v1/venues/{harness.slot.venue_id}/slots"
    query = f"date={day.isoformat()}".encode()
    by_django = harness.call("GET", path, query=query)
    harness.warm()
    by_front = harness.call("GET", path, query=query)
    bad = harness.call("GET", path, query=b"date=tomorrow")  # the front words it itself
    bad_by_django = harness.call("GET", path, query=b"date=tomorrow", app=harness.django)
    other_tenant = harness.call("GET", path, query=query, host=BETA)

    assert by_django.status == by_front.status == 200
    seats = {"remaining": 0, "remaining_by_dose": {}}
    assert [{**s, **seats} for s in by_django.json()] == [{**s, **seats} for s in by_front.json()]
    assert (by_django.json()[0]["remaining"], by_front.json()[0]["remaining"]) == (5, 4)
    assert by_front.headers["content-type"] == "application/json"
    assert harness.django.seen.count(f"GET {path}") == 3  # the first, Django's bad one, beta's
    assert bad.status == 400
    assert_same_answer(bad, bad_by_django)
    assert other_tenant.status == 404
