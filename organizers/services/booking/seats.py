"""Seats: the only code that changes Slot counters, and the checks made before taking one.
Tenant schema.

Remaining capacity is decided by PostgreSQL in one guarded UPDATE per seat (the row lock and
the WHERE clause together make "is there a seat?" and "take it" one atomic step); the CHECK
constraints on Slot are the backstop. Nothing reads a counter in Python and writes it back.
The callers (booking.engine, booking.changes, booking.doses, waitlist.offers) run these inside
their transaction: on any refusal nothing is written.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.db import connection

from organizers import bookability
from organizers.models import Programme, Slot
from organizers.services.booking.refusals import refusal_error
from tenants.context import require_current_tenant
from tenants.errors import ApplicationError

# --- Seats: the only code that changes Slot counters -----------------------------------------


def take_seat(*, slot_id: int, dose: int, now: dt.datetime, ignore_window: bool = False) -> bool:
    """One guarded UPDATE: a seat is taken only if one is left (overall and for the dose) and,
    unless reserving a later dose, the booking window is open."""
    # The rule's own conditions (organizers.bookability); a reservation skips the window but
    # not the organiser's closing of the slot.
    window = "NOT s.is_closed" if ignore_window else f"({bookability.SQL_WINDOW_OPEN})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE organizers_slot s
               SET booked = s.booked + 1, booked_dose{dose} = s.booked_dose{dose} + 1
             WHERE s.id = %(slot_id)s AND {window}
               AND ({bookability.sql_seat_left_for_dose(dose)})
            """,  # noqa: S608 - dose is an int from Dose choices, never user text
            {"slot_id": slot_id, "now": now},
        )
        return cursor.rowcount == 1


def free_seat(*, slot_id: int, dose: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE organizers_slot
               SET booked = booked - 1, booked_dose{dose} = booked_dose{dose} - 1
             WHERE id = %s AND booked > 0 AND booked_dose{dose} > 0
            """,  # noqa: S608 - dose is an int from Dose choices
            [slot_id],
        )
        if cursor.rowcount != 1:  # a counter out of step with its bookings: stop, roll back
            raise RuntimeError(f"slot {slot_id}: no seat to free for dose {dose}")


def lock_slots_in_order(*slot_ids: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM organizers_slot WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
            [sorted(set(slot_ids))],
        )


# --- Refusals: one wording each, whichever path refuses (organizers.services.booking.refusals)


_REFUSAL_SQL = """
SELECT {refusal}::text
  FROM (SELECT 1) AS one
  LEFT JOIN organizers_programme p ON p.id = %(programme_id)s
  LEFT JOIN organizers_slot s ON s.id = %(slot_id)s
  LEFT JOIN organizers_venue v ON v.id = s.venue_id
"""


@functools.cache
def refusal_statement(dose: int) -> str:
    """Why the booking statement (booking.engine.booking_statement) took no seat, in one read:
    the first reason in the order the checks of the full path give them (programme, dose, slot,
    venue, past, window, full), or NULL when none holds any more (a seat was freed meanwhile).
    Its parameters are the booking statement's (slot_id, programme_id, dose, now). The reasons
    are the booking statement's own conditions (organizers.bookability), negated in turn."""
    return _REFUSAL_SQL.format(refusal=bookability.sql_refusal_case(int(dose)))


def refusal_for_failed_take(*, slot_id: int, dose: int, now: dt.datetime) -> ApplicationError:
    """Why the guarded UPDATE took no seat: the window or the seats, by the rule's conditions
    (organizers.bookability); full when a seat was freed since."""
    conditions = tuple(
        (code, condition)
        for code, condition in bookability.slot_conditions(programme_id=None, now=now, dose=dose)
        if code in ("window_closed", "slot_full")
    )
    _slot, why = bookability.first_failing(Slot.objects.filter(id=slot_id), conditions)
    return refusal_error(why or "slot_full")


# --- Checks -------------------------------------------------------------------------------

# What the full path checks before the dose rules; the window and the seats are decided by the
# guarded UPDATE (take_seat) after them.
_SLOT_CHECKS = ("slot_not_found", "venue_not_bookable", "slot_in_past")


def tenant_takes_bookings_check() -> None:
    if not require_current_tenant().takes_bookings:
        raise refusal_error("organizer_not_approved")


def bookable_slot(*, slot_id: int, programme: Programme, now: dt.datetime) -> Slot:
    """The slot, if it belongs to `programme`, its venue takes bookings and it is ahead (the
    rule's conditions, organizers.bookability); otherwise the first refusal."""
    conditions = tuple(
        (code, condition)
        for code, condition in bookability.slot_conditions(
            programme_id=programme.id, now=now, dose=None
        )
        if code in _SLOT_CHECKS
    )
    slot, why = bookability.first_failing(
        Slot.objects.select_related("venue").filter(id=slot_id), conditions
    )
    if slot is None:
        raise refusal_error("slot_not_found")
    if why is not None:
        raise refusal_error(why)
    return slot


def programme_for_booking(*, programme_id: int, dose: int) -> Programme:
    tenant_takes_bookings_check()
    programme, why = bookability.first_failing(
        Programme.objects.filter(id=programme_id), bookability.programme_conditions(dose=dose)
    )
    if programme is None:
        raise refusal_error("programme_not_found")
    if why is not None:
        raise refusal_error(why)
    return programme
