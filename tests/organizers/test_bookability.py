"""Is this slot bookable? Every encoding of the rule gives the same answer on every slot state.

A slot is built in each state (bookable; programme inactive; dose not offered; another
programme's slot; venue pending or suspended; started; long past; window not yet open; window
closed; closed by the organiser; full; full for dose 1 or dose 2 only; on a blackout day), and
for each the test asks:

- the booking statement (does it take a seat? then rolled back),
- the refusal query (which reason?),
- the full path's Python checks (programme, slot, guarded UPDATE, and why it failed),
- the ORM expression (slot_bookable_q) and its ordered conditions (which one fails first?),
- the selectors the pages read (the day's slots for the dose; the chosen slot),
- the day list's SQL and the API's day list (`bookable` and `remaining_by_dose`),
- the waitlist (is a seat freed in this slot offered to someone waiting?),

and each must give the table's answer: bookable, or the same refusal code.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format

from organizers import bookability
from organizers.db import fetch_one_prepared
from organizers.models import BlackoutDay, Booking, Programme, Slot, Venue
from organizers.selectors import slot_day_json, slot_get_bookable, slot_list_bookable_for_day
from organizers.services.booking import engine, rows, seats
from organizers.services.waitlist import offers
from tenants.context import tenant_scope
from tenants.errors import ApplicationError
from tests.conftest import OrganizerFixture, host_client
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue

HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class State:
    name: str
    dose: int
    refusal: str | None  # None: bookable for this dose
    bookable_any_dose: bool  # the day list's `bookable`: takes bookings, a seat left overall
    build: Callable[[Programme, Venue, dt.datetime], tuple[Programme, Slot]]


def _slot(**fields: object) -> Callable[[Programme, Venue, dt.datetime], tuple[Programme, Slot]]:
    """A slot of the programme asked about, two days ahead unless `fields` say otherwise."""

    def build(programme: Programme, venue: Venue, now: dt.datetime) -> tuple[Programme, Slot]:
        return programme, a_slot(venue=venue, programme=programme, **fields)

    return build


def _programme(**fields: object) -> Callable[..., tuple[Programme, Slot]]:
    def build(programme: Programme, venue: Venue, now: dt.datetime) -> tuple[Programme, Slot]:
        Programme.objects.filter(id=programme.id).update(**fields)
        return programme, a_slot(venue=venue, programme=programme)

    return build


def _venue(status: str) -> Callable[..., tuple[Programme, Slot]]:
    def build(programme: Programme, venue: Venue, now: dt.datetime) -> tuple[Programme, Slot]:
        Venue.objects.filter(id=venue.id).update(status=status)
        return programme, a_slot(venue=venue, programme=programme)

    return build


def _another_programmes_slot(
    programme: Programme, venue: Venue, now: dt.datetime
) -> tuple[Programme, Slot]:
    return programme, a_slot(venue=venue, programme=a_programme(name="Program Lain"))


def _started(programme: Programme, venue: Venue, now: dt.datetime) -> tuple[Programme, Slot]:
    # Begun a minute ago, its window still open: the case the API's flag used to call bookable.
    return programme, a_slot(
        venue=venue,
        programme=programme,
        starts_in=-dt.timedelta(minutes=1),
        booking_closes_at=now + HOUR,
    )


def _on_a_blackout_day(
    programme: Programme, venue: Venue, now: dt.datetime
) -> tuple[Programme, Slot]:
    slot = a_slot(venue=venue, programme=programme)
    BlackoutDay.objects.create(
        venue=venue, day=slot.starts_at.astimezone(ZoneInfo(venue.time_zone)).date()
    )
    return programme, slot


SPLIT = {"capacity": 10, "capacity_dose1": 4, "capacity_dose2": 4}

STATES = [
    State("bookable", 1, None, True, _slot()),
    State("bookable for dose 2", 2, None, True, _slot(**SPLIT)),
    State("programme inactive", 1, "programme_not_found", False, _programme(is_active=False)),
    State("dose not offered", 2, "dose_not_offered", True, _programme(doses=[1])),
    State("another programme's slot", 1, "slot_not_found", False, _another_programmes_slot),
    State("venue pending", 1, "venue_not_bookable", False, _venue("pending")),
    State("venue suspended", 1, "venue_not_bookable", False, _venue("suspended")),
    State("started, window open", 1, "slot_in_past", False, _started),
    State("long past", 1, "slot_in_past", False, _slot(starts_in=-dt.timedelta(days=2))),
    State(
        "window not yet open",
        1,
        "window_closed",
        False,
        _slot(booking_opens_at=timezone.now() + dt.timedelta(days=1)),
    ),
    State("window closed", 1, "window_closed", False, _slot(starts_in=dt.timedelta(minutes=30))),
    State("closed by the organiser", 1, "window_closed", False, _slot(is_closed=True)),
    State("full", 1, "slot_full", False, _slot(capacity=2, booked=2, booked_dose1=2)),
    State("full for dose 1", 1, "slot_full", True, _slot(**SPLIT, booked=4, booked_dose1=4)),
    State(
        "dose 2 left when dose 1 is full", 2, None, True, _slot(**SPLIT, booked=4, booked_dose1=4)
    ),
    State("full for dose 2", 2, "slot_full", True, _slot(**SPLIT, booked=4, booked_dose2=4)),
    State("on a blackout day (generation skips it)", 1, None, True, _on_a_blackout_day),
]


@dataclass(frozen=True)
class Answers:
    statement: str | None
    refusal_query: str | None
    full_path: str | None
    orm_first_failing: str | None
    orm_dose: bool
    orm_any_dose: bool
    selector_day: bool
    selector_slot: bool
    day_list_sql: tuple[bool, bool]  # (bookable, bookable and a seat left for the dose)
    api: tuple[bool, bool]
    waitlist_offer: bool


# A seat freed in the slot goes to someone waiting when the rule holds but for its seats (the
# freed seat is still counted) and the slot's programme (the waitlist is the slot's own).
WAITLIST_OFFERED_DESPITE = {None, "slot_full", "slot_not_found"}


def _refused(run: Callable[[], object]) -> str | None:
    """None when `run` books (then rolled back), else the refusal code."""
    try:
        with transaction.atomic():
            booked = run()
            transaction.set_rollback(True)
    except ApplicationError as error:
        return str(error.code)
    return None if booked else "no seat"


def _full_path(*, programme_id: int, slot_id: int, dose: int, now: dt.datetime) -> bool:
    """The checks of booking_create's full path (dose rules aside), in its order."""
    programme = seats.programme_for_booking(programme_id=programme_id, dose=dose)
    slot = seats.bookable_slot(slot_id=slot_id, programme=programme, now=now)
    if not seats.take_seat(slot_id=slot.id, dose=dose, now=now):
        raise seats.refusal_for_failed_take(slot_id=slot.id, dose=dose, now=now)
    return True


