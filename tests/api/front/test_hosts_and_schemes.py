"""The Host header, the proxy's headers and the tenant: the front answers a host, a scheme and an
organiser's slot exactly as Django would, and never books across tenants."""

from __future__ import annotations

import pytest
from django.test import override_settings

from organizers.models import Booking
from tenants.context import tenant_scope
from tenants.models import Tenant
from tests.api.front.conftest import BETA, Harness, assert_same_answer, django_rebuilt
from tests.organizers.factories import a_programme, a_slot, a_venue


def test_plain_http_still_redirects_to_https(harness: Harness) -> None:
    harness.warm()
    # Django's middleware reads the setting when it is built: build it again.
    with override_settings(SECURE_SSL_REDIRECT=True), django_rebuilt(harness):
        redirected = harness.book(7)
        secure = harness.book(8, scheme="https")

    assert redirected.status == 301
    assert redirected.headers["location"].startswith("https://")
    assert secure.status == 201
    assert len(harness.django.seen) == 2  # the warm-up and the redirect; the front booked
    assert harness.counters() == (2, 2)


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


@pytest.mark.parametrize(
    "host", ["alpha.localhost:evil", "alpha.localhost:", "alpha.localhost:1:2"]
)
def test_a_host_django_would_refuse_is_not_booked_by_the_front(harness: Harness, host: str) -> None:
    harness.warm()
    answer = harness.book(70, host=host)

    assert answer.status != 201
    assert harness.counters() == (1, 1)


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
    harness.warm()
    forwarded = (b"x-forwarded-for", b"203.0.113.7, 10.0.0.1")
    headers = (forwarded,) if proto is None else (forwarded, (b"x-forwarded-proto", proto.encode()))
    with (
        override_settings(
            SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
        ),
        django_rebuilt(harness),  # built with the settings
    ):
        front_answer = harness.book(90, headers=headers, scheme=scheme)
        django_answer = harness.book(91, headers=headers, scheme=scheme, app=harness.django)

    assert front_answer.status == django_answer.status == status
    if status == 201:
        assert_same_answer(front_answer, django_answer)
        assert len(harness.django.seen) == 2  # the warm-up and Django's own
    else:
        assert front_answer.headers["location"] == django_answer.headers["location"]
    booked = 1 + 2 * (status == 201)
    assert harness.counters() == (booked, booked)


def test_a_host_in_capitals_is_the_same_organiser_on_both_paths(harness: Harness) -> None:
    """Host names are case-insensitive (RFC 4343): ALPHA.localhost books with alpha."""
    harness.warm()

    front_answer = harness.book(60, host="ALPHA.localhost")
    django_answer = harness.book(61, host="Alpha.Localhost", app=harness.django)

    assert (front_answer.status, django_answer.status) == (201, 201)
    assert harness.counters() == (3, 3)
