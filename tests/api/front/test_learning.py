"""What the front learns from the full path (api.front.learning): at a drop one request learns
a host or a programme's facts and the others wait for it; facts are learnt again before they
expire; what cannot be learnt is not asked again; a stalled learner holds nobody."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from api.front import requests as front_requests
from organizers.services.eligibility import facts as eligibility_facts
from tests.api.front.conftest import Harness, count_learning, request_scope


def test_at_a_drop_one_request_learns_through_the_full_path_and_the_rest_wait_for_it(
    harness: Harness,
) -> None:
    answers = harness.book_at_once(list(range(100, 105)))

    assert [answer.status for answer in answers] == [201] * 5
    assert harness.django.seen == ["POST /api/v1/bookings"]  # one learner, for host and rules
    assert harness.counters() == (5, 5)
    assert not harness.app.learning


def test_a_programme_not_known_at_its_drop_is_learnt_once_not_through_django(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness.warm()  # the host is known (people opened the booking pages before the drop)
    eligibility_facts.eligibility_facts_forget()  # the programme's facts expired before the drop
    asked = count_learning(monkeypatch)
    answers = harness.book_at_once(list(range(110, 114)))

    assert [answer.status for answer in answers] == [201] * 4
    assert asked == [harness.programme.id]  # one question for the four
    assert harness.django.seen == ["POST /api/v1/bookings"]  # the warm-up only
    assert eligibility_facts.programme_facts_known(
        tenant_uid=harness.tenant.uid, programme_id=harness.programme.id
    )
    assert harness.counters() == (5, 5)
    assert not harness.app.learning


def test_facts_about_to_expire_are_learnt_again_while_the_bookings_go_on(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness.warm()
    key = (str(harness.tenant.uid), harness.programme.id)
    bands, _left = eligibility_facts._facts.get_with_seconds_left(key)
    eligibility_facts._facts.put(key, bands, seconds=0.5)  # half a second left
    asked = count_learning(monkeypatch)
    answer = harness.book(130)  # answered at once, with the facts still known
    harness.loop.run(asyncio.sleep(0.2))  # the refresh ran meanwhile

    assert answer.status == 201
    assert asked == [harness.programme.id]
    assert eligibility_facts._facts.get_with_seconds_left(key)[1] > 4  # kept another 5 s
    assert harness.django.seen == ["POST /api/v1/bookings"]  # the warm-up only


def test_a_programme_that_cannot_be_learnt_goes_to_the_full_path_and_is_not_asked_again(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness.warm()
    asked = count_learning(monkeypatch)
    first = harness.book(120, programme_id=10**9)
    again = harness.book(121, programme_id=10**9)

    assert first.status == again.status == 404
    assert first.json()["error"]["code"] == "programme_not_found"
    assert asked == [10**9]  # the second did not wait for another query
    assert len(harness.django.seen) == 3
    assert harness.counters() == (1, 1)


def test_a_client_that_stalls_while_learning_does_not_hold_the_others(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(front_requests, "BODY_IDLE_SECONDS", 1.0)
    booking = ((b"content-type", b"application/json"),)
    stalled_scope = request_scope(
        "POST", "/api/v1/bookings", headers=((b"content-length", b"100"), *booking)
    )

    async def never() -> dict:
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def scenario() -> tuple[float, int]:
        sent: list[dict] = []

        async def send(message: dict) -> None:
            sent.append(message)

        stalled = asyncio.ensure_future(harness.app(stalled_scope, never, send))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        answers = await asyncio.gather(
            *(
                harness._exchange(
                    request_scope("POST", "/api/v1/bookings", headers=booking),
                    json.dumps(harness._body(serial)).encode(),
                )
                for serial in (80, 81)
            )
        )
        took = time.monotonic() - started
        stalled.cancel()
        return took, sum(answer.status == 201 for answer in answers)

    took, booked = harness.loop.run(scenario())

    assert booked == 2
    assert took < 3  # not the 5 s a stuck learner would make them wait
