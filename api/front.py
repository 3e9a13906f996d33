"""The rush front: the ASGI application in front of Django (config/asgi.py). It answers the
two requests opening hour is made of (api.hot names them) without a thread, Django's request
cycle or the ORM, as a thin executor of the same booking core as Django's path:

- POST /api/v1/bookings: the body checked by the one validator
  (organizers.services.booking.request; a body Django would refuse gets Django's 400 from
  here), then, when the one statement may be the whole booking
  (organizers.services.booking.statement.one_statement_admits: a first dose for a public
  programme whose age rules admit the person), the booking engine's one statement on an
  asyncio PostgreSQL pool, its outcome read by booking.statement.booking_outcome: 201, or the
  refusal worded as the full path words it (booking.refusals.refusal_error).
- GET /api/v1/venues/<id>/slots?date=...: the day's list from this process's short cache
  (api.hot.SLOT_PAGES, shared with Django's view), or from the same prepared statement as the
  full path (organizers.selectors.SLOT_DAY_SQL).

Both render with api.hot.json_bytes: the same bytes as Django's DRF views. Everything else goes
to Django (config/wsgi_bridge.py: a pool of threads), and so does any request the front is not
sure of: a body not sent as JSON, another dose, an invite, an unknown host, an Idempotency-Key,
plain HTTP where HTTPS is required, a database error. Each takes the full path, which decides
and words the answer.

It uses only what the full path knows lately in this process: a host's tenant
(TENANT_HOST_CACHE_SECONDS, learnt by a request through Django) and a public programme's age
rules (ELIGIBILITY_FACTS_SECONDS, learnt with the full path's own statement). So it
never decides what the full path would not. The first time it sees an organiser, it prepares
its statements in that organiser's schema on every idle connection
(FrontDatabase.prime_in_background).

Measured with ./sentra bench (docs/adr/0008-rush-front.md).
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import functools
import json
import logging
import re
import weakref
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

import asyncpg
from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware
from django.utils import timezone, translation
from django_tenants.utils import remove_www

from api import hot
from api.exception_handlers import application_error_body, invalid_body
from api.v1 import serializers as s
from api.v1.parsers import MAX_BODY_BYTES, parse_error
from common.process_cache import ProcessCache
from config.wsgi_bridge import BODY_IDLE_SECONDS
from organizers.personal_data import mask_nik
from organizers.selectors import SLOT_DAY_SQL, slot_day_params
from organizers.services.booking import engine, rows, seats
from organizers.services.booking import statement as booking_statement
from organizers.services.booking.person import Person
from organizers.services.booking.refusals import refusal_error
from organizers.services.booking.request import (
    LANGUAGES,
    booking_request_clean,
    day_may_hold_slots,
    slot_day_query_clean,
)
from organizers.services.eligibility import facts as eligibility_facts
from tenants.context import connection_schema_switch, enqueue_in_schema
from tenants.middleware import tenant_for_host_known

log = logging.getLogger(__name__)

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
# (status, body, language) of an answer the front gives itself
Answer = tuple[int, bytes, str]

LEARN_SECONDS = 5.0
REFRESH_AHEAD_SECONDS = 1.0


class RushFront:
    def __init__(self, fallback: ASGIApp, *, connections_per_process: int | None = None) -> None:
        self.fallback = fallback
        self.database = FrontDatabase(
            connections_per_process or settings.SENTRA_FRONT_DB_CONNECTIONS
        )
        self.supported = {code for code, _name in settings.LANGUAGES}
        self.pending: set[asyncio.Future[None]] = set()
        # What is being learnt (a host's tenant through one request on the full path, a
        # programme's age rules with one query), and the futures the others wait on meanwhile;
        # what could not be learnt lately (for LEARN_SECONDS).
        self.learning: dict[tuple, asyncio.Future] = {}
        self.unlearnable: ProcessCache[bool] = ProcessCache(max_size=10_000)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return await self._lifespan(receive, send)
        if scope["type"] != "http":
            return await self.fallback(scope, receive, send)
        route = hot.hot_route(scope["method"], scope["path"])
        if route is None:
            return await self.fallback(scope, receive, send)
        if route[1] is None:
            handler = self._booking
        else:
            venue_id = route[1]

            async def handler(request: _Request) -> Answer | None:
                return await self._slots(request, venue_id)

        request = _Request(scope)
        if not request.may_answer() or request.hostname is None or request.public:
            return await self.fallback(scope, receive, send)
        body, more = await _read_body(receive, request.content_length)
        replay = _replay(body, more, receive)
        if more:  # too large, or the client left: the full path answers
            return await self.fallback(scope, replay, send)
        request.body = body
        if request.tenant is None:
            key = ("host", request.hostname)
            if await self._learn_or_wait(key, request, settings.TENANT_HOST_CACHE_SECONDS):
                request.tenant = request.find_tenant()
            if request.tenant is None:
                return await self._full_path(request, scope, replay, send)
        try:
            if request.tenant.schema_name not in self.database.primed:
                self.database.prime_in_background(
                    request.tenant.schema_name, _priming(request.tenant)
                )
            answer = await handler(request)
        except Exception:
            # A defect of the front must not become an error page: the full path answers.
            log.exception("rush front: request handed to the full path")
            answer = None
        if answer is not None:
            return await self._send(request, answer, send)
        return await self._full_path(request, scope, replay, send)

    # --- Learning ----------------------------------------------------------------------------

    async def _programme_learnt(
        self, tenant: Any, programme_id: int
    ) -> tuple[float, tuple[eligibility_facts.AgeBand, ...] | None] | None:
        """At a drop, a programme's facts (public or not, its age rules) are not known in this
        process: they are kept ELIGIBILITY_FACTS_SECONDS and nobody booked before the drop. The
        first request runs the full path's own statement for them
        (eligibility_facts.PROGRAMME_FACTS_SQL, kept by eligibility_facts.programme_facts_learnt) on
        the front's connections, and it and the others wait for that one query (at most
        LEARN_SECONDS). Through a whole Django request instead, the first wave of a drop waited
        about 20 ms longer. The facts as eligibility_facts.programme_facts_kept gives them; None
        when they are not known after it: the full path answers (and a programme that cannot be
        learnt is not asked again for LEARN_SECONDS)."""
        learning = self._programme_learning(tenant, programme_id)
        if learning is None:
            return None
        try:
            await asyncio.wait_for(asyncio.shield(learning), LEARN_SECONDS)
        except Exception:  # the query failed or took too long (logged once, when it ends)
            return None
        return eligibility_facts.programme_facts_kept(
            tenant_uid=tenant.uid, programme_id=programme_id
        )

    def _programme_learning(self, tenant: Any, programme_id: int) -> asyncio.Future | None:
        """The query learning a programme's facts: the one under way, or a new one; None when
        the cache is off or the programme could not be learnt lately."""
        key = ("programme", tenant.uid, programme_id)
        if eligibility_facts.facts_seconds() <= 0 or self.unlearnable.get(key):
            return None
        learning = self.learning.get(key)
        if learning is None:
            learning = asyncio.ensure_future(self._programme_learn(tenant, programme_id))
            self.learning[key] = learning
            learning.add_done_callback(lambda done: self._programme_done(key, done))
        return learning

    async def _programme_learn(self, tenant: Any, programme_id: int) -> None:
        row = await self.database.fetch_one(
            tenant.schema_name,
            eligibility_facts.PROGRAMME_FACTS_SQL,
            {"programme_id": programme_id},
        )
        eligibility_facts.programme_facts_learnt(
            tenant_uid=tenant.uid, programme_id=programme_id, row=row
        )

    def _programme_done(self, key: tuple, learning: asyncio.Future) -> None:
        if self.learning.get(key) is learning:
            del self.learning[key]
        if learning.cancelled() or learning.exception() is not None:
            if not learning.cancelled():
                log.warning("rush front: a programme not learnt: %r", learning.exception())
            self._unlearnable(key)
        elif not eligibility_facts.programme_facts_known(tenant_uid=key[1], programme_id=key[2]):
            self._unlearnable(key)  # no such programme

    def _unlearnable(self, key: tuple) -> None:
        self.unlearnable.put(key, True, seconds=LEARN_SECONDS)

    async def _learn_or_wait(self, key: tuple, request: _Request, remembered: float) -> bool:
        """At a drop, the first requests of a process may find the host unknown: one of them
        (the learner, whose body is already read) takes the full path, which learns it; the
        others wait for it (at most LEARN_SECONDS) instead of all taking the full path at once.
        True when this request waited (look again), False when it goes to the full path. A
        host the full path does not learn (no organiser's) is not waited for again for
        LEARN_SECONDS; nor anything when the cache is off (`remembered` seconds <= 0)."""
        if remembered <= 0 or self.unlearnable.get(key):
            return False
        learning = self.learning.get(key)
        if learning is None:
            self.learning[key] = asyncio.get_running_loop().create_future()
            request.teaches = key
            return False
        try:
            await asyncio.wait_for(asyncio.shield(learning), LEARN_SECONDS)
        except TimeoutError:
            # A learner that never finishes (a client that stalls) must not hold the others.
            if self.learning.get(key) is learning:
                del self.learning[key]
            return False
        return True

    async def _full_path(
        self, request: _Request, scope: Scope, receive: Receive, send: Send
    ) -> None:
        try:
            await self.fallback(scope, receive, send)
        finally:
            if request.teaches is not None:
                self._learnt(request)

    def _learnt(self, request: _Request) -> None:
        key = request.teaches
        learning = self.learning.pop(key, None)  # type: ignore[arg-type]
        if learning is not None and not learning.done():
            learning.set_result(None)
        if request.find_tenant() is None:
            self._unlearnable(key)  # type: ignore[arg-type]

    # --- The booking ----------------------------------------------------------------------

    async def _booking(self, request: _Request) -> Answer | None:
        """The booking, with the core Django's path uses: the one validator, the one decision
        of when the one statement may book, its attempts and outcomes. A body Django would
        refuse as it stands gets Django's 400 from here; a booking the statement cannot be the
        whole of (another dose, an invite, a company programme, an age the rules refuse, an
        organiser not yet approved, an Idempotency-Key) goes to the full path."""
        if not request.content_type.startswith("application/json"):
            return None  # the full path answers 415
        # As the full path: the answer's Content-Language is the request's (the cookie's); the
        # booking, and its words, are in the body's language when it has one.
        answered_in = request.cookie_language(self.supported)
        try:
            payload = json.loads(request.body or b"{}")
        except (ValueError, RecursionError):  # RecursionError: thousands of nested brackets
            with translation.override(answered_in):
                return 400, hot.json_bytes(_parse_error_body()), answered_in
        chosen = payload.get("language") if type(payload) is dict else None
        language = chosen if chosen in LANGUAGES else answered_in
        booking, _errors = booking_request_clean(payload)
        if booking is None:
            with translation.override(language):  # the messages are worded in it
                _booking, errors = booking_request_clean(payload)
                return 400, hot.json_bytes(invalid_body(errors)), answered_in
        tenant = request.tenant
        if (
            tenant.review_status != "approved"
            or request.header(b"idempotency-key") is not None
            or not booking_statement.statement_may_book(
                dose=booking.dose,
                reserve_next_dose=booking.reserve_next_dose,
                invite_token=booking.invite_token,
            )
        ):
            return None
        programme_id = booking.programme_id
        facts = eligibility_facts.programme_facts_kept(
            tenant_uid=tenant.uid, programme_id=programme_id
        )
        if facts is None:
            facts = await self._programme_learnt(tenant, programme_id)
            if facts is None:
                return None  # not learnt (no such programme, no database): the full path answers
        elif facts[0] < REFRESH_AHEAD_SECONDS:
            # Learnt again before they expire, while this and the next requests use them: in a
            # long rush, no request of this worker waits for the query every few seconds.
            self._programme_learning(tenant, programme_id)
        now = timezone.now()
        if not booking_statement.one_statement_admits(
            dose=booking.dose,
            reserve_next_dose=booking.reserve_next_dose,
            invite_token=booking.invite_token,
            age_bands=facts[1],
            date_of_birth=booking.date_of_birth,
            today=timezone.localdate(now),
        ):
            return None  # not a public programme known lately, or an age the rules refuse
        person = booking.person(language=language)
        params = engine.booking_statement_params(
            programme_id=programme_id,
            slot_id=booking.slot_id,
            dose=1,
            person=person,
            now=now,
            tenant_uid=tenant.uid,
        )
        statement, why_not = engine.booking_statement(1), seats.refusal_statement(1)
        for _attempt in booking_statement.booking_attempts(
            params, voucher_code_new=rows.voucher_code_new
        ):
            try:
                row, why = await self.database.fetch_one_or(
                    tenant.schema_name, statement, why_not, params
                )
            except asyncpg.UniqueViolationError as exc:
                outcome = booking_statement.booking_outcome(params=params, error=exc)
            except (*DATABASE_ERRORS, FrontBusyError) as exc:
                log.warning("rush front: booking handed to the full path: %r", exc)
                return None
            else:
                outcome = booking_statement.booking_outcome(params=params, row=row, why=why)
            if isinstance(outcome, booking_statement.Retry):
                continue
            if isinstance(outcome, booking_statement.NotOurs):
                return None  # the full path meets it too, and answers as it does
            if isinstance(outcome, booking_statement.Refused):
                return self._refusal(outcome.code, language, answered_in)
            if outcome.message_id is not None:
                self._deliver(tenant.schema_name, outcome.message_id)
            body = s.booking_representation(outcome.booking, nik_masked=mask_nik(booking.nik))
            return 201, hot.json_bytes(body), answered_in
        return None  # pragma: no cover - booking_attempts ends with an error

    @staticmethod
    def _refusal(code: str | None, language: str, answered_in: str) -> Answer | None:
        """The seat the statement did not get, refused as the full path refuses it: the same
        error and words (booking.refusals). None (the full path answers) when no reason
        holds by now (a seat came free between the two statements)."""
        if code is None:
            return None
        error = refusal_error(code)
        with translation.override(language):
            body = hot.json_bytes(application_error_body(error))
        return error.status_code, body, answered_in

    def _deliver(self, schema: str, message_id: int) -> None:
        """Hand the e-voucher to Celery off the event loop (the broker client blocks). If that
        fails, the message is in the outbox already and the sweep sends it."""
        from organizers.tasks import message_deliver

        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(None, enqueue_in_schema, schema, message_deliver, message_id)
        task = asyncio.ensure_future(future)
        self.pending.add(task)
        task.add_done_callback(self._delivered)

    def _delivered(self, task: asyncio.Future) -> None:
        self.pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("rush front: e-voucher left to the outbox sweep: %r", task.exception())

    # --- A day's slots --------------------------------------------------------------------

    async def _slots(self, request: _Request, venue_id: int) -> Answer | None:
        query = request.query()
        if query is None:
            return None  # a name given twice, or encoded: Django reads those its own way
        language = request.cookie_language(self.supported)
        asked, errors = slot_day_query_clean(query)
        if asked is None:
            with translation.override(language):
                _asked, errors = slot_day_query_clean(query)
                return 400, hot.json_bytes(invalid_body(errors)), language
        day, programme = asked
        if not day_may_hold_slots(day):
            return 200, hot.json_bytes([]), language
        schema = request.tenant.schema_name
        key = (schema, venue_id, day, programme)
        cached = hot.slot_page_known(key)
        if cached is not None:
            return 200, cached, language
        try:
            row = await self.database.fetch_one(
                schema, SLOT_DAY_SQL, slot_day_params(venue_id, day, programme, timezone.now())
            )
        except (*DATABASE_ERRORS, FrontBusyError) as exc:
            log.info("rush front: slots handed to the full path: %r", exc)
            return None
        if row is None:
            return None  # no such bookable venue: the full path answers 404
        body = row[0].encode()
        hot.slot_page_keep(key, body)
        return 200, body, language

    # --- Plumbing -------------------------------------------------------------------------

    async def _send(self, request: _Request, answer: Answer, send: Send) -> None:
        status, body, language = answer
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"vary", b"Cookie"),
            (b"content-language", language.encode()),
            *_fixed_headers(request.secure),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                # Connect now, not on the first bookings of opening hour; a database that is
                # not there yet only means the front connects later.
                self.database.warm()
                warm = getattr(self.fallback, "warm", None)
                if warm is not None:
                    warm()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.pending:
                    await asyncio.wait(self.pending, timeout=5)
                await self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def close(self) -> None:
        """Close the front's database connections."""
        await self.database.close()


def _parse_error_body() -> dict[str, Any]:
    """The full path's answer to a body that is not JSON (its parser's error, worded by
    api.exception_handlers), in the active language."""
    error = parse_error()
    return {"error": {"code": error.default_code, "message": str(error.detail)}}


def _priming(tenant: Any) -> list[tuple[str, dict[str, Any]]]:
    """The front's statements with parameters that find nothing and write nothing (no slot,
    venue or programme has id 0)."""
    now = timezone.now()
    nobody = Person(nik="3273015403580001", date_of_birth=dt.date(1958, 3, 14), full_name="-")
    params = engine.booking_statement_params(
        programme_id=0, slot_id=0, dose=1, person=nobody, now=now, tenant_uid=tenant.uid
    )
    params["voucher"] = rows.voucher_code_new()
    return [
        (engine.booking_statement(1), params),
        (seats.refusal_statement(1), params),
        (SLOT_DAY_SQL, slot_day_params(0, timezone.localdate(now), None, now)),
        (eligibility_facts.PROGRAMME_FACTS_SQL, {"programme_id": 0}),
    ]


class _Request:
    """What the front reads of a request, worded as Django would read it."""

    body = b""
    teaches: tuple | None = None  # what this request learns through the full path
    public = False  # the root domain's host: the control plane, never the front's

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.headers: dict[bytes, bytes] = {}
        self.repeated = False
        for name, value in scope["headers"]:
            if name in self.headers:
                self.repeated = True
            self.headers[name] = value
        self.secure = self._scheme() == "https"
        self.hostname = self._hostname()
        self.tenant = self.find_tenant()

    def header(self, name: bytes) -> str | None:
        value = self.headers.get(name)
        return None if value is None else value.decode("latin-1")

    @property
    def content_type(self) -> str:
        return self.header(b"content-type") or ""

    @property
    def content_length(self) -> int | None:
        text = self.header(b"content-length")
        return int(text) if text is not None and text.isascii() and text.isdigit() else None

    def may_answer(self) -> bool:
        """False where Django would do something first: redirect to HTTPS, or a request with a
        header given twice (Django reads those its own way)."""
        return not self.repeated and (self.secure or not settings.SECURE_SSL_REDIRECT)

    def _scheme(self) -> str:
        # As HttpRequest.scheme: the trusted proxy's header first (SECURE_PROXY_SSL_HEADER).
        if settings.SECURE_PROXY_SSL_HEADER:
            meta_name, secure_value = settings.SECURE_PROXY_SSL_HEADER
            value = self.header(meta_name.removeprefix("HTTP_").replace("_", "-").lower().encode())
            if value is not None:
                return "https" if value.split(",", 1)[0].strip() == secure_value else "http"
        return self.scope.get("scheme", "http")

    def _hostname(self) -> str | None:
        """As HttpRequest.get_host() (ALLOWED_HOSTS, a well-formed port) and then
        TenantMainMiddleware.hostname_from_request; None where Django would refuse the host."""
        host = None
        if settings.USE_X_FORWARDED_HOST:
            host = self.header(b"x-forwarded-host")
        host = host or self.header(b"host")
        if not host:
            return None
        return _host_checked(host)

    def find_tenant(self) -> Any:
        """The organiser of this host, if this process resolved it lately."""
        tenant = tenant_for_host_known(self.hostname) if self.hostname else None
        self.public = tenant is not None and tenant.is_public
        return None if tenant is None or self.public else tenant

    def cookie_language(self, supported: set[str]) -> str:
        """As common.language.language_activate: the language cookie, else the default."""
        cookie = self.header(b"cookie")
        chosen = parse_cookie(cookie).get(settings.LANGUAGE_COOKIE_NAME) if cookie else None
        return chosen if chosen in supported else settings.LANGUAGE_CODE

    def query(self) -> dict[str, str] | None:
        """The query string as single values; None when a name repeats or it does not decode."""
        raw = self.scope.get("query_string", b"")
        values: dict[str, str] = {}
        if not raw:
            return values
        try:
            text = raw.decode("ascii")
        except UnicodeDecodeError:
            return None
        for part in text.split("&"):
            name, _, value = part.partition("=")
            if name in values or "%" in part or "+" in part:
                return None
            values[name] = value
        return values


# Host header -> (the ALLOWED_HOSTS it was checked against, the tenant host name or None).
_CHECKED_HOSTS: ProcessCache[tuple[object, str | None]] = ProcessCache(max_size=1000)
HOST_CHECK_SECONDS = 300.0


def _host_checked(host: str) -> str | None:
    """The tenant host name of a Host header Django would accept, else None; remembered per
    header value (a handful of them), as long as ALLOWED_HOSTS stays the same."""
    kept = _CHECKED_HOSTS.get(host)
    if kept is not None and kept[0] is settings.ALLOWED_HOSTS:
        return kept[1]
    domain, _port = split_domain_port(host)
    valid = bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)
    checked = remove_www(host.split(":")[0]) if valid else None
    _CHECKED_HOSTS.put(host, (settings.ALLOWED_HOSTS, checked), seconds=HOST_CHECK_SECONDS)
    return checked


