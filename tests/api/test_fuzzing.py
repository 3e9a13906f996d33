"""Schemathesis over API v1 (issue #11, "keep it proven"): every operation of the OpenAPI schema
the tenant host serves, fed inputs generated from that schema (valid ones, boundary values,
and invalid ones), sent to:

- Django alone (its WSGI application), and
- the application production serves (config.asgi: the rush front with Django behind it), whose
  own answers to the hot routes must match the same schema as Django's.

Every answer is checked with all of Schemathesis' checks that judge an answer by the schema: not
a server error, a documented status code, content type, headers and body, invalid input
refused, a required header missing refused, no undocumented method allowed. Inputs are steered
towards the tenant's real data (programme, venue, slots, bookings, a person whose NIK fits) in
some draws, so bookings, views, cancellations and moves succeed as well as fail.

Deterministic (derandomized Hypothesis, no example database): the same inputs on every run.
SENTRA_FUZZ_EXAMPLES (default 25 per operation and phase) runs it longer by hand,
SENTRA_FUZZ_SEED explores other inputs (README, "Run the tests").

Any schema a URLconf serves is found by walking its patterns for drf-spectacular's view
(`served_schemas`): the public (root-domain) URLconf serves none today; when it does, the test
that it is fuzzed fails until it is added here."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import schemathesis
from django.core.cache import caches
from django.core.wsgi import get_wsgi_application
from django.db import connections
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.views import SpectacularAPIView
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.python import asgi as schemathesis_asgi
from schemathesis.specs.openapi.checks import positive_data_acceptance

from api import hot
from organizers.nik import nik_compose
from organizers.services.booking import place
from tenants.context import tenant_scope
from tenants.models import Tenant
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue

HOST = "alpha.localhost"
BASE_URL = f"http://{HOST}"
SCHEMA_PATH = "/api/v1/schema?format=json"
BORN = dt.date(1958, 3, 14)  # the people of these tests: Siti's date of birth (a woman)

EXAMPLES = int(os.environ.get("SENTRA_FUZZ_EXAMPLES", "25"))
SEED = os.environ.get("SENTRA_FUZZ_SEED")
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=SEED is None,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@dataclass(frozen=True)
class Known:
    """The tenant's real data the fuzzer may use in place of what it generated."""

    programme_id: int
    venue_id: int
    slot_ids: tuple[int, ...]
    days: tuple[str, ...]
    voucher_codes: tuple[str, ...]

    def values(self, operation: str) -> dict[tuple[str, str], tuple[Any, ...]]:
        """(container, name): real values for that parameter or body field of `operation`.
        Cancelling has bookings of its own, so that the others still find active ones."""
        cancelling = operation.endswith("/cancel")
        vouchers = self.voucher_codes[:2] if cancelling else self.voucher_codes[2:]
        return {
            ("body", "programme_id"): (self.programme_id,),
            ("query", "programme"): (self.programme_id,),
            ("body", "venue_id"): (self.venue_id,),
            ("path_parameters", "venue_id"): (self.venue_id,),
            ("body", "slot_id"): self.slot_ids,
            ("query", "date"): self.days,
            ("body", "day"): self.days,
            ("path_parameters", "voucher_code"): vouchers,
            ("body", "date_of_birth"): (BORN.isoformat(),),
        }


@pytest.fixture
def known(alpha_committed: Tenant) -> Iterator[Known]:
    """A public programme at an approved venue with slots over the next days (one with a
    single seat), and four people booked (whose voucher codes and date of birth the fuzzer may
    use). The e-vouchers of the bookings made stay in the outbox (no relay listens here)."""
    with tenant_scope(alpha_committed):
        programme, venue = a_programme(), a_venue()
        slots = [
            a_slot(
                venue=venue, programme=programme, starts_in=dt.timedelta(hours=hours), capacity=cap
            )
            for hours, cap in ((48, 500), (72, 500), (73, 1))
        ]
        vouchers = tuple(
            place.booking_place(
                programme_id=programme.id,
                slot_id=slots[0].id,
                dose=1,
                person=a_person(email="", date_of_birth=BORN),
            ).voucher_code
            for _ in range(4)
        )
    zone = ZoneInfo(venue.time_zone)
    days = sorted({slot.starts_at.astimezone(zone).date().isoformat() for slot in slots})
    _forget_limits(alpha_committed)
    yield Known(programme.id, venue.id, tuple(slot.id for slot in slots), tuple(days), vouchers)
    _forget_limits(alpha_committed)


