"""A drop far past capacity (issue #11) through the rush front and through Django alone: a busy
worker refuses the booking path the same way on both (429 `busy_try_again` with Retry-After for
the API, the waiting room for the pages), before any database work, and never refuses health;
the per-client and per-NIK limits on booking attempts answer the same 429 on both, and a
request the front counted and handed to Django is not counted twice."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings

from config import admission
from organizers.services.booking.attempt_limits import booking_attempts_forget
from tests.api.front.conftest import Answer, Harness, assert_same_answer, request_scope

BUSY = {"SENTRA_ADMISSION_PER_CONNECTION": 0, "SENTRA_ADMISSION_PER_THREAD": 0}
MESSAGES = {
    "id": "Banyak orang sedang mendaftar saat ini. Silakan coba lagi sebentar lagi.",
    "en": "Many people are booking right now. Please try again in a moment.",
}


def _cookie(language: str) -> tuple[tuple[bytes, bytes], ...]:
    return ((b"cookie", f"{settings.LANGUAGE_COOKIE_NAME}={language}".encode()),)


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_busy_worker_refuses_a_booking_with_the_same_429_on_both_paths(
    harness: Harness, language: str
) -> None:
    with override_settings(**BUSY):
        by_front = harness.book(1, headers=_cookie(language))
        by_django = harness.book(2, headers=_cookie(language), app=harness.django)

    assert_same_answer(by_front, by_django)
    assert by_front.status == 429
    assert by_front.headers["retry-after"] == by_django.headers["retry-after"] == "2"
    assert by_front.headers["content-language"] == language
    assert by_front.json() == {"error": {"code": "busy_try_again", "message": MESSAGES[language]}}
    assert harness.django.seen == ["POST /api/v1/bookings"]  # only the one sent to Django
    assert harness.counters() == (0, 0)


def test_a_busy_worker_refuses_a_days_slots_the_same_way(harness: Harness) -> None:
    path = f"/api/v1/venues/{harness.slot.venue_id}/slots"
    with override_settings(**BUSY):
        by_front = harness.call("GET", path, query=b"date=2030-01-01")
        by_django = harness.call("GET", path, query=b"date=2030-01-01", app=harness.django)

    assert_same_answer(by_front, by_django)
    assert by_front.status == 429


def _without_nonce(answer: Answer) -> bytes:
    return re.sub(rb'nonce="[^"]+"', b'nonce=""', answer.body)


def test_the_waiting_room_is_the_same_page_on_both_paths(harness: Harness) -> None:
    with override_settings(**BUSY):
        by_front = harness.call("GET", "/daftar/periksa/", headers=_cookie("en"))
        by_django = harness.call(
            "GET", "/daftar/periksa/", headers=_cookie("en"), app=harness.django
        )

    assert by_front.status == by_django.status == 503
    for name in ("content-type", "content-language", "vary", "retry-after", "cache-control"):
        assert by_front.headers[name] == by_django.headers[name], name
    assert _without_nonce(by_front) == _without_nonce(by_django)
    assert b"Please wait: many people are booking" in by_front.body
    for answer in (by_front, by_django):
        nonce = re.search(rb'<style nonce="([^"]+)">', answer.body).group(1).decode()
        assert f"'nonce-{nonce}'" in answer.headers["content-security-policy"]
        assert answer.headers["set-cookie"].startswith(f"{admission.TICKET_COOKIE}=")
    assert harness.django.seen == ["GET /daftar/periksa/"]


def test_health_is_answered_by_a_worker_that_refuses_everything_else(harness: Harness) -> None:
    with override_settings(**BUSY):
        assert harness.call("GET", "/livez").status == 200
        assert harness.call("GET", "/livez", app=harness.django).status == 200
        healthz = harness.call("GET", "/healthz")
        assert harness.call("GET", "/", headers=_cookie("id")).status == 503
    assert healthz.status in (200, 503)
    assert "retry-after" not in healthz.headers  # its own checks' answer, never "busy"
    assert json.loads(healthz.body)["database"] == "ok"


@override_settings(SENTRA_ADMISSION_PER_CONNECTION=1)  # the harness's 2 connections: 2 at once
def test_a_saturated_front_answers_busy_at_once_without_the_database(harness: Harness) -> None:
    harness.warm()
    database = harness.app.database
    original = database.fetch_one_or
    reached: list[int] = []

    async def drop() -> tuple[list[Answer], Answer, Answer, int]:
        release = asyncio.Event()

        async def held(
            schema: str, statement: str, otherwise: Any, params: Any, **options: Any
        ) -> Any:
            if otherwise is not None:  # the booking's statements (not learning the programme)
                reached.append(1)
                await release.wait()  # two bookings in progress, holding the lane
            return await original(schema, statement, otherwise, params, **options)

        database.fetch_one_or = held  # type: ignore[method-assign]
        first = [asyncio.ensure_future(_booking(harness, serial)) for serial in (1, 2)]
        while len(reached) < 2:
            await asyncio.sleep(0.005)
        third = await _booking(harness, 3)
        livez = await harness._exchange(request_scope("GET", "/livez"), b"")
        in_progress = harness.app.gate.in_progress[admission.FRONT]
        release.set()
        return list(await asyncio.gather(*first)), third, livez, in_progress

    admitted, third, livez, in_progress = harness.loop.run(drop())

    assert in_progress == 2
    assert third.status == 429
    assert third.json()["error"]["code"] == "busy_try_again"
    assert third.headers["retry-after"] == "2"
    assert len(reached) == 2  # the third never reached the database
    assert livez.status == 200
    assert [answer.status for answer in admitted] == [201, 201]
    assert harness.app.gate.in_progress == {admission.FRONT: 0, admission.DJANGO: 0}
    assert harness.counters() == (3, 3)  # the warm-up and the two admitted


async def _booking(harness: Harness, serial: int) -> Answer:
    scope = request_scope(
        "POST", "/api/v1/bookings", headers=((b"content-type", b"application/json"),)
    )
    return await harness._exchange(scope, json.dumps(harness._body(serial)).encode())


# --- Per client and per NIK -----------------------------------------------------------------------


def test_the_per_client_limit_answers_the_same_429_on_both_paths(harness: Harness) -> None:
    harness.warm()
    booking_attempts_forget()
    with override_settings(SENTRA_BOOKING_ATTEMPTS_PER_CLIENT=1):
        assert harness.book(1).status == 201
        by_front = harness.book(2)
        booking_attempts_forget()
        assert harness.book(3, app=harness.django).status == 201
        by_django = harness.book(4, app=harness.django)

    assert_same_answer(by_front, by_django)
    assert by_front.status == 429
    assert by_front.json()["error"] == {
        "code": "too_many_booking_attempts",
        "message": "Terlalu banyak percobaan pendaftaran. Tunggu sebentar, lalu coba lagi.",
    }
    for answer in (by_front, by_django):
        assert 1 <= int(answer.headers["retry-after"]) <= 10
    assert len(harness.django.seen) == 3  # the warm-up and the two sent to Django
    assert harness.counters() == (3, 3)


def test_the_per_nik_limit_answers_the_same_429_on_both_paths(harness: Harness) -> None:
    harness.warm()
    booking_attempts_forget()
    with override_settings(SENTRA_BOOKING_ATTEMPTS_PER_NIK=1):
        assert harness.book(1).status == 201
        by_front = harness.book(1, language="en")  # the same NIK again: not even "already booked"
        assert harness.book(2, app=harness.django).status == 201
        by_django = harness.book(2, language="en", app=harness.django)

    assert_same_answer(by_front, by_django)
    assert by_front.status == 429
    assert by_front.json()["error"]["message"] == (
        "Too many booking attempts. Wait a moment, then try again."
    )
    for answer in (by_front, by_django):
        assert 1 <= int(answer.headers["retry-after"]) <= 60
    assert harness.counters() == (3, 3)


def test_a_booking_the_front_hands_to_django_counts_once(harness: Harness) -> None:
    harness.warm()
    booking_attempts_forget()
    with override_settings(SENTRA_BOOKING_ATTEMPTS_PER_CLIENT=1):
        handed = harness.book(1, headers=((b"idempotency-key", b"drop-1"),))
        refused = harness.book(2)

    assert handed.status == 201  # counted by the front, not again by Django
    assert harness.django.seen[-1] == "POST /api/v1/bookings"
    assert len(harness.django.seen) == 2
    assert refused.status == 429
