"""Admission control (config/admission.py): which requests may be refused, the bound per lane,
the waiting room's fair order (a ticket keeps its place, nobody passes those who wait), the
answers' bytes, and Django's middleware refusing a request that did not come through the
front, before any database work. The front's side and the parity of both are in
tests/api/front/test_admission_parity.py."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from config import admission
from config.admission import (
    API,
    DJANGO,
    FRONT,
    PAGE,
    AdmissionGate,
    Ticket,
    busy_answer,
    request_kind,
    ticket_read,
)
from tests.conftest import host_client


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/livez", None),
        ("/healthz", None),
        ("/static/public_site/site.css", None),
        ("/favicon.ico", None),
        ("/kelola/", None),
        ("/accounts/login/", None),
        ("/api/v1/bookings", API),
        ("/api/v1/venues/3/slots", API),
        ("/api/v1/programmes", API),
        ("/", PAGE),
        ("/daftar/3/", PAGE),
        ("/daftar/periksa/", PAGE),
        ("/undangan/abc/", PAGE),
        ("/janji/", PAGE),
    ],
    ids=lambda value: str(value),
)
def test_only_the_booking_path_may_be_refused(path: str, kind: str | None) -> None:
    assert request_kind(path) == kind


def test_the_bound_comes_from_the_pool_and_the_threads() -> None:
    with override_settings(
        SENTRA_FRONT_DB_CONNECTIONS=6,
        SENTRA_ADMISSION_PER_CONNECTION=24,
        SENTRA_WEB_THREADS=4,
        SENTRA_ADMISSION_PER_THREAD=6,
    ):
        assert admission.admission_bound(FRONT) == 144
        assert admission.admission_bound(DJANGO) == 24
    assert admission.request_lane("POST", "/api/v1/bookings") == FRONT
    assert admission.request_lane("GET", "/api/v1/venues/3/slots") == FRONT
    assert admission.request_lane("GET", "/api/v1/bookings") == DJANGO
    assert admission.request_lane("GET", "/daftar/3/") == DJANGO


@override_settings(SENTRA_FRONT_DB_CONNECTIONS=2, SENTRA_ADMISSION_PER_CONNECTION=1)
def test_the_api_is_refused_once_the_lane_is_full_and_admitted_again_when_room_comes() -> None:
    gate = AdmissionGate()
    assert gate.admit(lane=FRONT, kind=API) is None
    assert gate.admit(lane=FRONT, kind=API) is None

    refusal = gate.admit(lane=FRONT, kind=API)
    assert refusal is not None
    assert (refusal.kind, refusal.retry_after) == (API, 2)
    assert gate.in_progress[FRONT] == 2  # a refusal is not in progress
    assert gate.admit(lane=DJANGO, kind=API) is None  # the other lane has its own bound

    gate.leave(FRONT)
    assert gate.admit(lane=FRONT, kind=API) is None


@override_settings(SENTRA_ADMISSION_PER_CONNECTION=0, SENTRA_ADMISSION_PER_THREAD=0)
def test_health_and_what_is_not_the_booking_path_are_never_refused() -> None:
    gate = AdmissionGate()
    for path in ("/livez", "/healthz", "/static/public_site/site.css", "/kelola/"):
        assert gate.admit(lane=DJANGO, kind=request_kind(path)) is None
    assert gate.in_progress[DJANGO] == 4  # counted all the same
    assert gate.admit(lane=DJANGO, kind=API) is not None


def waits(gate: AdmissionGate, ticket: Ticket | None = None) -> admission.Refusal:
    """A booking page asked for with `ticket` (or none), which must be refused."""
    refusal = gate.admit(
        lane=DJANGO, kind=PAGE, ticket_cookie=ticket.cookie_value() if ticket else None
    )
    assert refusal is not None
    assert refusal.kind == PAGE
    assert refusal.ticket is not None
    return refusal


@override_settings(SENTRA_WEB_THREADS=1, SENTRA_ADMISSION_PER_THREAD=1)
def test_the_waiting_room_keeps_each_place_and_lets_the_first_in_line_in_first() -> None:
    clock = Clock()
    gate = AdmissionGate(clock)
    assert gate.admit(lane=DJANGO, kind=PAGE) is None  # the one page in progress

    siti = waits(gate)
    clock.now += 1
    budi = waits(gate)
    assert (siti.position, budi.position) == (1, 2)

    # Reloading keeps the place: Budi reloads first, and is still second.
    clock.now += 1
    budi_again = waits(gate, budi.ticket)
    assert (budi_again.position, budi_again.ticket) == (2, budi.ticket)

    # Room for one: a newcomer without a ticket does not pass the two who wait, and neither
    # does Budi; Siti, first in line, goes in.
    gate.leave(DJANGO)
    assert waits(gate).position == 3
    assert waits(gate, budi.ticket).position == 2
    assert gate.admit(lane=DJANGO, kind=PAGE, ticket_cookie=siti.ticket.cookie_value()) is None
    assert gate.in_progress[DJANGO] == 1

    # Budi is first now.
    assert waits(gate, budi.ticket).position == 1


@override_settings(SENTRA_WEB_THREADS=1, SENTRA_ADMISSION_PER_THREAD=1)
def test_a_place_read_back_from_its_cookie_is_the_same_place() -> None:
    """Arrived at a moment the cookie's milliseconds round up: still first, not behind
    themselves (the browser test caught it as place 2 on a reload, about one time in two)."""
    clock = Clock()
    clock.now += 0.0006  # x.xxx6 s: rounds up to the next millisecond
    gate = AdmissionGate(clock)
    assert gate.admit(lane=DJANGO, kind=PAGE) is None

    siti = waits(gate)
    clock.now += 2
    budi = waits(gate)

    assert (waits(gate, siti.ticket).position, waits(gate, budi.ticket).position) == (1, 2)


@override_settings(SENTRA_WEB_THREADS=1, SENTRA_ADMISSION_PER_THREAD=1)
def test_people_who_left_the_line_stop_holding_it_up() -> None:
    clock = Clock()
    gate = AdmissionGate(clock)
    gate.admit(lane=DJANGO, kind=PAGE)
    waits(gate)  # never comes back
    clock.now += 1
    stays = waits(gate)
    assert stays.position == 2

    for _second in range(int(admission.STALE_SECONDS) + 2):  # only one of them reloads
        clock.now += 1
        answer = waits(gate, stays.ticket)
    assert answer.position == 1


def test_a_ticket_is_only_ours_and_only_for_a_while() -> None:
    now = 1_800_000_000.0
    ticket = Ticket(now - 60, "abc")
    assert ticket_read(ticket.cookie_value(), now) == ticket
    forged = ticket.cookie_value().replace("abc", "abd")
    assert ticket_read(forged, now) is None
    earlier = Ticket(now - 600, "abc").cookie_value().replace(str(now - 600), str(now - 60))
    assert ticket_read(earlier, now) is None  # an arrival moved forward is not signed
    assert ticket_read(Ticket(now - admission.TICKET_SECONDS - 1, "x").cookie_value(), now) is None
    assert ticket_read("", now) is None
    assert ticket_read("garbage", now) is None


def test_the_api_answer_is_a_429_with_retry_after_in_the_persons_language() -> None:
    refusal = admission.Refusal(API, 1)
    status, headers, body = busy_answer(refusal, language="id", secure=True, path="/api/v1/x")
    named = dict(headers)
    assert status == 429
    assert named[b"retry-after"] == b"1"
    assert named[b"content-type"] == b"application/json"
    assert named[b"content-language"] == b"id"
    assert named[b"cache-control"] == b"no-store"
    assert body == (
        b'{"error":{"code":"busy_try_again","message":"Banyak orang sedang mendaftar saat ini. '
        b'Silakan coba lagi sebentar lagi."}}'
    )
    _status, _headers, english = busy_answer(refusal, language="en", secure=True, path="/")
    assert b"Many people are booking right now" in english


def test_the_waiting_room_page_says_to_wait_shows_the_place_and_reloads_by_itself() -> None:
    ticket = Ticket(1_800_000_000.0, "tok")
    refusal = admission.Refusal(PAGE, 3, position=17, ticket=ticket)
    status, headers, body = busy_answer(
        refusal, language="id", secure=True, path="/daftar/3/", query="a=1&b=<x>"
    )
    page = body.decode()
    named = {name.decode(): value.decode() for name, value in headers}
    assert status == 503
    assert named["retry-after"] == "3"
    assert named["content-language"] == "id"
    assert '<html lang="id">' in page
    assert "Mohon tunggu: banyak orang sedang mendaftar" in page
    assert re.search(r"Tempat Anda dalam antrean\s*<strong>17</strong>", page)
    assert named["refresh"] == "3; url=/daftar/3/?a=1&b=%3Cx%3E"
    assert "<script" not in page
    nonce = re.search(r'<style nonce="([^"]+)">', page).group(1)
    assert f"'nonce-{nonce}'" in named["content-security-policy"]
    assert "script-src 'self'" in named["content-security-policy"]
    cookie = named["set-cookie"]
    assert cookie.startswith(f"{admission.TICKET_COOKIE}={ticket.cookie_value()};")
    for attribute in ("Path=/", "Secure", "HttpOnly", "SameSite=Lax", "Max-Age=900"):
        assert attribute in cookie
    _status, _headers, english = busy_answer(refusal, language="en", secure=True, path="/")
    assert b"Please wait: many people are booking" in english


# --- Django's middleware (a request that did not come through the front) ----------------------


@pytest.mark.django_db
@override_settings(SENTRA_ADMISSION_PER_THREAD=0, SENTRA_ADMISSION_PER_CONNECTION=0)
def test_django_refuses_the_booking_path_without_a_query_and_answers_health(tenant_a) -> None:
    client = host_client(tenant_a.host)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/daftar/periksa/")
        api = client.post("/api/v1/bookings", {}, content_type="application/json")
        slots = client.get("/api/v1/venues/1/slots?date=2030-01-01")
    assert len(queries) == 0
    assert page.status_code == 503
    assert page["Retry-After"] == "1"
    assert "Tempat Anda dalam antrean" in page.content.decode()
    assert page["Set-Cookie"].startswith(f"{admission.TICKET_COOKIE}=")
    assert (api.status_code, api["Retry-After"], api.json()["error"]["code"]) == (
        429,
        "2",
        "busy_try_again",
    )
    assert slots.status_code == 429
    assert client.get("/livez").status_code == 200
    assert client.get("/healthz").status_code in (200, 503)  # its own checks, never "busy"
    assert client.get("/healthz").get("Retry-After") is None
    assert admission.DJANGO_GATE.in_progress == {FRONT: 0, DJANGO: 0}


@pytest.mark.django_db
def test_django_admits_the_booking_path_when_there_is_room(tenant_a) -> None:
    client = host_client(tenant_a.host)
    assert client.get("/").status_code == 200
    assert admission.DJANGO_GATE.in_progress == {FRONT: 0, DJANGO: 0}
    assert settings.MIDDLEWARE.index("config.admission.AdmissionMiddleware") < (
        settings.MIDDLEWARE.index("tenants.middleware.TenantHostMiddleware")
    )


def _answered(gate: AdmissionGate, clock: Clock, *, in_progress: int, seconds: float, n: int):
    """`n` answers over one steering window, each `seconds` in progress, while `in_progress`
    requests are (the lane kept full: each answered request is replaced by a new one)."""
    gate.in_progress[FRONT] = in_progress
    for _answer in range(n):
        clock.now += admission.STEER_WINDOW_SECONDS / n
        gate.leave(FRONT, seconds)
        gate.in_progress[FRONT] += 1


def _windows(gate: AdmissionGate, clock: Clock, *, in_progress: int, seconds: float, n: int = 1):
    """`n` whole steering windows of 20 answers each (the answer after the last closes it)."""
    for _window in range(n):
        _answered(gate, clock, in_progress=in_progress, seconds=seconds, n=20)
    _answered(gate, clock, in_progress=in_progress, seconds=seconds, n=1)


def _warm(gate: AdmissionGate, clock: Clock) -> None:
    _answered(gate, clock, in_progress=20, seconds=0.01, n=admission.WARM_ANSWERS)
    _answered(gate, clock, in_progress=20, seconds=0.01, n=1)  # the window it spanned ends


@override_settings(
    SENTRA_ADMISSION_PER_CONNECTION=8, SENTRA_ADMISSION_TARGET_MS=80, SENTRA_WEB_THREADS=4
)
def test_a_worker_that_answers_slowly_queues_less_and_never_less_than_its_pool() -> None:
    clock = Clock()
    gate = AdmissionGate(clock, connections=6)
    assert gate.limit(FRONT) == 48  # nothing answered yet: the bound (8 x 6 connections)
    # A new worker's first answers are slow once (it learns the organiser, primes statements):
    # they steer nothing, or the first second of a rush would be refused.
    _answered(gate, clock, in_progress=30, seconds=1.0, n=admission.WARM_ANSWERS)
    assert gate.limit(FRONT) == 48
    _answered(gate, clock, in_progress=20, seconds=0.01, n=1)

    # 30 in progress, each 200 ms: 150 answered a second, so 12 keep the time at 80 ms. One
    # such window is a moment (a cold statement, a pause); two in a row are a queue.
    _windows(gate, clock, in_progress=30, seconds=0.2)
    assert gate.limit(FRONT) == 48
    _windows(gate, clock, in_progress=30, seconds=0.2)
    assert gate.limit(FRONT) == 12
    gate.in_progress[FRONT] = 12
    refusal = gate.admit(lane=FRONT, kind=API)
    assert refusal is not None
    assert refusal.kind == API

    # Much slower still: never below the 6 connections (those do not wait).
    _windows(gate, clock, in_progress=12, seconds=2.0, n=2)
    assert gate.limit(FRONT) == 6

    # Fast again (6 in progress, 5 ms each: 96 would keep 80 ms): the limit at most doubles per
    # window, up to the bound.
    _windows(gate, clock, in_progress=6, seconds=0.005)
    assert gate.limit(FRONT) == 12
    for _window in range(3):
        _windows(gate, clock, in_progress=gate.limit(FRONT), seconds=0.005)
    assert gate.limit(FRONT) == 48
    assert gate.limit(DJANGO) == 24  # each lane its own


@override_settings(
    SENTRA_ADMISSION_PER_CONNECTION=8, SENTRA_ADMISSION_TARGET_MS=80, SENTRA_WEB_THREADS=4
)
def test_a_gap_with_nothing_to_answer_steers_nothing() -> None:
    """Clients that were all told to wait Retry-After leave seconds with nothing in progress;
    a window spanning such a gap says nothing of the worker's speed."""
    clock = Clock()
    gate = AdmissionGate(clock, connections=6)
    _warm(gate, clock)
    _windows(gate, clock, in_progress=30, seconds=0.2, n=2)
    assert gate.limit(FRONT) == 12
    for _twice in range(2):
        for _answer in range(10):  # the last answers before everybody waits Retry-After
            gate.in_progress[FRONT] = 1
            gate.leave(FRONT, 1.5)
        clock.now += 2.0  # nothing in progress, nothing answered
        gate.in_progress[FRONT] = 1
        gate.leave(FRONT, 1.5)  # closes a window of 11 slow answers that spans 2 s
    assert gate.limit(FRONT) == 12


@override_settings(SENTRA_ADMISSION_PER_CONNECTION=8, SENTRA_ADMISSION_TARGET_MS=0)
def test_without_a_target_the_bound_alone_limits() -> None:
    clock = Clock()
    gate = AdmissionGate(clock, connections=6)
    _answered(gate, clock, in_progress=30, seconds=2.0, n=admission.WARM_ANSWERS + 50)
    assert gate.limit(FRONT) == 48