# The client addresses of the requests: the WSGI test client's and Schemathesis' ASGI client's.
ADDRESSES = ("127.0.0.1", "testclient")


def _forget_limits(tenant: Tenant) -> None:
    """The counts of wrong dates of birth and refused eligibility per client address (an hour,
    15 minutes): the fuzzer's many wrong tries must not make other tests' tries a 429."""
    from organizers.services.eligibility import proof_limits
    from organizers.services.eligibility.attempts import refusals_key

    with tenant_scope(tenant):
        keys = [proof_limits._keys("", address)[1] for address in ADDRESSES]
    keys += [refusals_key(address, tenant.uid) for address in ADDRESSES]
    caches["global"].delete_many(keys)


# People whose NIK fits their date of birth and sex, a new one for each booking (a serial each:
# Hypothesis would draw the same few serials, and the same person is booked once).
_SERIALS = itertools.count(1)


def _fitting_person() -> dict[str, str]:
    return {
        "nik": nik_compose(BORN, sex="F", serial=next(_SERIALS)),
        "date_of_birth": BORN.isoformat(),
        "sex": "F",
        "full_name": "Siti Aminah",
        "phone": "+6281234567890",
    }


# What a first-dose booking (or waitlist place) that may succeed sends besides the person.
_FIRST_DOSE = {"dose": 1, "invite_token": "", "reserve_next_dose": False}


def _steered(known: Known) -> Callable:
    """The schema's `flatmap_case` hook: in each draw, every parameter or body field with real
    values keeps what Schemathesis generated or takes one of them, and a booking's (or a
    waitlist place's) person may become one whose NIK fits. Valid cases only: what makes an
    invalid one invalid stays as Schemathesis made it."""

    def flatmap_case(context: Any, case: Any) -> st.SearchStrategy:
        if case.meta is None or case.meta.generation.mode is not GenerationMode.POSITIVE:
            return st.just(case)  # an invalid case stays as Schemathesis made it invalid
        generated = {name: getattr(case, name) for name in ("path_parameters", "query", "body")}
        choices: dict[tuple[str, str], st.SearchStrategy] = {}
        for (container, name), real in known.values(case.operation.label).items():
            fields = generated[container]
            if isinstance(fields, dict) and name in fields:
                choices[(container, name)] = st.sampled_from((fields[name], *real))
        valid: st.SearchStrategy = st.none()
        body = generated["body"]
        if isinstance(body, dict) and "nik" in body:
            # Half the time, the whole of a request that may succeed (its other fields as
            # generated): a fitting person, real ids and days, a first dose.
            real = {
                name: st.sampled_from(values)
                for (where, name), values in known.values(case.operation.label).items()
                if where == "body" and name in body
            }
            first_dose = {
                name: st.just(value) for name, value in _FIRST_DOSE.items() if name in body
            }
            valid = st.none() | st.builds(
                lambda fields: {**fields, **_fitting_person()},
                st.fixed_dictionaries({**real, **first_dose}),
            )

        def apply(drawn: tuple[dict, dict | None]) -> Any:
            chosen, fits = drawn
            for container, fields in generated.items():
                mine = {
                    name: value for (where, name), value in chosen.items() if where == container
                }
                if mine:
                    setattr(case, container, {**fields, **mine})
            if fits is not None:
                case.body = {**case.body, **fits}
            return case

        return st.tuples(st.fixed_dictionaries(choices), valid).map(apply)

    return flatmap_case