class FrontDatabase:
    """A small asyncio pool of PostgreSQL connections (asyncpg) with Django's connection
    parameters, up to `size` per process, opened when first needed. Each connection remembers
    its search_path (the tenant) and switches it, through tenants.context, only when it
    changes; statements are prepared, as organizers/db.py prepares them on Django's
    connections. Statements are written for psycopg (%(name)s parameters, shared with
    Django's path) and numbered for asyncpg once.

    asyncpg, not psycopg, on the front (docs/adr/0008-rush-front.md): for the booking statement
    it took 95 µs of the worker's CPU and 230 µs of wall time per call, psycopg's async
    connection 175 µs and 730 µs (5,000 calls each, one connection).
    Not a library pool: psycopg_pool's checkout always goes through a timeout, which showed in
    the profile; this takes an idle connection without awaiting and waits only when all are
    busy (1,709 / 1,709 / 1,935 bookings/s against 1,623 / 1,576 / 1,802, alternating).
    asyncpg's own pool (issue #10) sold as fast but with a longer tail: B1 rush p99 49.9 and
    48.0 ms against 37.8 and 39.6 ms, sustained 50.9 and 51.5 against 29.0 and 29.3 ms
    (alternating, quiet machine; ADR 0008, "The pool")."""

    WAIT_SECONDS = 10.0

    def __init__(self, size: int) -> None:
        self.size = size
        self.idle: list[asyncpg.Connection] = []
        self.waiters: collections.deque[asyncio.Future] = collections.deque()
        self.count = 0
        self.tasks: set[asyncio.Future] = set()
        self.params: dict[str, Any] | None = None
        self.schemas: weakref.WeakKeyDictionary[asyncpg.Connection, str] = (
            weakref.WeakKeyDictionary()
        )
        self.primed: set[str] = set()

    async def fetch_one(self, schema: str, statement: str, params: dict[str, Any]) -> tuple | None:
        """The first row of `statement` in `schema`."""
        row, _otherwise = await self.fetch_one_or(schema, statement, None, params)
        return row

    async def fetch_one_or(
        self, schema: str, statement: str, otherwise: str | None, params: dict[str, Any]
    ) -> tuple[tuple | None, tuple | None]:
        """(the first row of `statement`, None); when `statement` has no row and `otherwise` is
        given, (None, the first row of `otherwise`), run with the same parameters on the same
        connection: a request that needs both waits for a connection once, not twice."""
        conn = await self._take()
        usable = True
        try:
            await self._use_schema(conn, schema)
            row = await self._fetch_one(conn, statement, params)
            if row is not None or otherwise is None:
                return row, None
            return None, await self._fetch_one(conn, otherwise, params)
        except BaseException as exc:
            usable = _usable_after(exc)
            raise
        finally:
            self._give(conn, usable=usable)

    def prime_in_background(self, schema: str, statements: list[tuple[str, dict]]) -> None:
        """Run `statements` (which write nothing) in `schema` on every idle connection, once
        per schema: PostgreSQL loads the schema's tables and plans them, asyncpg prepares them,
        before requests need them. Cold, each connection's first booking of an organiser took
        about 20 ms (in a drop's first wave, all at once); busy connections warm up on their
        own first request."""
        if len(self.primed) > 10_000:
            self.primed.clear()
        self.primed.add(schema)
        idle, self.idle = self.idle, []
        for conn in idle:
            self._background(self._prime(conn, schema, statements))

    async def _prime(
        self, conn: asyncpg.Connection, schema: str, statements: list[tuple[str, dict]]
    ) -> None:
        usable = True
        try:
            await self._use_schema(conn, schema)
            for statement, params in statements:
                await self._fetch_one(conn, statement, params)
        except BaseException as exc:
            usable = _usable_after(exc)
            if not isinstance(exc, Exception):
                raise  # cancelled (shutdown)
            log.info("rush front: a connection not primed for %s: %r", schema, exc)
        finally:
            self._give(conn, usable=usable)

    async def _use_schema(self, conn: asyncpg.Connection, schema: str) -> None:
        if self.schemas.get(conn) != schema:
            await connection_schema_switch(conn, schema=schema)
            self.schemas[conn] = schema

    @staticmethod
    async def _fetch_one(
        conn: asyncpg.Connection, statement: str, params: dict[str, Any]
    ) -> tuple | None:
        """asyncpg prepares the statement on the connection the first time and keeps it; a
        migration that changes a table under it makes it prepare it again by itself."""
        numbered, names = _numbered(statement)
        row = await conn.fetchrow(numbered, *[params[name] for name in names])
        return None if row is None else tuple(row)

    async def _take(self) -> asyncpg.Connection:
        while self.idle:
            conn = self.idle.pop()
            if not conn.is_closed():
                return conn
            self.count -= 1  # the server closed it while it was idle (a restart)
        if self.count < self.size:
            self.count += 1
            try:
                return await self._connect()
            except BaseException:
                self.count -= 1
                raise
        waiter = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            done, _pending = await asyncio.wait({waiter}, timeout=self.WAIT_SECONDS)
        except BaseException:  # cancelled while waiting: a connection given meanwhile goes back
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._give(waiter.result())
            waiter.cancel()
            raise
        if not done:
            waiter.cancel()  # _give passes over it
            raise FrontBusyError("no database connection free")
        return waiter.result()

    def _give(self, conn: asyncpg.Connection, *, usable: bool = True) -> None:
        if not usable or conn.is_closed() or conn.is_in_transaction():
            self.count -= 1
            self._background(_close(conn))
            if self.waiters:  # someone waits: a connection can be opened for them
                self.count += 1
                self._background(self._connect_for(self.waiters.popleft()))
            return
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        self.idle.append(conn)

    def warm(self) -> None:
        """Open the connections in the background."""
        self._background(self._warm())

    async def _warm(self) -> None:
        while self.count < self.size:
            self.count += 1
            try:
                conn = await self._connect()
            except DATABASE_ERRORS as exc:
                self.count -= 1
                log.warning("rush front: no database connection yet (%s); connecting on use", exc)
                return
            self._give(conn)

    def _background(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _connect_for(self, waiter: asyncio.Future) -> None:
        try:
            conn = await self._connect()
        except Exception as exc:
            self.count -= 1
            if not waiter.done():
                waiter.set_exception(exc)
            if self.waiters and self.count < self.size:
                # The next one in line tries too (and, the database being down, learns it at
                # once) instead of waiting WAIT_SECONDS for a connection nobody will give back.
                self.count += 1
                self._background(self._connect_for(self.waiters.popleft()))
            return
        if waiter.done():
            self._give(conn)
        else:
            waiter.set_result(conn)

    async def _connect(self) -> asyncpg.Connection:
        if self.params is None:
            self.params = _connection_params()
        return await asyncpg.connect(**self.params)

    async def close(self) -> None:
        idle, self.idle = self.idle, []
        for conn in idle:
            self.count -= 1
            await _close(conn)


class FrontBusyError(Exception):
    """Every connection of the front stayed busy for WAIT_SECONDS."""


# What a statement of the front can fail with, besides a refusal it reads as one: PostgreSQL's
# errors, a connection that broke or could not be opened, no connection free in time.
# (InternalClientError: a statement sent on a connection the server has just terminated, before
# asyncpg saw the socket close.)
DATABASE_ERRORS = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    asyncpg.InternalClientError,
    OSError,
    TimeoutError,
)


