"""The rush front: the ASGI application in front of Django (config/asgi.py). It answers the
two requests opening hour is made of (api.hot names them) without a thread, Django's request
cycle or the ORM, as a thin executor of the same booking core as Django's path:

- POST /api/v1/bookings: the body checked by the one validator
  (organizers.services.booking.request; a body Django would refuse gets Django's 400 from
  here), then, when the one statement may be the whole booking
  (organizers.services.booking.statement.one_statement_admits: a first dose for a public
  programme whose age rules admit the person), the capacity engine's one statement on an
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
import datetime as dt
import logging
import time
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from api import hot
from api.exception_handlers import invalid_body
from api.front.booking import FrontBooking
from api.front.database import DATABASE_ERRORS, FrontBusyError, FrontDatabase
from api.front.requests import (
    Answer,
    ASGIApp,
    FrontRequest,
    Receive,
    Scope,
    Send,
    fixed_headers,
    read_body,
    replay_body,
)
from common.process_cache import ProcessCache
from config import admission
from config.request_deadline import database_deadline, request_deadline_start
from organizers.selectors import SLOT_DAY_SQL, slot_day_params
from organizers.services.booking import engine, rows, seats
from organizers.services.booking.person import Person
from organizers.services.booking.request import day_may_hold_slots, slot_day_query_clean
from organizers.services.eligibility import facts as eligibility_facts

log = logging.getLogger(__name__)


class RushFront(FrontBooking):
    """The ASGI application: the two hot routes answered here (the booking in FrontBooking,
    what it learns in FrontLearning), everything else and anything unsure handed to `fallback`
    (Django through config/wsgi_bridge.py)."""

    def __init__(self, fallback: ASGIApp, *, connections_per_process: int | None = None) -> None:
        self.fallback = fallback
        self.database = FrontDatabase(
            connections_per_process or settings.SENTRA_FRONT_DB_CONNECTIONS
        )
        self.supported = {code for code, _name in settings.LANGUAGES}
        self.pending: set[asyncio.Future[None]] = set()
        self.wake_schemas: set[str] = set()
        self.wake_task: asyncio.Future[None] | None = None
        self.learning: dict[tuple, asyncio.Future] = {}  # what each is (FrontLearning)
        self.unlearnable: ProcessCache[bool] = ProcessCache(max_size=10_000)
        self.gate = admission.AdmissionGate(
            connections=self.database.size,
            threads=getattr(fallback, "threads", None),
            threaded=False,  # used from the event loop only
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return await self._lifespan(receive, send)
        if scope["type"] != "http":
            return await self.fallback(scope, receive, send)
        route = hot.hot_route(scope["method"], scope["path"])
        # Admission (config/admission.py) before anything else: a worker with as many requests
        # in progress as it can answer in time answers the booking path "busy" at once.
        lane = admission.FRONT if route is not None else admission.DJANGO
        kind = admission.request_kind(scope["path"])
        refusal = self.gate.admit(
            lane=lane,
            kind=kind,
            ticket_cookie=_ticket_cookie(scope) if kind == admission.PAGE else None,
        )
        if refusal is not None:
            return await self._refuse(scope, refusal, send)
        scope[admission.ADMITTED] = True  # Django's middleware does not count it again
        started = time.monotonic()
        try:
            await self._dispatch(scope, receive, send, route)
        finally:
            self.gate.leave(lane, time.monotonic() - started)

    async def _dispatch(
        self, scope: Scope, receive: Receive, send: Send, route: tuple[str, int | None] | None
    ) -> None:
        if route is None:
            return await self.fallback(scope, receive, send)
        if route[1] is None:
            handler = self._booking
        else:
            venue_id = route[1]

            async def handler(request: FrontRequest) -> Answer | None:
                return await self._slots(request, venue_id)

        request = FrontRequest(scope)
        if not request.may_answer() or request.hostname is None or request.public:
            return await self.fallback(scope, receive, send)
        body, more = await read_body(receive, request.content_length)
        replay = replay_body(body, more, receive)
        if more:  # too large, or the client left: the full path answers
            return await self.fallback(scope, replay, send)
        request.body = body
        # The request's deadline starts now (config/request_deadline.py); the database's share of
        # it bounds the front's statements, and the full path honours the same deadline.
        request.deadline = database_deadline(request_deadline_start(scope))
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

    # --- A day's slots --------------------------------------------------------------------

    async def _slots(self, request: FrontRequest, venue_id: int) -> Answer | None:
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
                schema,
                SLOT_DAY_SQL,
                slot_day_params(venue_id, day, programme, timezone.now()),
                deadline=request.deadline,
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

    async def _refuse(self, scope: Scope, refusal: admission.Refusal, send: Send) -> None:
        """The busy answer (config.admission.busy_answer): no body read, no database."""
        request = FrontRequest(scope)
        status, headers, body = admission.busy_answer(
            refusal,
            language=request.cookie_language(self.supported),
            secure=request.secure,
            path=scope["path"],
            query=scope.get("query_string", b"").decode("latin-1"),
        )
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _send(self, request: FrontRequest, answer: Answer, send: Send) -> None:
        status, body, language = answer
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"vary", b"Cookie"),
            (b"content-language", language.encode()),
            *fixed_headers(request.secure),
        ]
        if request.retry_after is not None:
            headers.append((b"retry-after", str(request.retry_after).encode()))
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


def _ticket_cookie(scope: Scope) -> str | None:
    """The waiting room's ticket among the request's cookies, if any."""
    for name, value in scope["headers"]:
        if name == b"cookie":
            return admission.ticket_cookie_of(value.decode("latin-1"))
    return None


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