def _schema(app: Any, known: Known, load: Callable) -> Any:
    schema = load(SCHEMA_PATH, app, headers={"Host": HOST})
    if SEED is not None:
        schema.config.seed = int(SEED)
    schema.hook(_steered(known))
    return schema


@pytest.fixture
def django_schema(known: Known) -> Any:
    """The schema as Django serves it, requests sent to Django alone (WSGI, in this thread)."""
    with override_settings(SLOT_LIST_CACHE_SECONDS=0):
        yield _schema(get_wsgi_application(), known, schemathesis.openapi.from_wsgi)


@dataclass
class HotRequests:
    """The requests to the hot routes (api.hot) sent to the application, and those of them
    that reached Django behind the front."""

    sent: int = 0
    to_django: int = 0

    def counting(self, app: Any, attribute: str) -> Callable:
        async def counted(scope: dict, receive: Callable, send: Callable) -> None:
            if scope["type"] == "http" and hot.hot_route(scope["method"], scope["path"]):
                setattr(self, attribute, getattr(self, attribute) + 1)
            await app(scope, receive, send)

        return counted


@pytest.fixture
def front_schema(known: Known) -> Iterator[Any]:
    """The schema as production serves it, requests sent to config.asgi's application built
    anew: the rush front (which answers the hot routes once it knows the host) with Django
    behind it in its thread pool. The front must have answered some of them itself: else
    this would only fuzz Django a second time."""
    from api.front.application import RushFront
    from config.wsgi_bridge import WSGIBridge

    hot_requests = HotRequests()
    with override_settings(TENANT_HOST_CACHE_SECONDS=30, SLOT_LIST_CACHE_SECONDS=0):
        bridge = WSGIBridge(get_wsgi_application(), threads=1)
        front = RushFront(hot_requests.counting(bridge, "to_django"), connections_per_process=2)
        try:
            yield _schema(
                hot_requests.counting(front, "sent"), known, schemathesis.openapi.from_asgi
            )
        finally:
            schemathesis_asgi.shutdown_lifespans()  # closes the front's connections
            bridge.executor.submit(connections.close_all).result()
            bridge.executor.shutdown()
    assert hot_requests.sent > hot_requests.to_django, hot_requests


# Every check Schemathesis has for an answer but one: "a request the schema allows is
# accepted". A schema cannot carry the rules of a person (a NIK's region, birthday and sex
# agreeing with the other fields, a date of birth not in the future, an Indonesian phone number,
# no control characters in a name): such a body is a documented 400 `invalid`.
NOT_JUDGED = [positive_data_acceptance]

django_api = schemathesis.pytest.from_fixture("django_schema")
front_api = schemathesis.pytest.from_fixture("front_schema")


@django_api.parametrize()
@FUZZ
def test_django_answers_as_its_schema_says(case: Any) -> None:
    case.call_and_validate(base_url=BASE_URL, excluded_checks=NOT_JUDGED)


@front_api.parametrize()
@FUZZ
def test_the_served_application_answers_as_its_schema_says(case: Any) -> None:
    case.call_and_validate(base_url=BASE_URL, excluded_checks=NOT_JUDGED)


def served_schemas(urlconf: str) -> list[str]:
    """The routes of a URLconf that serve an OpenAPI schema (drf-spectacular's view)."""

    def walk(patterns: list, prefix: str) -> Iterator[str]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                view = getattr(pattern.callback, "view_class", None)
                if view is not None and issubclass(view, SpectacularAPIView):
                    yield prefix + str(pattern.pattern)

    return list(walk(get_resolver(urlconf).url_patterns, "/"))


# The schemas fuzzed above, by URLconf.
FUZZED = {"config.urls_tenant": [SCHEMA_PATH.partition("?")[0]], "config.urls_public": []}


@pytest.mark.parametrize("urlconf", sorted(FUZZED))
def test_every_schema_served_is_fuzzed(urlconf: str) -> None:
    """A schema a URLconf starts serving (the root domain's billing webhooks, a directory) fails
    this until the fuzzing above covers it."""
    assert served_schemas(urlconf) == FUZZED[urlconf]