def _usable_after(error: BaseException) -> bool:
    """Whether a connection can serve the next request after `error`: yes after an error of the
    statement (a unique violation, say); no after a lost or terminated connection, a server in
    trouble, or an interruption in the middle of a statement."""
    if isinstance(error, asyncpg.PostgresError):
        return (error.sqlstate or "")[:2] not in {"08", "57", "58", "XX"}
    return False


async def _close(conn: asyncpg.Connection) -> None:
    try:
        await conn.close(timeout=5)
    except Exception:  # a connection that is already gone
        conn.terminate()


@functools.lru_cache(maxsize=64)
def _numbered(statement: str) -> tuple[str, tuple[str, ...]]:
    """A statement with psycopg's %(name)s parameters as asyncpg's $1, $2 ... (a name used
    twice is one number; psycopg's %% is a %), and the names in their numbers' order."""
    names: list[str] = []

    def number(match: re.Match) -> str:
        name = match.group(1)
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    return _PARAMETER.sub(number, statement).replace("%%", "%"), tuple(names)


_PARAMETER = re.compile(r"%\((\w+)\)s")


def _connection_params() -> dict[str, Any]:
    """Django's own connection parameters for the default database (host, port, name, user,
    password; the OPTIONS asyncpg knows: TLS, target_session_attrs, application_name,
    connect_timeout). Timestamps travel in UTC, as Django has them (USE_TZ); each statement is
    its own transaction (autocommit). Other OPTIONS (keepalives, say) are left out, with a
    warning: passed on, PostgreSQL would refuse them and the front would not connect."""
    given = {
        name: value
        for name, value in connections["default"].get_connection_params().items()
        if value is not None and name not in _NOT_LIBPQ
    }
    params: dict[str, Any] = {
        "host": given.pop("host", None) or None,
        "port": given.pop("port", None) or None,
        "user": given.pop("user", None),
        "password": given.pop("password", None),
        "database": given.pop("dbname", None),
        "server_settings": {"TimeZone": "UTC"},
        "max_cached_statement_lifetime": 0,  # prepared for as long as the connection lives
    }
    if "connect_timeout" in given:
        params["timeout"] = float(given.pop("connect_timeout"))
    if "application_name" in given:
        params["server_settings"]["application_name"] = str(given.pop("application_name"))
    known = {name: str(value) for name, value in given.items() if name in _DSN_OPTIONS}
    if known:
        params["dsn"] = "postgresql://?" + urlencode(known)
    if unknown := sorted(set(given) - set(known)):
        log.warning("rush front: database OPTIONS left out of its connections: %s", unknown)
    return params


