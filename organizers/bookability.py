"""Is this slot bookable? The one rule, written once in each of the two dialects it runs in.

- SQL text, shared by the prepared statements that decide or explain a booking: the booking
  statement and the refusal query (organizers.services.booking: engine, seats), the day list
  (organizers.selectors.SLOT_DAY_SQL, whose `bookable` column is the API's flag) and the guarded
  seat UPDATE of the full path. The statements keep their own joins and indexes: only the
  conditions are shared, as text (aliases: s = organizers_slot, v = organizers_venue,
  p = organizers_programme; parameters %(now)s and %(dose)s).
- One ORM expression (slot_bookable_q) for the selectors the pages read, and the ordered
  conditions it is made of (slot_conditions) for the Python checks that must say why.

Each condition carries the refusal code it answers with, in the order the checks are made:
the first failing one is the refusal. tests/organizers/test_bookability.py builds a slot in
every state and proves that every encoding gives the same answer.

A blackout day is not part of the rule: slot generation skips it (organizers.services.slots),
and a slot an organiser keeps on such a day stays bookable until it is closed.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.db.models import BooleanField, ExpressionWrapper, F, Model, Q, QuerySet

from organizers.models import Venue

M = TypeVar("M", bound=Model)

# The refusal codes of the rule, in the order the checks are made (the first failing one is
# the refusal). Their wording: organizers.services.booking.refusals.
REFUSAL_ORDER = (
    "programme_not_found",
    "dose_not_offered",
    "slot_not_found",
    "venue_not_bookable",
    "slot_in_past",
    "window_closed",
    "slot_full",
)

# --- SQL ------------------------------------------------------------------------------------

SQL_PROGRAMME_ACTIVE = "p.is_active"


def sql_dose_offered(dose: str = "%(dose)s") -> str:
    """The programme offers the dose (an empty list: every dose); `dose` is SQL: the
    statement's parameter, or a literal where a statement speaks of each dose in turn."""
    return f"(cardinality(p.doses) = 0 OR {dose} = ANY(p.doses))"


SQL_SLOT_OF_PROGRAMME = "s.programme_id = p.id"
SQL_VENUE_APPROVED = f"v.status = '{Venue.Status.APPROVED.value}'"
SQL_SLOT_AHEAD = "s.starts_at > %(now)s"
SQL_WINDOW_OPEN = (
    "NOT s.is_closed AND s.booking_opens_at <= %(now)s AND s.booking_closes_at > %(now)s"
)
SQL_SEAT_LEFT = "s.booked < s.capacity"


def sql_seat_left_for_dose(dose: int) -> str:
    """A seat left overall and, where the slot splits its seats by dose, for `dose`."""
    n = int(dose)  # formatted into the text: an int, never user input
    return (
        f"{SQL_SEAT_LEFT} AND (s.capacity_dose{n} IS NULL OR s.booked_dose{n} < s.capacity_dose{n})"
    )


def sql_conditions(dose: int) -> tuple[tuple[str, str], ...]:
    """(refusal code, SQL condition) in REFUSAL_ORDER: what a booking of `dose` needs."""
    return (
        ("programme_not_found", SQL_PROGRAMME_ACTIVE),
        ("dose_not_offered", sql_dose_offered()),
        ("slot_not_found", SQL_SLOT_OF_PROGRAMME),
        ("venue_not_bookable", SQL_VENUE_APPROVED),
        ("slot_in_past", SQL_SLOT_AHEAD),
        ("window_closed", SQL_WINDOW_OPEN),
        ("slot_full", sql_seat_left_for_dose(dose)),
    )


def sql_bookable(dose: int) -> str:
    """The whole rule for `dose` as one condition (the booking statement's WHERE)."""
    return "\n       AND ".join(f"({condition})" for _code, condition in sql_conditions(dose))


