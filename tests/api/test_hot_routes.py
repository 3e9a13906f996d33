"""The two opening-hour endpoints (api.hot) through Django: plain DRF views that set no
cookie, keep the security headers, the language of the cookie and the HTTPS redirect; a day's
slot list kept per tenant for its few seconds within a byte budget; a deadlock is a 503 to
retry. (Moved from the rush lane's tests when the lane, a middleware, was removed.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import override_settings

from tests.api.conftest import Setup
from tests.conftest import OrganizerFixture, host_client

SECURITY_HEADERS = ("X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options")


def _slots_path(api: Setup) -> str:
    day = api.slot.starts_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    return f"/api/v1/venues/{api.venue.id}/slots?date={day.isoformat()}"


def test_the_hot_routes_are_the_apis_own_urls() -> None:
    from django.urls import reverse

    from api import hot

    assert reverse("v1:bookings", urlconf="config.urls_tenant") == hot.BOOKINGS_PATH
    slots = reverse("v1:venue-slots", kwargs={"venue_id": 42}, urlconf="config.urls_tenant")
    assert hot.hot_route("GET", slots) == ("venue_slots", 42)
    assert hot.hot_route("POST", hot.BOOKINGS_PATH) == ("bookings", None)
    assert hot.hot_route("PUT", hot.BOOKINGS_PATH) is None
    assert hot.hot_route("GET", "/api/v1/venues/42/slots/") is None


def test_a_booking_sets_no_cookie_and_keeps_the_security_headers(api: Setup) -> None:
    booked = api.book()
    listed = api.client.get(_slots_path(api))
    full_stack = api.client.get("/api/v1/programmes")  # not a hot route

    assert booked.status_code == 201
    assert listed.status_code == 200
    assert listed.json()[0]["remaining"] == 1
    for response in (booked, listed, full_stack):
        for header in SECURITY_HEADERS:
            assert response.headers[header] == full_stack.headers[header]
        assert response.headers["Content-Language"] == "id"
        assert "Cookie" in response.headers["Vary"]
    assert not booked.cookies  # no session, no CSRF cookie
    assert api.counters() == (1, 1)


def test_the_language_cookie_is_honoured(api: Setup) -> None:
    api.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    refused = api.book(nik="123")
    api.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"
    refused_id = api.book(nik="123")

    assert refused.status_code == refused_id.status_code == 400
    assert refused.headers["Content-Language"] == "en"
    assert refused.json()["error"]["fields"]["nik"] != refused_id.json()["error"]["fields"]["nik"]
    assert api.counters() == (0, 0)


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_redirected_to_https_as_elsewhere(api: Setup) -> None:
    response = api.book()

    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")
    assert api.counters() == (0, 0)


@pytest.mark.parametrize("method", ["put", "delete"])
def test_other_methods_take_the_full_stack_and_get_405(api: Setup, method: str) -> None:
    response = getattr(api.client, method)("/api/v1/bookings")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_a_day_at_the_end_of_the_calendar_is_an_empty_list_not_an_error(api: Setup) -> None:
    response = api.client.get(f"/api/v1/venues/{api.venue.id}/slots?date=9999-12-31")

    assert response.status_code == 200
    assert response.json() == []


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The slot pages' clock, moved by hand."""
    from api import hot
    from common.process_cache import ProcessCache

    now = [1000.0]
    pages = ProcessCache(max_size=1000, size_of=len, timer=lambda: now[0])
    monkeypatch.setattr(hot, "SLOT_PAGES", pages)
    return now


@override_settings(SLOT_LIST_CACHE_SECONDS=60)
def test_a_days_list_is_kept_per_tenant_for_its_few_seconds(
    api: Setup,
    tenant_b: OrganizerFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from api import hot
    from common.process_cache import ProcessCache

    now = [1000.0]
    monkeypatch.setattr(
        hot, "SLOT_PAGES", ProcessCache(max_size=10**6, size_of=len, timer=lambda: now[0])
    )
    first = api.client.get(_slots_path(api))
    api.book()
    with CaptureQueriesContext(connection) as queries:
        cached = api.client.get(_slots_path(api))
    assert not [q for q in queries.captured_queries if "organizers_" in q["sql"]]
    other_tenant = host_client(tenant_b.host).get(_slots_path(api))
    now[0] += 61
    fresh = api.client.get(_slots_path(api))

    assert first.json()[0]["remaining"] == cached.json()[0]["remaining"] == 2
    assert other_tenant.status_code == 404  # alpha's cached day is not beta's
    assert fresh.json()[0]["remaining"] == 1


def test_the_kept_days_stay_within_their_byte_budget(clock: list[float]) -> None:
    from api import hot

    day = dt.date(2030, 1, 1)
    with override_settings(SLOT_LIST_CACHE_SECONDS=1):
        hot.slot_page_keep(("a", 1, day, None), b"x" * 400)
    with override_settings(SLOT_LIST_CACHE_SECONDS=60):
        hot.slot_page_keep(("a", 2, day, None), b"x" * 400)
        clock[0] += 2  # the first has expired
        hot.slot_page_keep(("a", 3, day, None), b"x" * 400)
        hot.slot_page_keep(("a", 4, day, None), b"x" * 400)

    kept = [venue for venue in (1, 2, 3, 4) if hot.slot_page_known(("a", venue, day, None))]
    assert kept == [3, 4]  # the expired one first, then the oldest


def test_a_deadlock_is_a_503_to_retry_and_books_nothing(
    api: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    from organizers.services.booking import place

    class DeadlockError(Exception):
        sqlstate = "40P01"

    def collide(**kwargs: object) -> None:
        raise OperationalError("deadlock detected") from DeadlockError()

    monkeypatch.setattr(place, "booking_place", collide)

    response = api.book()

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert response.json()["error"]["code"] == "try_again"
    assert api.counters() == (0, 0)
