"""The rush front (api.front.RushFront), called as the ASGI server calls it, with Django behind
it through the thread bridge, on committed data (both use their own database connections).

What a client sees must not depend on who answered: the front's 201 and slot list match the
full path's; anything the front is not sure of reaches Django, which answers as always; no
tenant reaches another's slots through it."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.wsgi import get_wsgi_application
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from api import front
from organizers.models import AgeRule, Booking, Message, Programme, Slot
from organizers.personal_data import person_key, unseal
from organizers.services.booking import seats
from organizers.services.eligibility import attempts as eligibility_attempts
from organizers.services.eligibility import facts as eligibility_facts
from tenants import middleware
from tenants.context import tenant_scope
from tenants.models import Tenant
from tests.conftest import LoopThread
from tests.organizers.factories import a_programme, a_slot, a_venue, organizer_data_delete

ALPHA, BETA = "alpha.localhost", "beta.localhost"
PERSON = {
    "date_of_birth": "1958-03-14",
    "full_name": "Siti Aminah",
    "phone": "+6281234567890",
    "email": "",
    "sex": "F",
}


def nik(serial: int) -> str:
    return f"327301540358{serial:04d}"


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Counting:
    """The fallback (Django through the bridge), counting what reaches it."""

    app: Any
    seen: list[str] = field(default_factory=list)

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "http":
            self.seen.append(f"{scope['method']} {scope['path']}")
        await self.app(scope, receive, send)


@dataclass
class Harness:
    app: front.RushFront
    django: Counting
    loop: LoopThread
    tenant: Tenant
    programme: Programme
    slot: Slot
    delivered: list[tuple]

    def call(
        self,
        method: str,
        path: str,
        *,
        host: str = ALPHA,
        body: bytes = b"",
        headers: tuple[tuple[bytes, bytes], ...] = (),
        query: bytes = b"",
        scheme: str = "http",
        app: Any = None,
    ) -> Answer:
        """The request as a client sends it (to the front), or to `app` (Django alone)."""
        scope = {
            "type": "http",
            "method": method,
            "path": path,
            "raw_path": path.encode(),
            "query_string": query,
            "root_path": "",
            "scheme": scheme,
            "http_version": "1.1",
            "headers": [(b"host", host.encode()), *headers],
            "client": ("127.0.0.1", 40000),
            "server": ("127.0.0.1", 8000),
        }
        return self.loop.run(self._exchange(scope, body, app))

    def book_at_once(self, serials: list[int]) -> list[Answer]:
        """Bookings arriving together, as at a drop: all are in the front before any ends."""
        scope = {
            "type": "http",
            "method": "POST",
            "path": "/api/v1/bookings",
            "scheme": "http",
            "query_string": b"",
            "root_path": "",
            "http_version": "1.1",
            "headers": [(b"host", ALPHA.encode()), (b"content-type", b"application/json")],
            "client": ("127.0.0.1", 40000),
            "server": ("127.0.0.1", 8000),
        }

        async def together() -> list[Answer]:
            bodies = [json.dumps(self._body(serial)).encode() for serial in serials]
            return list(
                await asyncio.gather(
                    *(
                        self._exchange({**scope, "headers": list(scope["headers"])}, body)
                        for body in bodies
                    )
                )
            )

        return self.loop.run(together())

    async def _exchange(self, scope: dict, body: bytes, app: Any = None) -> Answer:
        if body:
            scope["headers"].append((b"content-length", str(len(body)).encode()))
        chunks = [{"type": "http.request", "body": body, "more_body": False}]
        sent: list[dict] = []

        async def receive() -> dict:
            return chunks.pop(0) if chunks else {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            sent.append(message)

        await (app or self.app)(scope, receive, send)
        headers = {k.decode().lower(): v.decode() for k, v in sent[0]["headers"]}
        return Answer(sent[0]["status"], headers, b"".join(m.get("body", b"") for m in sent[1:]))

    def _body(self, serial: int, **overrides: object) -> dict:
        return {
            **PERSON,
            "nik": nik(serial),
            "programme_id": self.programme.id,
            "slot_id": self.slot.id,
            "dose": 1,
            **overrides,
        }

    def book(
        self,
        serial: int,
        *,
        host: str = ALPHA,
        headers: tuple = (),
        scheme: str = "http",
        app: Any = None,
        **overrides: object,
    ) -> Answer:
        body = self._body(serial, **overrides)
        return self.call(
            "POST",
            "/api/v1/bookings",
            host=host,
            body=json.dumps(body).encode(),
            headers=((b"content-type", b"application/json"), *headers),
            scheme=scheme,
            app=app,
        )

    def warm(self) -> None:
        """The first booking of a process takes the full path (it learns the host's tenant and
        that the programme is open to everyone); the front answers from then on."""
        assert self.book(9_999).status == 201

    def counters(self) -> tuple[int, int]:
        with tenant_scope(self.tenant):
            self.slot.refresh_from_db()
            return self.slot.booked, Booking.objects.filter(slot=self.slot, status="active").count()


@pytest.fixture
def harness(
    alpha_committed: Tenant,
    committed: Callable,
    monkeypatch: pytest.MonkeyPatch,
    loop_thread: LoopThread,
) -> Iterator[Harness]:
    from config.wsgi_bridge import WSGIBridge

    beta = Tenant.objects.get(slug="beta")
    committed(lambda: organizer_data_delete(beta))
    caches["global"].delete(eligibility_attempts.refusals_key("127.0.0.1", beta.uid))
    with tenant_scope(alpha_committed):
        programme, venue = a_programme(), a_venue()
        slot = a_slot(venue=venue, programme=programme, capacity=5)
    delivered: list[tuple] = []
    monkeypatch.setattr(front, "enqueue_in_schema", lambda *args: delivered.append(args))
    middleware._HOST_CACHE.clear()
    eligibility_facts.eligibility_facts_forget()
    bridge = WSGIBridge(get_wsgi_application(), threads=1)
    django = Counting(bridge)
    app = front.RushFront(django, connections_per_process=2)
    with override_settings(TENANT_HOST_CACHE_SECONDS=30, SLOT_LIST_CACHE_SECONDS=0):
        yield Harness(app, django, loop_thread, alpha_committed, programme, slot, delivered)
    loop_thread.run(app.close())
    bridge.executor.submit(connections.close_all).result()  # the Django thread's connection
    bridge.executor.shutdown()
    middleware._HOST_CACHE.clear()
    eligibility_facts.eligibility_facts_forget()


def test_the_front_books_with_the_same_answer_as_the_full_path(harness: Harness) -> None:
    by_django = harness.book(1, language="en", email="siti@example.id")
    handled_by_django = len(harness.django.seen)
    by_front = harness.book(2, language="en", email="siti@example.id")

    assert by_django.status == by_front.status == 201
    assert len(harness.django.seen) == handled_by_django == 1  # the second never reached it
    first, second = by_django.json(), by_front.json()
    assert set(first) == set(second)
    for key in (
        "status",
        "dose",
        "vaccine_brand",
        "full_name",
        "programme_id",
        "venue",
        "slot",
        "next_dose",
    ):
        assert first[key] == second[key], key
    assert second["nik_masked"] == "3273••••••••0002"
    assert second["voucher_code"] != first["voucher_code"]
    same_headers = (
        "content-type",
        "vary",
        "x-content-type-options",
        "referrer-policy",
        "cross-origin-opener-policy",
        "x-frame-options",
        "content-language",
    )
    for name in same_headers:
        assert by_front.headers[name] == by_django.headers[name], name
    assert by_front.headers["content-language"] == "id"  # the request's; the booking's is "en"
    assert harness.counters() == (2, 2)
    with tenant_scope(harness.tenant):
        booking = Booking.objects.get(voucher_code=second["voucher_code"])
        assert booking.person_key == person_key(nik(2))
        assert unseal(booking.nik_sealed, field="nik") == nik(2)
        assert unseal(booking.date_of_birth_sealed, field="date_of_birth") == "1958-03-14"
        assert booking.language == "en"
        message = Message.objects.get(booking=booking)
        assert (message.kind, message.status, message.to_email) == (
            "voucher",
            "pending",
            "siti@example.id",
        )
    # the e-voucher is handed to the worker, in the organiser's schema
    assert [(schema, args[-1]) for schema, *args in harness.delivered] == [
        (harness.tenant.schema_name, message.id)
    ]


def test_the_language_cookie_decides_when_the_body_does_not(harness: Harness) -> None:
    harness.warm()
    cookie = f"{settings.LANGUAGE_COOKIE_NAME}=en; other=1".encode()
    answer = harness.book(3, headers=((b"cookie", cookie),))

    assert answer.status == 201
    assert answer.headers["content-language"] == "en"
    assert len(harness.django.seen) == 1
    with tenant_scope(harness.tenant):
        assert Booking.objects.get(voucher_code=answer.json()["voucher_code"]).language == "en"


# The headers a client may read that must not depend on who answered.
SAME_HEADERS = (
    "content-type",
    "content-language",
    "vary",
    "x-content-type-options",
    "referrer-policy",
    "cross-origin-opener-policy",
    "x-frame-options",
)
# What differs between two bookings of two people: their voucher, the moment, the NIK's tail.
PER_BOOKING = ("voucher_code", "created_at", "nik_masked")


def assert_same_answer(by_front: Answer, by_django: Answer) -> None:
    """The same bytes for the same request (a booking's own voucher, time and NIK aside)."""
    assert by_front.status == by_django.status
    for name in SAME_HEADERS:
        assert by_front.headers.get(name) == by_django.headers.get(name), name
    if by_front.status == 201:
        front_body, django_body = by_front.json(), by_django.json()
        for key in PER_BOOKING:
            front_body.pop(key), django_body.pop(key)
        assert front_body == django_body
        assert by_front.body.count(b'":') == by_django.body.count(b'":')  # compact, as DRF
    else:
        assert by_front.body == by_django.body


def _parity_cases() -> list[tuple[str, dict[str, Any], int, str, bool]]:
    """(case, the body's overrides, status, code, whether the front answers it itself)"""
    return [
        ("a valid booking", {}, 201, "", True),
        (
            "a valid booking in English",
            {"language": "en", "email": "siti@example.id"},
            201,
            "",
            True,
        ),
        ("a name to trim", {"full_name": " Siti Aminah "}, 201, "", True),
        ("ids and dose as text", {"dose": "1"}, 201, "", True),
        ("a phone number typed the local way", {"phone": "0812-3456-7890"}, 201, "", True),
        ("a malformed NIK", {"nik": "123"}, 400, "invalid", True),
        ("a NIK of letters", {"nik": "32730154035800AB"}, 400, "invalid", True),
        ("a NIK of another sex", {"sex": "M"}, 400, "invalid", True),
        ("a missing date of birth", {"date_of_birth": None}, 400, "invalid", True),
        ("a date of birth to come", {"date_of_birth": "2999-01-01"}, 400, "invalid", True),
        ("a date in another format", {"date_of_birth": "14-03-1958"}, 400, "invalid", True),
        ("a slot id of text", {"slot_id": "x"}, 400, "invalid", True),
        ("an id beyond the range", {"programme_id": 2**63}, 400, "invalid", True),
        ("a dose not offered by anyone", {"dose": 7}, 400, "invalid", True),
        ("an email address that is none", {"email": "not-an-email"}, 400, "invalid", True),
        (
            "a phone number that is not Indonesian",
            {"phone": "+1 202 555 0143"},
            400,
            "invalid",
            True,
        ),
        (
            "several wrong fields, in English",
            {"language": "en", "nik": "1", "dose": 0},
            400,
            "invalid",
            True,
        ),
        ("a second booking for the same person", {"nik": nik(9_999)}, 409, "already_booked", True),
        ("a dose the front does not book", {"dose": 2}, 409, "previous_dose_missing", False),
        ("a second dose to reserve", {"reserve_next_dose": True}, 409, "next_dose_full", False),
    ]


@pytest.mark.parametrize(
    ("case", "overrides", "status", "code", "by_front"),
    _parity_cases(),
    ids=[case[0] for case in _parity_cases()],
)
def test_the_same_request_gets_the_same_bytes_from_the_front_and_from_django(
    harness: Harness, case: str, overrides: dict, status: int, code: str, by_front: bool
) -> None:
    harness.warm()
    cookie = ((b"cookie", f"{settings.LANGUAGE_COOKIE_NAME}=en".encode()),)
    front_answer = harness.book(4, headers=cookie, **overrides)
    seen = len(harness.django.seen)
    django_answer = harness.book(5, headers=cookie, app=harness.django, **overrides)

    assert_same_answer(front_answer, django_answer)
    assert front_answer.status == status
    if code:
        assert front_answer.json()["error"]["code"] == code
    assert seen == (1 if by_front else 2)  # the warm-up, and this one when the front did not
    booked = 1 + 2 * (status == 201)
    assert harness.counters() == (booked, booked)


@pytest.mark.parametrize(
    ("case", "body"),
    [
        ("not JSON", b"{not json"),
        ("a list", b"[1, 2]"),
        ("nested brackets", b"[" * 5000),
        ("an empty body", b""),
    ],
)
def test_a_body_that_is_no_booking_gets_the_same_400_from_the_front(
    harness: Harness, case: str, body: bytes
) -> None:
    harness.warm()
    sent = {"body": body, "headers": ((b"content-type", b"application/json"),)}
    front_answer = harness.call("POST", "/api/v1/bookings", **sent)
    django_answer = harness.call("POST", "/api/v1/bookings", app=harness.django, **sent)

    assert_same_answer(front_answer, django_answer)
    assert front_answer.status == 400
    assert len(harness.django.seen) == 2  # the warm-up, and the one sent to Django itself
    assert harness.counters() == (1, 1)


def test_a_phone_number_is_stored_as_plus_62_whoever_books(harness: Harness) -> None:
    harness.warm()
    by_front = harness.book(6, phone="0812 3456 7890")
    by_django = harness.book(7, phone="62-812-3456-7891", app=harness.django)

    assert by_front.status == by_django.status == 201
    with tenant_scope(harness.tenant):
        phones = sorted(
            Booking.objects.filter(
                voucher_code__in=[by_front.json()["voucher_code"], by_django.json()["voucher_code"]]
            ).values_list("phone", flat=True)
        )
    assert phones == ["+6281234567890", "+6281234567891"]


def _seat_refusals() -> list[tuple[str, dict[str, Any], dict[str, Any], int, str]]:
    """(case, the slot's fields, the body's overrides, status, code)"""
    past = timezone.now() - dt.timedelta(hours=1)
    return [
        ("a full slot", {"capacity": 1}, {}, 409, "slot_full"),
        ("a closed window", {"booking_closes_at": past}, {}, 409, "window_closed"),
        ("a closed slot", {"is_closed": True}, {}, 409, "window_closed"),
        (
            "a slot that has passed",
            {"starts_at": past, "ends_at": past + dt.timedelta(minutes=5)},
            {},
            409,
            "slot_in_past",
        ),
        (
            "a slot of this tenant that does not exist",
            {},
            {"slot_id": 10**12},
            404,
            "slot_not_found",
        ),
    ]


@pytest.mark.parametrize(
    ("case", "slot_fields", "overrides", "status", "code"),
    _seat_refusals(),
    ids=[case[0] for case in _seat_refusals()],
)
@pytest.mark.parametrize("language", ["id", "en"])
def test_a_seat_the_front_did_not_get_is_refused_as_the_full_path_refuses_it(
    harness: Harness,
    case: str,
    slot_fields: dict,
    overrides: dict,
    status: int,
    code: str,
    language: str,
) -> None:
    harness.warm()  # takes the one seat of "a full slot"
    with tenant_scope(harness.tenant):
        Slot.objects.filter(id=harness.slot.id).update(**slot_fields)
    cookie = ((b"cookie", f"{settings.LANGUAGE_COOKIE_NAME}={language}".encode()),)
    by_front = harness.book(20, headers=cookie, **overrides)
    seen = len(harness.django.seen)
    by_django = harness.book(21, headers=cookie, app=harness.django, **overrides)

    assert seen == 1  # the warm-up only: the front answered the refusal
    assert by_front.status == by_django.status == status
    assert by_front.json()["error"]["code"] == code
    assert by_front.body == by_django.body  # the same words, in the person's language
    for name in (
        "content-type",
        "content-language",
        "vary",
        "x-content-type-options",
        "referrer-policy",
        "cross-origin-opener-policy",
        "x-frame-options",
    ):
        assert by_front.headers.get(name) == by_django.headers.get(name), name
    assert by_front.headers["content-language"] == language
    assert harness.counters() == (1, 1)  # the warm-up's booking; nothing else written


def test_a_refusal_is_worded_in_the_bodys_language_as_the_full_path_words_it(
    harness: Harness,
) -> None:
    harness.warm()
    with tenant_scope(harness.tenant):
        Slot.objects.filter(id=harness.slot.id).update(capacity=1)
    by_front = harness.book(22, language="en")
    seen = len(harness.django.seen)
    by_django = harness.book(23, language="en", app=harness.django)

    assert by_front.json()["error"]["message"] == "This arrival time is full. Choose another."
    assert by_front.body == by_django.body
    assert by_front.headers["content-language"] == by_django.headers["content-language"] == "id"
    assert seen == 1


def test_a_seat_freed_before_the_front_asks_why_leaves_the_answer_to_the_full_path(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness.warm()
    with tenant_scope(harness.tenant):
        Slot.objects.filter(id=harness.slot.id).update(capacity=1)
    original, asked = front.FrontDatabase._fetch_one, []
    refusal = seats.refusal_statement(1)

    async def seat_freed_meanwhile(conn: Any, statement: str, params: dict) -> tuple | None:
        if statement == refusal:  # the organiser adds a seat (or someone cancels) meanwhile
            asked.append(statement)
            freed = "UPDATE organizers_slot SET capacity = 2 WHERE id = %(id)s RETURNING id"
            assert await original(conn, freed, {"id": harness.slot.id})
        return await original(conn, statement, params)

    monkeypatch.setattr(front.FrontDatabase, "_fetch_one", staticmethod(seat_freed_meanwhile))
    answer = harness.book(24)

    assert asked == [refusal]
    assert answer.status == 201  # the full path tried again, and got the freed seat
    assert len(harness.django.seen) == 2
    assert harness.counters() == (2, 2)


def test_a_retried_post_with_an_idempotency_key_is_left_to_the_full_path(harness: Harness) -> None:
    harness.warm()
    key = ((b"idempotency-key", b"retry-1"),)
    first, again = harness.book(5, headers=key), harness.book(5, headers=key)

    assert first.status == again.status == 201
    assert first.json()["voucher_code"] == again.json()["voucher_code"]
    assert again.headers["idempotent-replayed"] == "true"
    assert harness.counters() == (2, 2)


def test_a_body_too_large_is_refused_with_413_and_read_no_further(harness: Harness) -> None:
    harness.warm()
    answer = harness.book(6, full_name="x" * 70_000)

    assert answer.status == 413
    assert harness.counters() == (1, 1)


def test_plain_http_still_redirects_to_https(harness: Harness) -> None:
    from config.wsgi_bridge import WSGIBridge

    harness.warm()
    with override_settings(SECURE_SSL_REDIRECT=True):
        # Django's middleware reads the setting when it is built: build it again.
        bridge = WSGIBridge(get_wsgi_application(), threads=1)
        harness.django.app = bridge
        redirected = harness.book(7)
        secure = harness.book(8, scheme="https")
    bridge.executor.submit(connections.close_all).result()

    assert redirected.status == 301
    assert redirected.headers["location"].startswith("https://")
    assert secure.status == 201
    assert len(harness.django.seen) == 2  # the warm-up and the redirect; the front booked
    assert harness.counters() == (2, 2)


def test_a_company_programme_is_always_decided_by_the_full_path(harness: Harness) -> None:
    with tenant_scope(harness.tenant):
        harness.programme.kind = "company"
        harness.programme.save()
    first, second = harness.book(30), harness.book(31)

    assert first.status == second.status == 409
    assert (
        first.json()["error"]["code"]
        == second.json()["error"]["code"]
        == "programme_closed_to_public"
    )
    assert len(harness.django.seen) == 2
    assert harness.counters() == (0, 0)


def test_no_tenant_books_another_tenants_slot_through_the_front(harness: Harness) -> None:
    beta = Tenant.objects.get(slug="beta")
    with tenant_scope(beta):  # beta's programme has alpha's id; its slot an id of its own
        beta_programme = a_programme(id=harness.programme.id)
        beta_slot = a_slot(venue=a_venue(), programme=beta_programme, capacity=5, id=10**9 + 7)
    harness.warm()  # after the programmes are saved (a saved programme is learnt anew)
    assert harness.book(50, host=BETA, slot_id=beta_slot.id).status == 201  # beta's own
    reached_django = len(harness.django.seen)
    alpha_slot_on_beta = harness.book(51, host=BETA)
    beta_slot_on_alpha = harness.book(52, slot_id=beta_slot.id)
    anonymous = harness.book(53, host="localhost")
    unknown = harness.book(54, host="nobody.localhost")

    assert alpha_slot_on_beta.status == beta_slot_on_alpha.status == 404
    assert alpha_slot_on_beta.json()["error"]["code"] == "slot_not_found"
    assert beta_slot_on_alpha.json()["error"]["code"] == "slot_not_found"
    assert anonymous.status == unknown.status == 404
    # the front refused the slots of the other tenant (its statement saw none in this schema);
    # Django refused the hosts that are no organiser's
    assert len(harness.django.seen) == reached_django + 2
    assert harness.counters() == (1, 1)
    with tenant_scope(beta):
        beta_slot.refresh_from_db()
        assert beta_slot.booked == Booking.objects.count() == 1


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


def test_an_organisers_statements_are_prepared_on_the_idle_connections_when_first_seen(
    harness: Harness,
) -> None:
    database = harness.app.database
    harness.loop.run(database._warm())  # as at startup: the pool's connections are open
    harness.warm()  # through Django, which learns the host
    day = harness.slot.starts_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    listed = harness.call(
        "GET", f"/api/v1/venues/{harness.slot.venue_id}/slots", query=f"date={day}".encode()
    )

    async def prepared_on_each() -> list[tuple[str, int]]:
        await asyncio.gather(*list(database.tasks))
        found = []
        for conn in list(database.idle):
            path = await conn.fetchval("SHOW search_path")
            count = await conn.fetchval(
                "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE $1",
                "%organizers_booking%",
            )
            found.append((path, count))
        return found

    found = harness.loop.run(prepared_on_each())

    assert listed.status == 200
    assert len(found) == 2  # both connections of this pool
    schema = harness.tenant.schema_name
    assert found == [(f"{schema}, public", 1)] * 2  # the booking statement, ready
    assert schema in database.primed
    assert harness.counters() == (1, 1)  # priming wrote nothing
    with tenant_scope(harness.tenant):
        assert Message.objects.count() == 0


# --- The front's own connections ---------------------------------------------------------------


def _one_connection_pool(wait_seconds: float) -> tuple[str, front.FrontDatabase]:
    """alpha's schema and a front pool of one connection that waits `wait_seconds` for it."""
    database = front.FrontDatabase(1)
    database.WAIT_SECONDS = wait_seconds
    return Tenant.objects.get(slug="alpha").schema_name, database


async def _terminate(pid: int) -> None:
    """End a PostgreSQL backend, as a restart or a failover does."""
    killer = await asyncpg.connect(**front._connection_params())
    await killer.execute("SELECT pg_terminate_backend($1)", pid)
    await killer.close()


def test_the_connections_are_shared_replaced_when_broken_and_waited_for_within_a_limit(
    committed: Callable, loop_thread: LoopThread
) -> None:
    schema, database = _one_connection_pool(wait_seconds=0.5)

    async def scenario() -> None:
        async def backend() -> int:
            row = await database.fetch_one(schema, "SELECT pg_backend_pid()", {})
            return row[0]

        # one connection, three at once: they take turns on it
        pids = await asyncio.gather(backend(), backend(), backend())
        assert len(set(pids)) == 1
        # an idle connection the server dropped (a restart) is not handed out: a new one is
        await _terminate(pids[0])
        await asyncio.sleep(0.3)  # asyncpg sees the socket close
        assert await backend() != pids[0]
        # every connection busy for longer than WAIT_SECONDS: refused, not queued for ever
        slow = asyncio.ensure_future(database.fetch_one(schema, "SELECT pg_sleep(1.5)", {}))
        await asyncio.sleep(0.2)
        with pytest.raises(front.FrontBusyError):
            await backend()
        await slow
        assert await backend()
        await database.close()

    loop_thread.run(scenario())


def test_when_the_database_cannot_be_reached_the_waiting_requests_learn_it_at_once(
    committed: Callable, loop_thread: LoopThread
) -> None:
    schema, database = _one_connection_pool(wait_seconds=5.0)

    async def scenario() -> tuple[list[str], float]:
        pid = (await database.fetch_one(schema, "SELECT pg_backend_pid()", {}))[0]
        busy = asyncio.ensure_future(database.fetch_one(schema, "SELECT pg_sleep(2)", {}))
        await asyncio.sleep(0.2)
        waiting = [
            asyncio.ensure_future(database.fetch_one(schema, "SELECT 1", {})) for _ in range(2)
        ]
        await asyncio.sleep(0.1)

        async def unreachable() -> None:
            raise OSError("connection refused")

        database._connect = unreachable  # type: ignore[method-assign]
        await _terminate(pid)
        started = time.monotonic()
        outcomes = await asyncio.gather(busy, *waiting, return_exceptions=True)
        return [type(outcome).__name__ for outcome in outcomes], time.monotonic() - started

    outcomes, took = loop_thread.run(scenario())

    assert outcomes[1:] == ["OSError", "OSError"]  # both told, neither left to time out
    assert outcomes[0] != "tuple"
    assert took < 3  # not the 5 s of WAIT_SECONDS
    assert database.count == 0


def test_a_connection_keeps_its_schema_and_is_dropped_only_after_an_error_that_breaks_it(
    committed: Callable, loop_thread: LoopThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema, database = _one_connection_pool(wait_seconds=5.0)
    switched: list[str] = []
    switch = front.connection_schema_switch

    async def counted(conn: Any, *, schema: str) -> None:
        switched.append(schema)
        await switch(conn, schema=schema)

    monkeypatch.setattr(front, "connection_schema_switch", counted)
    seen = "SELECT pg_backend_pid(), current_setting('search_path')"

    async def scenario() -> list[tuple]:
        first = await database.fetch_one(schema, seen, {})
        # an error of the statement leaves the connection as it was
        with pytest.raises(asyncpg.DivisionByZeroError):
            await database.fetch_one(schema, "SELECT 1 / 0", {})
        after_error = await database.fetch_one(schema, seen, {})
        # a request cancelled in the middle of its statement: that connection is not used again
        slow = asyncio.ensure_future(database.fetch_one(schema, "SELECT pg_sleep(5)", {}))
        await asyncio.sleep(0.2)
        slow.cancel()
        await asyncio.gather(slow, return_exceptions=True)
        after_cancel = await database.fetch_one(schema, seen, {})
        await database.close()
        return [first, after_error, after_cancel]

    first, after_error, after_cancel = loop_thread.run(scenario())

    assert first[1] == after_error[1] == after_cancel[1] == f"{schema}, public"
    assert after_error[0] == first[0]
    assert after_cancel[0] != first[0]
    assert switched == [schema, schema]  # once per connection, not once per request


def test_elderly_first_the_age_rules_admit_in_the_front_and_refuse_in_the_full_path(
    harness: Harness,
) -> None:
    today = timezone.localdate()
    with tenant_scope(harness.tenant):
        AgeRule.objects.create(
            programme=harness.programme,
            min_age=60,
            max_age=None,
            opens_on=today - dt.timedelta(days=1),
        )
        AgeRule.objects.create(
            programme=harness.programme,
            min_age=18,
            max_age=59,
            opens_on=today + dt.timedelta(days=7),
        )
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
    asked = _count_learning(monkeypatch)
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
    asked = _count_learning(monkeypatch)
    answer = harness.book(130)  # answered at once, with the facts still known
    harness.loop.run(asyncio.sleep(0.2))  # the refresh ran meanwhile

    assert answer.status == 201
    assert asked == [harness.programme.id]
    assert eligibility_facts._facts.get_with_seconds_left(key)[1] > 4  # kept another 5 s
    assert harness.django.seen == ["POST /api/v1/bookings"]  # the warm-up only


def _count_learning(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    asked: list[int] = []
    learn = front.RushFront._programme_learn

    async def counted(self: front.RushFront, tenant: Tenant, programme_id: int) -> None:
        asked.append(programme_id)
        await learn(self, tenant, programme_id)

    monkeypatch.setattr(front.RushFront, "_programme_learn", counted)
    return asked


def test_a_programme_that_cannot_be_learnt_goes_to_the_full_path_and_is_not_asked_again(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness.warm()
    asked = _count_learning(monkeypatch)
    first = harness.book(120, programme_id=10**9)
    again = harness.book(121, programme_id=10**9)

    assert first.status == again.status == 404
    assert first.json()["error"]["code"] == "programme_not_found"
    assert asked == [10**9]  # the second did not wait for another query
    assert len(harness.django.seen) == 3
    assert harness.counters() == (1, 1)


@pytest.mark.parametrize(
    "host", ["alpha.localhost:evil", "alpha.localhost:", "alpha.localhost:1:2"]
)
def test_a_host_django_would_refuse_is_not_booked_by_the_front(harness: Harness, host: str) -> None:
    harness.warm()
    answer = harness.book(70, host=host)

    assert answer.status != 201
    assert harness.counters() == (1, 1)


def test_thousands_of_nested_brackets_are_a_clear_400_not_a_crash(harness: Harness) -> None:
    harness.warm()
    answer = harness.call(
        "POST",
        "/api/v1/bookings",
        body=b"[" * 5000,
        headers=((b"content-type", b"application/json"),),
    )

    assert answer.status == 400
    assert answer.json()["error"]["code"] == "parse_error"


def test_a_client_that_stalls_while_learning_does_not_hold_the_others(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(front, "BODY_IDLE_SECONDS", 1.0)
    stalled_scope = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/bookings",
        "scheme": "http",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", ALPHA.encode()),
            (b"content-length", b"100"),
            (b"content-type", b"application/json"),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8000),
    }

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
                    {
                        **stalled_scope,
                        "headers": [
                            (b"host", ALPHA.encode()),
                            (b"content-type", b"application/json"),
                        ],
                    },
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


def test_the_fronts_connections_take_djangos_parameters_that_asyncpg_knows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    given = {
        "dbname": "sentra",
        "user": "app",
        "password": "s3cret",
        "host": "db.internal",
        "port": 5432,
        "sslmode": "verify-full",
        "sslrootcert": "/etc/rds.pem",
        "connect_timeout": 5,
        "application_name": "sentra-web",
        "keepalives_idle": 30,
        "prepare_threshold": 5,
        "client_encoding": "UTF8",
    }
    monkeypatch.setattr(connections["default"], "get_connection_params", lambda: given)

    params = front._connection_params()

    assert (
        params["host"],
        params["port"],
        params["user"],
        params["password"],
        params["database"],
    ) == ("db.internal", 5432, "app", "s3cret", "sentra")
    assert params["dsn"] == "postgresql://?sslmode=verify-full&sslrootcert=%2Fetc%2Frds.pem"
    assert params["timeout"] == 5.0
    assert params["server_settings"] == {"TimeZone": "UTC", "application_name": "sentra-web"}
    assert "keepalives_idle" not in str(params)  # PostgreSQL would refuse it as a setting


# --- Edges: the Host header, the proxy's headers, the age bands ------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "alpha.localhost:8000",
        "ALPHA.localhost",
        "alpha.localhost.",
        "www.alpha.localhost",
        "nobody.localhost",
        "alpha.localhost:evil",
        "alpha.example.org",
        "localhost",
    ],
)
@override_settings(ALLOWED_HOSTS=["localhost", ".localhost"])
def test_a_host_gets_the_same_answer_from_the_front_and_from_django(
    harness: Harness, host: str
) -> None:
    harness.warm()
    harness.book(40, host=host)  # a host the front has not seen: it learns it, if Django does
    front_answer = harness.book(41, host=host)
    django_answer = harness.book(42, host=host, app=harness.django)

    assert front_answer.status == django_answer.status
    assert front_answer.headers.get("content-type") == django_answer.headers.get("content-type")
    if front_answer.status == 201:
        assert_same_answer(front_answer, django_answer)
    booked = 1 + 3 * (front_answer.status == 201)
    assert harness.counters() == (booked, booked)


def test_a_host_with_a_port_or_www_is_booked_by_the_front_once_learnt(harness: Harness) -> None:
    harness.warm()
    with override_settings(ALLOWED_HOSTS=["localhost", ".localhost"]):
        answers = [
            harness.book(43 + i, host=host)
            for i, host in enumerate(["alpha.localhost:8000", "www.alpha.localhost"])
        ]

    assert [answer.status for answer in answers] == [201, 201]
    assert len(harness.django.seen) == 1  # the warm-up: both are alpha.localhost to Django


@pytest.mark.parametrize(
    ("proto", "scheme", "status"),
    [
        ("https", "http", 201),
        ("https, http", "http", 201),
        ("http", "http", 301),
        ("HTTPS", "http", 301),
        ("", "http", 301),
        (None, "https", 201),
        ("http", "https", 301),
    ],
)
def test_the_forwarded_scheme_is_read_as_django_reads_it(
    harness: Harness, proto: str | None, scheme: str, status: int
) -> None:
    from config.wsgi_bridge import WSGIBridge

    harness.warm()
    forwarded = (b"x-forwarded-for", b"203.0.113.7, 10.0.0.1")
    headers = (forwarded,) if proto is None else (forwarded, (b"x-forwarded-proto", proto.encode()))
    with override_settings(
        SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
    ):
        bridge = WSGIBridge(get_wsgi_application(), threads=1)  # built with the settings
        harness.django.app = bridge
        front_answer = harness.book(90, headers=headers, scheme=scheme)
        django_answer = harness.book(91, headers=headers, scheme=scheme, app=harness.django)
    bridge.executor.submit(connections.close_all).result()
    bridge.executor.shutdown()

    assert front_answer.status == django_answer.status == status
    if status == 201:
        assert_same_answer(front_answer, django_answer)
        assert len(harness.django.seen) == 2  # the warm-up and Django's own
    else:
        assert front_answer.headers["location"] == django_answer.headers["location"]
    booked = 1 + 2 * (status == 201)
    assert harness.counters() == (booked, booked)


def _born_and_nik(born: dt.date, serial: int) -> dict[str, str]:
    """A woman born on `born` and a NIK that encodes it (her day of birth + 40)."""
    encoded = f"{born.day + 40:02d}{born.month:02d}{born.year % 100:02d}"
    return {"date_of_birth": born.isoformat(), "nik": f"327301{encoded}{serial:04d}"}


@pytest.mark.parametrize(
    ("case", "days_after_60th_birthday", "status"),
    [("60 today", 0, 201), ("60 yesterday", 1, 201), ("60 tomorrow", -1, 409)],
)
def test_an_age_at_the_edge_of_a_band_gets_the_same_answer_from_the_front_and_from_django(
    harness: Harness, case: str, days_after_60th_birthday: int, status: int
) -> None:
    today = timezone.localdate()
    with tenant_scope(harness.tenant):
        AgeRule.objects.create(
            programme=harness.programme,
            min_age=60,
            max_age=None,
            opens_on=today - dt.timedelta(days=1),
        )
        AgeRule.objects.create(
            programme=harness.programme,
            min_age=18,
            max_age=59,
            opens_on=today + dt.timedelta(days=7),
        )
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
