"""The booking engine: book a seat for a person (booking_create). Tenant schema.

A first dose without a reservation, the rush-hour case, is one SQL statement (booking_statement:
take the seat, insert the booking, record the e-voucher), which the rush front runs too with
booking_statement_params; everything else is the full path, in one transaction: the checks
(booking.seats), the dose rules (booking.doses), the guarded seat UPDATE and the INSERT
(booking.rows). On any refusal nothing is written.
"""

from __future__ import annotations

import datetime as dt
import functools
from contextlib import nullcontext

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from organizers import bookability
from organizers.db import fetch_one_prepared
from organizers.models import Booking, Message
from organizers.personal_data import person_key
from organizers.services.booking import doses
from organizers.services.booking.person import Person, person_columns
from organizers.services.booking.refusals import refusal_error
from organizers.services.booking.rows import insert_booking, voucher_code_new
from organizers.services.booking.seats import (
    bookable_slot,
    programme_for_booking,
    refusal_for_failed_take,
    refusal_statement,
    take_seat,
    tenant_takes_bookings_check,
)
from organizers.services.booking.statement import (
    NotOurs,
    Refused,
    Retry,
    booking_attempts,
    booking_outcome,
    statement_may_book,
)
from organizers.services.messages import outbox, relay
from organizers.services.messages.event_keys import event_key_sql


def booking_create(
    *,
    programme_id: int,
    slot_id: int,
    dose: int,
    person: Person,
    reserve_next_dose: bool = False,
    now: dt.datetime | None = None,
) -> Booking:
    """Book a seat for `person`. Tenant schema. Raises BookingRefusedError (409: slot_full,
    window_closed, already_booked, outside_dose_interval, ...), NotFoundError or
    ApplicationError; then nothing was written. With `reserve_next_dose` (dose 1 only) it also
    reserves dose 2 at the same venue and vaccine, the earliest slot inside the interval.

    A first dose without a reservation, the rush-hour case, is decided in one SQL statement
    (take the seat and insert the booking); everything else in one transaction."""
    now = now or timezone.now()
    tenant_takes_bookings_check()
    if statement_may_book(dose=dose, reserve_next_dose=reserve_next_dose, invite_token=None):
        return _book_in_one_statement(
            programme_id=programme_id, slot_id=slot_id, dose=dose, person=person, now=now
        )
    with transaction.atomic():
        programme = programme_for_booking(programme_id=programme_id, dose=dose)
        slot = bookable_slot(slot_id=slot_id, programme=programme, now=now)
        previous = doses.check_dose_interval(
            programme=programme, key=person_key(person.nik), dose=dose, slot=slot
        )
        if not take_seat(slot_id=slot.id, dose=dose, now=now):
            raise refusal_for_failed_take(slot_id=slot.id, dose=dose, now=now)
        booking = insert_booking(
            programme=programme,
            slot=slot,
            dose=dose,
            **person_columns(person),
            vaccine_brand=slot.vaccine_brand,
            first_dose=previous,
            created_at=now,
        )
        booking.slot = slot
        booking.next_dose = (
            doses.reserve_next_dose(booking=booking, now=now) if reserve_next_dose else None
        )
        outbox.message_record(kind=Message.Kind.VOUCHER, booking=booking)
        return booking


