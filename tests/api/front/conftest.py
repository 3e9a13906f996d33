"""The rush front (api.front.application.RushFront), called as the ASGI server calls it, with
Django behind it through the thread bridge, on committed data (both use their own database
connections): the harness the front's tests share, and their comparison of two answers.

What a client sees must not depend on who answered: the front's 201 and slot list match the
full path's; anything the front is not sure of reaches Django, which answers as always; no
tenant reaches another's slots through it."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.cache import caches
from django.core.wsgi import get_wsgi_application
from django.db import connections
from django.test import override_settings
from django.utils import timezone

from api.front.application import RushFront
from api.front.learning import FrontLearning
from organizers.models import AgeRule, Booking, Programme, Slot
from organizers.nik import nik_compose
from organizers.services.eligibility import attempts as eligibility_attempts
from organizers.services.eligibility import facts as eligibility_facts
from tenants import middleware
from tenants.context import tenant_scope
from tenants.models import Tenant
from tests.api.conftest import PERSON as API_PERSON
from tests.conftest import LoopThread, RelayWakes
from tests.organizers.factories import a_programme, a_slot, a_venue, organizer_data_delete

ALPHA, BETA = "alpha.localhost", "beta.localhost"
# The API tests' person, who gives her sex (her NIK encodes it) and no e-mail address (no
# voucher to send); each booking gives her a NIK of its own.
PERSON = {**API_PERSON, "email": "", "sex": "F"}
SITI_BORN = dt.date(1958, 3, 14)  # PERSON["date_of_birth"]


def nik(serial: int) -> str:
    """Siti's NIK (born 14 March 1958, a woman) with the serial `serial`."""
    return nik_compose(SITI_BORN, sex="F", serial=serial)


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
    app: RushFront
    django: Counting
    loop: LoopThread
    tenant: Tenant
    programme: Programme
    slot: Slot
    wakes: RelayWakes  # the outbox relay's channel (the e-vouchers' hand-off)

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
        scope = request_scope(method, path, host=host, headers=headers, scheme=scheme)
        scope.update(raw_path=path.encode(), query_string=query)
        return self.loop.run(self._exchange(scope, body, app))

    def book_at_once(self, serials: list[int]) -> list[Answer]:
        """Bookings arriving together, as at a drop: all are in the front before any ends."""
        scope = request_scope(
            "POST", "/api/v1/bookings", headers=((b"content-type", b"application/json"),)
        )

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
    loop_thread: LoopThread,
    relay_wakes: RelayWakes,
) -> Iterator[Harness]:
    from config.wsgi_bridge import WSGIBridge

    beta = Tenant.objects.get(slug="beta")
    committed(lambda: organizer_data_delete(beta))
    caches["global"].delete(eligibility_attempts.refusals_key("127.0.0.1", beta.uid))
    with tenant_scope(alpha_committed):
        programme, venue = a_programme(), a_venue()
        slot = a_slot(venue=venue, programme=programme, capacity=5)
    middleware._HOST_CACHE.clear()
    eligibility_facts.eligibility_facts_forget()
    bridge = WSGIBridge(get_wsgi_application(), threads=1)
    django = Counting(bridge)
    app = RushFront(django, connections_per_process=2)
    with override_settings(TENANT_HOST_CACHE_SECONDS=30, SLOT_LIST_CACHE_SECONDS=0):
        yield Harness(app, django, loop_thread, alpha_committed, programme, slot, relay_wakes)
    loop_thread.run(app.close())
    bridge.executor.submit(connections.close_all).result()  # the Django thread's connection
    bridge.executor.shutdown()
    middleware._HOST_CACHE.clear()
    eligibility_facts.eligibility_facts_forget()


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


def count_learning(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The programmes the front asks the database about from now on (FrontLearning defines the
    query, RushFront inherits it)."""
    asked: list[int] = []
    learn = FrontLearning._programme_learn

    async def counted(self: FrontLearning, tenant: Tenant, programme_id: int) -> None:
        asked.append(programme_id)
        await learn(self, tenant, programme_id)

    monkeypatch.setattr(FrontLearning, "_programme_learn", counted)
    return asked


def request_scope(
    method: str,
    path: str,
    *,
    host: str = ALPHA,
    headers: tuple[tuple[bytes, bytes], ...] = (),
    scheme: str = "http",
) -> dict[str, Any]:
    """An HTTP request's ASGI scope as the server gives it, without its body."""
    return {
        "type": "http",
        "method": method,
        "path": path,
        "scheme": scheme,
        "query_string": b"",
        "root_path": "",
        "http_version": "1.1",
        "headers": [(b"host", host.encode()), *headers],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }


def elderly_first(harness: Harness) -> None:
    """The programme's age rules: 60 and over since yesterday, 18 to 59 in a week."""
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


@contextlib.contextmanager
def django_rebuilt(harness: Harness) -> Iterator[None]:
    """Django behind the front built anew (its middleware reads the settings when it is
    built: enter this inside override_settings), its thread's connection closed after."""
    from config.wsgi_bridge import WSGIBridge

    bridge = WSGIBridge(get_wsgi_application(), threads=1)
    harness.django.app = bridge
    try:
        yield
    finally:
        bridge.executor.submit(connections.close_all).result()
        bridge.executor.shutdown()
