"""The rush lane (api.middleware): the two opening-hour endpoints answer without the session,
auth and CSRF middleware, yet with the same security headers, the language of the cookie,
and the HTTPS redirect; everything else still takes the full stack."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import override_settings

from tests.api.conftest import Setup

SECURITY_HEADERS = ("X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options")


def _slots_path(api: Setup) -> str:
    day = api.slot.starts_at.astimezone(dt.timezone(dt.timedelta(hours=7))).date()
    return f"/api/v1/venues/{api.venue.id}/slots?date={day.isoformat()}"


def test_a_booking_in_the_lane_sets_no_cookie_and_keeps_the_security_headers(api: Setup) -> None:
    booked = api.book()
    listed = api.client.get(_slots_path(api))
    full_stack = api.client.get("/api/v1/programmes")  # not in the lane

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


def test_the_language_cookie_is_honoured_in_the_lane(api: Setup) -> None:
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