_BOOK_SQL = """
WITH seat AS (
    UPDATE organizers_slot s
       SET booked = s.booked + 1, booked_dose{dose} = s.booked_dose{dose} + 1
      FROM organizers_venue v, organizers_programme p
     WHERE s.id = %(slot_id)s AND s.programme_id = %(programme_id)s AND v.id = s.venue_id
       AND {bookable}
    RETURNING s.id, s.vaccine_brand, s.starts_at, s.ends_at, s.venue_id,
              v.name, v.address, v.time_zone
), booking AS (
    INSERT INTO organizers_booking (
        voucher_code, programme_id, slot_id, dose, status, person_key, nik_sealed,
        date_of_birth_sealed, full_name, phone, email, sex, address, employee_number,
        language, party, vaccine_brand, created_at
    )
    SELECT %(voucher)s, %(programme_id)s, seat.id, %(dose)s, 'active', %(person_key)s,
           %(nik_sealed)s, %(date_of_birth_sealed)s, %(full_name)s, %(phone)s, %(email)s,
           %(sex)s, %(address)s, %(employee_number)s, %(language)s, %(party)s,
           seat.vaccine_brand, %(now)s
      FROM seat
    RETURNING id, slot_id, vaccine_brand
), message AS (
    -- the e-voucher is recorded with the booking, in the same statement (the outbox)
    INSERT INTO organizers_message (
        kind, event_key, booking_id, to_email, language, status, attempts, last_error,
        created_at
    )
    SELECT 'voucher', {voucher_event_key}, booking.id, %(email)s, %(language)s,
           'pending', 0, '', %(now)s
      FROM booking WHERE %(email)s <> ''
    RETURNING id
)
SELECT booking.id::bigint, booking.vaccine_brand::text, seat.starts_at, seat.ends_at,
       seat.venue_id::bigint, seat.name::text, seat.address::text, seat.time_zone::text,
       (SELECT id FROM message)::bigint
  FROM booking JOIN seat ON seat.id = booking.slot_id
"""
# The result columns are cast to types without a length, so a migration that changes a
# column's length does not change the prepared statement's result type (organizers/db.py).


@functools.cache
def booking_statement(dose: int) -> str:
    """The one statement that books a seat (see _BOOK_SQL) for `dose`: it takes one only where
    the slot is bookable (the rule's conditions, organizers.bookability)."""
    dose = int(dose)
    return _BOOK_SQL.format(
        dose=dose,
        bookable=bookability.sql_bookable(dose),
        voucher_event_key=event_key_sql(Message.Kind.VOUCHER, "booking.id"),
    )


def booking_statement_params(
    *,
    programme_id: int,
    slot_id: int,
    dose: int,
    person: Person,
    now: dt.datetime,
    tenant_uid: object = None,
) -> dict[str, object]:
    """The statement's parameters: the slot, programme, dose and time, and the person's
    columns of the booking (booking.person.person_columns: the same as the full path's, the
    NIK and date of birth sealed for the current tenant, or the one `tenant_uid` names). The
    caller draws the voucher code (`params["voucher"]`) for each attempt."""
    return {
        "slot_id": slot_id,
        "programme_id": programme_id,
        "dose": dose,
        "now": now,
        **person_columns(person, tenant_uid=tenant_uid),
    }


def _book_in_one_statement(
    *, programme_id: int, slot_id: int, dose: int, person: Person, now: dt.datetime
) -> Booking:
    """Take the seat and insert the booking in one statement: PostgreSQL decides capacity under
    the slot's row lock, and a unique violation (the person already booked) undoes the seat
    with the statement. Its attempts and their outcomes are booking_statement's, as on the rush
    front; a refusal (nothing written) is raised with its reason."""
    params = booking_statement_params(
        programme_id=programme_id, slot_id=slot_id, dose=dose, person=person, now=now
    )
    sql = booking_statement(dose)
    for _attempt in booking_attempts(params, voucher_code_new=voucher_code_new):
        row = why = None
        try:
            # Inside a caller's transaction a savepoint keeps a refusal from aborting it;
            # otherwise the statement is its own transaction (no BEGIN/COMMIT round trips).
            scope = transaction.atomic() if connection.in_atomic_block else nullcontext()
            with scope:
                row = fetch_one_prepared(sql, params)
        except IntegrityError as exc:
            outcome = booking_outcome(params=params, error=exc)
        else:
            if row is None:  # refused: one read says why (the rush front asks the same)
                why = fetch_one_prepared(refusal_statement(dose), params)
            outcome = booking_outcome(params=params, row=row, why=why)
        if isinstance(outcome, Retry):
            continue
        if isinstance(outcome, NotOurs):
            raise outcome.error
        if isinstance(outcome, Refused):
            # None: a seat was freed since; this attempt found the slot full all the same.
            raise refusal_error(outcome.code or "slot_full")
        if outcome.message_id is not None:
            relay.outbox_wake_after_commit()
        return outcome.booking.as_model()
    raise AssertionError("booking_attempts ends with an error")  # pragma: no cover
