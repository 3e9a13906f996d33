"""Inputs that once gave a server error (issue #11, item 9): each is now a 400 or a 404 with the
usual error body, on the API and on the pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from organizers.models import WaitlistEntry
from tenants.context import tenant_scope
from tests.api.conftest import PERSON, Setup
from tests.conftest import host_client


@pytest.mark.parametrize("language", [["id"], {"id": 1}, 5, True])
def test_a_language_that_is_not_a_string_is_a_field_error(api: Setup, language: object) -> None:
    response = api.book(language=language)

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["language"]
    assert api.counters() == (0, 0)


@pytest.mark.parametrize(
    "path", ["/daftar/tawaran/ab%00cd/", "/janji/masuk/ab%00cd/", "/undangan/ab%00cd/"]
)
def test_a_nul_byte_in_a_token_is_not_found(api: Setup, path: str) -> None:
    page = host_client(api.tenant.host).get(path)
    sent = host_client(api.tenant.host).post(path, {})

    assert page.status_code == 404
    assert sent.status_code in (403, 404)  # a POST without its CSRF token is refused first


def test_a_nul_byte_in_an_offer_token_is_not_found_on_the_api(api: Setup) -> None:
    response = api.post("waitlist/offers/ab%00cdefgh/accept", {})

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("days_ahead", "why"),
    [(None, "9999-12-31"), (400, "no arrival times that far ahead"), (-1, "in the past")],
)
def test_a_waitlist_day_that_can_never_have_a_seat_is_refused(
    api: Setup, days_ahead: int | None, why: str
) -> None:
    today = timezone.localdate()
    day = "9999-12-31" if days_ahead is None else str(today + dt.timedelta(days=days_ahead))
    body = {**PERSON, "programme_id": api.programme.id, "venue_id": api.venue.id, "dose": 1}

    response = api.post("waitlist", {**body, "day": day})

    assert response.status_code == 409, why
    assert response.json()["error"]["code"] == "no_times_that_day"
    with tenant_scope(api.tenant.tenant):
        assert not WaitlistEntry.objects.exists()  # nobody's data kept for a day without seats


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("day", "2026-W52-1"),
        ("day", "\uff12\uff10\uff12\uff17-\uff10\uff11-\uff10\uff15"),
        ("date_of_birth", "1958-W11-5"),
        ("full_name", "Siti \u202eAminah"),
        ("full_name", "Siti\x00Aminah"),
    ],
)
def test_waitlist_quirks_are_field_errors(api: Setup, field: str, value: str) -> None:
    body = {**PERSON, "programme_id": api.programme.id, "venue_id": api.venue.id, "dose": 1}
    body.setdefault("day", str(timezone.localdate()))

    response = api.post("waitlist", {**body, field: value})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