def _in_day_list(body: str | None, *, slot_id: int, dose: int) -> tuple[bool, bool]:
    entries = {entry["id"]: entry for entry in json.loads(body or "[]")}
    entry = entries.get(slot_id)
    if entry is None:  # not listed (another programme's slot; a venue without bookings)
        return False, False
    # A client may book the dose when the slot is bookable and the dose has a seat left.
    return entry["bookable"], entry["bookable"] and entry["remaining_by_dose"][str(dose)] > 0


def _answers(*, programme: Programme, slot: Slot, dose: int, now: dt.datetime) -> Answers:
    venue = Venue.objects.get(id=slot.venue_id)
    day = slot.starts_at.astimezone(ZoneInfo(venue.time_zone)).date()
    params = engine.booking_statement_params(
        programme_id=programme.id, slot_id=slot.id, dose=dose, person=a_person(), now=now
    )
    params["voucher"] = rows.voucher_code_new()

    def statement() -> bool:
        return fetch_one_prepared(engine.booking_statement(dose), params) is not None

    why = fetch_one_prepared(seats.refusal_statement(dose), params)
    conditions = bookability.slot_conditions(programme_id=programme.id, now=now, dose=dose)
    _row, first_failing = bookability.first_failing(Slot.objects.filter(id=slot.id), conditions)
    in_programme = Slot.objects.filter(id=slot.id)
    day_slots = slot_list_bookable_for_day(
        venue=venue, programme_id=programme.id, dose=dose, day=day, now=now
    )
    return Answers(
        statement=_refused(statement),
        refusal_query=why[0] if why else None,
        full_path=_refused(
            lambda: _full_path(programme_id=programme.id, slot_id=slot.id, dose=dose, now=now)
        ),
        orm_first_failing=first_failing,
        orm_dose=in_programme.filter(
            bookability.slot_bookable_q(programme_id=programme.id, now=now, dose=dose)
        ).exists(),
        orm_any_dose=in_programme.filter(
            bookability.slot_bookable_q(programme_id=programme.id, now=now)
        ).exists(),
        selector_day=slot.id in {each.id for each in day_slots},
        selector_slot=slot_get_bookable(slot_id=slot.id, programme_id=programme.id, now=now)
        is not None,
        day_list_sql=_in_day_list(
            slot_day_json(venue_id=venue.id, day=day, programme_id=programme.id, now=now),
            slot_id=slot.id,
            dose=dose,
        ),
        api=(False, False),  # asked afterwards, outside the tenant's schema (_api_answer)
        waitlist_offer=offers.offerable_slot(slot_id=slot.id, dose=dose, now=now) is not None,
    )


