"""Cancelling and moving a booking through the API follows the services' rules: a move stays
at the booking's venue, and nothing is cancelled or moved once its arrival time has begun. A
refusal is a 409 with its code and message, and changes nothing (seats, the booking, messages)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext

from organizers.models import Booking, Message, Slot
from tenants.context import tenant_scope
from tests.api.conftest import PERSON, Setup
from tests.organizers.factories import a_slot, a_venue

OTHER_VENUE = (
    "A booking can move to another time at the same venue. To change venue, cancel it and "
    "book again."
)
TIME_PASSED = "The arrival time of this booking has passed: it can no longer be cancelled or moved."
PROOF = {"date_of_birth": PERSON["date_of_birth"]}


def _indonesian(message: str) -> str:
    with translation.override("id"):
        return gettext(message)


def _state(api: Setup, *slots: Slot) -> tuple[object, ...]:
    """What a refusal must leave as it was: each slot's seats, the booking rows, the messages."""
    with tenant_scope(api.tenant.tenant):
        seats = tuple(Slot.objects.get(id=slot.id).booked for slot in slots)
        rows = tuple(Booking.objects.order_by("id").values_list("id", "slot_id", "status"))
        return seats, rows, Message.objects.count()


def _start_passed(api: Setup) -> None:
    """The booked slot's time begins: moved to a minute ago (as the clock would)."""
    with tenant_scope(api.tenant.tenant):
        starts = timezone.now() - dt.timedelta(minutes=1)
        Slot.objects.filter(id=api.slot.id).update(
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=30),
            booking_closes_at=starts - dt.timedelta(hours=1),
        )


def test_a_move_to_another_venue_is_refused_and_changes_nothing(api: Setup) -> None:
    code = api.book().json()["voucher_code"]
    with tenant_scope(api.tenant.tenant):
        elsewhere = a_slot(venue=a_venue(name="Puskesmas Lain"), programme=api.programme)
    before = _state(api, api.slot, elsewhere)

    response = api.post(f"bookings/{code}/reschedule", {**PROOF, "slot_id": elsewhere.id})

    assert response.status_code == 409
    assert response.json() == {
        "error": {"code": "other_venue", "message": _indonesian(OTHER_VENUE)}
    }
    assert _indonesian(OTHER_VENUE) != OTHER_VENUE  # translated
    assert _state(api, api.slot, elsewhere) == before


def test_a_move_at_the_same_venue_still_works(api: Setup) -> None:
    code = api.book().json()["voucher_code"]
    with tenant_scope(api.tenant.tenant):
        later = a_slot(venue=api.venue, programme=api.programme, starts_in=dt.timedelta(days=3))

    response = api.post(f"bookings/{code}/reschedule", {**PROOF, "slot_id": later.id})

    assert response.status_code == 200
    assert response.json()["slot"]["id"] == later.id
    assert _state(api, api.slot, later)[0] == (0, 1)


def test_a_booking_whose_time_has_begun_cannot_be_cancelled(api: Setup) -> None:
    code = api.book().json()["voucher_code"]
    _start_passed(api)
    before = _state(api, api.slot)

    api.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the English switch

    response = api.post(f"bookings/{code}/cancel", PROOF)

    assert response.status_code == 409
    assert response.json() == {"error": {"code": "booking_time_passed", "message": TIME_PASSED}}
    assert _state(api, api.slot) == before
    assert before[0] == (1,)


def test_a_booking_whose_time_has_begun_cannot_be_moved(api: Setup) -> None:
    code = api.book().json()["voucher_code"]
    with tenant_scope(api.tenant.tenant):
        later = a_slot(venue=api.venue, programme=api.programme, starts_in=dt.timedelta(days=3))
    _start_passed(api)
    before = _state(api, api.slot, later)

    response = api.post(f"bookings/{code}/reschedule", {**PROOF, "slot_id": later.id})

    assert response.status_code == 409
    assert response.json() == {
        "error": {"code": "booking_time_passed", "message": _indonesian(TIME_PASSED)}
    }
    assert _state(api, api.slot, later) == before