_NOT_LIBPQ = {
    "cursor_factory",
    "context",
    "server_side_binding",
    "prepare_threshold",
    "client_encoding",
}
# The libpq options asyncpg reads from a connection string.
_DSN_OPTIONS = {
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "sslpassword",
    "sslcrl",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "target_session_attrs",
    "passfile",
    "service",
    "servicefile",
    "krbsrvname",
    "gsslib",
}


_HEADERS: dict[tuple, list[tuple[bytes, bytes]]] = {}


def _fixed_headers(secure: bool) -> list[tuple[bytes, bytes]]:
    """The security headers Django's middleware puts on an API answer (SecurityMiddleware and
    X-Frame-Options), computed by running the same middleware over an empty answer, once for
    each set of the settings they read."""
    key = (
        secure,
        settings.SECURE_HSTS_SECONDS,
        settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,
        settings.SECURE_HSTS_PRELOAD,
        settings.SECURE_CONTENT_TYPE_NOSNIFF,
        settings.SECURE_REFERRER_POLICY,
        settings.SECURE_CROSS_ORIGIN_OPENER_POLICY,
        settings.X_FRAME_OPTIONS,
    )
    headers = _HEADERS.get(key)
    if headers is None:
        probe = _Probe(secure)
        response = HttpResponse(content_type="application/json")
        response = SecurityMiddleware(_unused).process_response(probe, response)
        response = XFrameOptionsMiddleware(_unused).process_response(probe, response)
        headers = _HEADERS[key] = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in response.items()
            if name.lower() != "content-type"
        ]
    return headers


class _Probe(HttpRequest):
    def __init__(self, secure: bool) -> None:
        super().__init__()
        self.secure = secure

    def is_secure(self) -> bool:
        return self.secure


def _unused(request: HttpRequest) -> HttpResponse:  # pragma: no cover
    raise AssertionError("only process_response is used")


async def _read_body(receive: Receive, declared: int | None) -> tuple[bytes, bool]:
    """The request body, up to MAX_BODY_BYTES; `more` is True when reading stopped early (a
    declared or actual length beyond the limit: the full path answers 413)."""
    if declared is not None and declared > MAX_BODY_BYTES:
        return b"", True
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            async with asyncio.timeout(BODY_IDLE_SECONDS):  # a timer, not a task per chunk
                message = await receive()
        except TimeoutError:
            return b"".join(chunks), True  # a stalled client: the full path times it out
        if message["type"] != "http.request":
            return b"".join(chunks), True  # the client left: the fallback sees it too
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False
        if size > MAX_BODY_BYTES:
            return b"".join(chunks), True


def _replay(body: bytes, more: bool, receive: Receive) -> Receive:
    """A receive() for the fallback that gives back what the front read, then the rest."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return replay