def _api_answer(tenant: OrganizerFixture, *, slot: Slot, day: dt.date, dose: int) -> tuple:
    """The API's day list, as a client asks for it (the request finds its own tenant)."""
    query = f"date={day}&programme={slot.programme_id}"
    response = host_client(tenant.host).get(f"/api/v1/venues/{slot.venue_id}/slots?{query}")
    assert response.status_code in (200, 404)  # 404: a venue that takes no bookings
    body = response.content.decode() if response.status_code == 200 else None
    return _in_day_list(body, slot_id=slot.id, dose=dose)


@pytest.mark.parametrize("state", STATES, ids=[state.name for state in STATES])
def test_every_encoding_gives_the_same_answer(tenant_a: OrganizerFixture, state: State) -> None:
    with tenant_scope(tenant_a.tenant):
        now = timezone.now()
        programme, slot = state.build(a_programme(), a_venue(), now)
        counters = Slot.objects.values_list("booked", "booked_dose1", "booked_dose2").get(
            id=slot.id
        )
        answers = _answers(programme=programme, slot=slot, dose=state.dose, now=now)
        zone = ZoneInfo(Venue.objects.get(id=slot.venue_id).time_zone)
    asked = Slot(id=slot.id, programme_id=programme.id, venue_id=slot.venue_id)
    answers = replace(
        answers,
        api=_api_answer(
            tenant_a, slot=asked, day=slot.starts_at.astimezone(zone).date(), dose=state.dose
        ),
    )
    with tenant_scope(tenant_a.tenant):
        bookable = state.refusal is None
        listed = (state.bookable_any_dose, bookable)

        assert answers == Answers(
            statement=None if bookable else "no seat",
            refusal_query=state.refusal,
            full_path=state.refusal,
            orm_first_failing=state.refusal,
            orm_dose=bookable,
            orm_any_dose=state.bookable_any_dose,
            selector_day=bookable,
            selector_slot=state.bookable_any_dose,
            day_list_sql=listed,
            api=listed,
            waitlist_offer=state.refusal in WAITLIST_OFFERED_DESPITE,
        )
        # Nothing was written: every booking attempt above was rolled back.
        assert Booking.objects.count() == 0
        assert (
            Slot.objects.values_list("booked", "booked_dose1", "booked_dose2").get(id=slot.id)
            == counters
        )


def test_the_table_covers_every_refusal_of_the_rule() -> None:
    assert {state.refusal for state in STATES} - {None} == set(bookability.REFUSAL_ORDER)
    assert [code for code, _sql in bookability.sql_conditions(1)] == list(bookability.REFUSAL_ORDER)


def test_a_booster_only_programme_shows_its_seats_on_the_pages(tenant_a: OrganizerFixture) -> None:
    # The pages show seats before anyone says which dose they book: for the programme's first
    # dose, which the rule says must be one it offers (not always dose 1).
    with tenant_scope(tenant_a.tenant):
        programme, venue = a_programme(doses=[3]), a_venue()
        slot = a_slot(venue=venue, programme=programme, capacity=10, capacity_dose3=4)
        zone = ZoneInfo(venue.time_zone)
        day = slot.starts_at.astimezone(zone).date()
    client = host_client(tenant_a.host)

    venues = client.get(f"/daftar/{programme.id}/").content.decode()
    times = client.get(f"/daftar/{programme.id}/{venue.id}/{day.isoformat()}/").content.decode()

    assert venue.name in venues
    with translation.override("id"):
        assert date_format(day, "j F Y") in venues  # its next day with a seat is named
    assert f'value="{slot.id}"' in times
