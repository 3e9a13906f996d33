"""A seat the front's statement did not get is refused as the full path refuses it (the same
error, the same words, in the person's language); what it cannot decide goes to the full path."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from api.front import database as front_database
from organizers.models import Slot
from organizers.services.booking import seats
from tenants.context import tenant_scope
from tests.api.front.conftest import SAME_HEADERS, Harness


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
    for name in SAME_HEADERS:
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
    original, asked = front_database.FrontDatabase._fetch_one, []
    refusal = seats.refusal_statement(1)

    async def seat_freed_meanwhile(conn: Any, statement: str, params: dict) -> tuple | None:
        if statement == refusal:  # the organiser adds a seat (or someone cancels) meanwhile
            asked.append(statement)
            freed = "UPDATE organizers_slot SET capacity = 2 WHERE id = %(id)s RETURNING id"
            assert await original(conn, freed, {"id": harness.slot.id})
        return await original(conn, statement, params)

    monkeypatch.setattr(
        front_database.FrontDatabase, "_fetch_one", staticmethod(seat_freed_meanwhile)
    )
    answer = harness.book(24)

    assert asked == [refusal]
    assert answer.status == 201  # the full path tried again, and got the freed seat
    assert len(harness.django.seen) == 2
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


def test_a_suspended_organiser_is_refused_by_the_full_path_even_once_learnt(
    harness: Harness, committed: Callable[[Callable], None]
) -> None:
    """The front books only for an organiser that takes bookings (Tenant.takes_bookings, as
    the full path): once suspended, every booking goes to Django, which refuses it."""
    from tenants.middleware import _HOST_CACHE
    from tenants.models import Tenant

    harness.warm()  # the front has learnt the host and the programme
    Tenant.objects.filter(pk=harness.tenant.pk).update(review_status="suspended")
    committed(lambda: Tenant.objects.filter(pk=harness.tenant.pk).update(review_status="approved"))
    _HOST_CACHE.clear()  # as after TENANT_HOST_CACHE_SECONDS
    seen = len(harness.django.seen)

    first, second = harness.book(1), harness.book(2)

    assert first.status == second.status == 409
    assert first.json()["error"]["code"] == "organizer_not_approved"
    assert first.body == second.body
    assert len(harness.django.seen) == seen + 2  # neither answered by the front
    assert harness.counters() == (1, 1)  # the warm-up's booking only