def sql_refusal_case(dose: int) -> str:
    """The first condition that fails, as its refusal code (NULL when none does). A condition
    on a row the LEFT JOINs did not find is NULL, which counts as failing."""
    whens = "\n".join(
        f"         WHEN ({condition}) IS NOT TRUE THEN '{code}'"
        for code, condition in sql_conditions(dose)
    )
    return f"CASE\n{whens}\n       END"


# The slot takes bookings now, whatever the dose, and has a seat left overall: the day list's
# `bookable` (its `remaining_by_dose` says how many seats each dose has left).
SQL_SLOT_BOOKABLE_ANY_DOSE = " AND ".join(
    f"({condition})"
    for condition in (
        SQL_PROGRAMME_ACTIVE,
        SQL_VENUE_APPROVED,
        SQL_SLOT_AHEAD,
        SQL_WINDOW_OPEN,
        SQL_SEAT_LEFT,
    )
)

# --- ORM ------------------------------------------------------------------------------------


def _dose_offered_q(dose: int, *, programme: str) -> Q:
    return Q(**{f"{programme}doses__len": 0}) | Q(**{f"{programme}doses__contains": [dose]})


def _seat_left_q(dose: int | None) -> Q:
    seat = Q(booked__lt=F("capacity"))
    if dose is None:
        return seat
    return seat & (
        Q(**{f"capacity_dose{dose}__isnull": True})
        | Q(**{f"booked_dose{dose}__lt": F(f"capacity_dose{dose}")})
    )


def programme_conditions(*, dose: int | None) -> tuple[tuple[str, Q], ...]:
    """The programme's part of the rule, on a Programme queryset."""
    conditions = [("programme_not_found", Q(is_active=True))]
    if dose is not None:
        conditions.append(("dose_not_offered", _dose_offered_q(dose, programme="")))
    return tuple(conditions)


def slot_conditions(
    *, programme_id: int | None, now: dt.datetime, dose: int | None, seat: bool = True
) -> tuple[tuple[str, Q], ...]:
    """(refusal code, condition on a Slot queryset) in REFUSAL_ORDER. Without a dose: whether
    the slot takes bookings of any dose the programme offers, and a seat is left overall.
    Without `seat`: whether it takes bookings at all, full or not. Without a programme: of
    whichever programme the slot is."""
    conditions = [("programme_not_found", Q(programme__is_active=True))]
    if dose is not None:
        conditions.append(("dose_not_offered", _dose_offered_q(dose, programme="programme__")))
    if programme_id is not None:
        conditions.append(("slot_not_found", Q(programme_id=programme_id)))
    conditions += [
        ("venue_not_bookable", Q(venue__status=Venue.Status.APPROVED)),
        ("slot_in_past", Q(starts_at__gt=now)),
        ("window_closed", Q(is_closed=False, booking_opens_at__lte=now, booking_closes_at__gt=now)),
    ]
    if seat:
        conditions.append(("slot_full", _seat_left_q(dose)))
    return tuple(conditions)


def slot_bookable_q(
    *, programme_id: int | None, now: dt.datetime, dose: int | None = None, seat: bool = True
) -> Q:
    """The rule as one filter on Slot (see slot_conditions for `dose` and `seat`)."""
    rule = Q()
    for _code, condition in slot_conditions(
        programme_id=programme_id, now=now, dose=dose, seat=seat
    ):
        rule &= condition
    return rule


def first_failing(
    queryset: QuerySet[M], conditions: tuple[tuple[str, Q], ...]
) -> tuple[M | None, str | None]:
    """The queryset's first row with the first of `conditions` it fails (its refusal code), in
    one query; (None, None) when there is no row, (row, None) when it meets them all."""
    flags = {
        f"meets_{code}": ExpressionWrapper(condition, output_field=BooleanField())
        for code, condition in conditions
    }
    row = queryset.annotate(**flags).first()
    if row is None:
        return None, None
    for code, _condition in conditions:
        if not getattr(row, f"meets_{code}"):
            return row, code
    return row, None
