"""The capacity engine: book, cancel, reschedule, and the waitlist. Tenant schema.

Remaining capacity is decided by PostgreSQL in one guarded UPDATE per seat (the row lock and
the WHERE clause together make "is there a seat?" and "take it" one atomic step); the CHECK
constraints on Slot are the backstop. Nothing reads a counter in Python and writes it back.
Every public function runs in one transaction: on any refusal nothing is written.
"""

from __future__ import annotations

import datetime as dt
import functools
import secrets
import uuid
from contextlib import nullcontext
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizers import bookability
from organizers.db import fetch_one_prepared
from organizers.models import Booking, Message, Programme, Slot, Venue, WaitlistEntry
from organizers.personal_data import person_key, seal
from organizers.services.booking_statement import (
    NotOurs,
    Refused,
    Retry,
    booking_attempts,
    booking_outcome,
    statement_may_book,
)
from organizers.services.messages import outbox
from organizers.services.messages.event_keys import event_key, event_key_sql

# Re-exported: callers (eligibility, the rush front, the API) know them as capacity's.
from organizers.services.refusals import BookingRefusedError as BookingRefusedError
from organizers.services.refusals import refusal_error as refusal_error
from tenants.context import require_current_tenant
from tenants.errors import ApplicationError
from tenants.models import DoseIntervalRule

VOUCHER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L, U: read out by phone
WAITLIST_OFFER_MINUTES = 30


@dataclass(frozen=True)
class Person:
    nik: str
    date_of_birth: dt.date
    full_name: str
    phone: str = ""
    email: str = ""
    sex: str = ""  # Sex.MALE / Sex.FEMALE, or "" when not asked (the API)
    address: str = ""
    employee_number: str = ""
    language: str = "id"  # every message to this person is in this language
    party: uuid.UUID | None = None  # bookings made together by one helper


def voucher_code_new() -> str:
    """Eight characters from a 30-letter alphabet (about 6.5e11 codes), from one random draw."""
    number = secrets.randbelow(len(VOUCHER_ALPHABET) ** 8)
    chars = []
    for _position in range(8):
        number, digit = divmod(number, len(VOUCHER_ALPHABET))
        chars.append(VOUCHER_ALPHABET[digit])
    return f"{''.join(chars[:4])}-{''.join(chars[4:])}"


def slot_local_date(slot: Slot) -> dt.date:
    return slot.starts_at.astimezone(ZoneInfo(slot.venue.time_zone)).date()


# --- Seats: the only code that changes Slot counters -----------------------------------------


def _take_seat(*, slot_id: int, dose: int, now: dt.datetime, ignore_window: bool = False) -> bool:
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


def _free_seat(*, slot_id: int, dose: int) -> None:
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


# --- Refusals: one wording each, whichever path refuses (organizers.services.refusals) ------


_REFUSAL_SQL = """
SELECT {refusal}::text
  FROM (SELECT 1) AS one
  LEFT JOIN organizers_programme p ON p.id = %(programme_id)s
  LEFT JOIN organizers_slot s ON s.id = %(slot_id)s
  LEFT JOIN organizers_venue v ON v.id = s.venue_id
"""


@functools.cache
def refusal_statement(dose: int) -> str:
    """Why the booking statement (booking_statement) took no seat, in one read: the first
    reason in the order the checks of the full path give them (programme, dose, slot, venue,
    past, window, full), or NULL when none holds any more (a seat was freed meanwhile). Its
    parameters are the booking statement's (slot_id, programme_id, dose, now). The reasons are
    the booking statement's own conditions (organizers.bookability), negated in turn."""
    return _REFUSAL_SQL.format(refusal=bookability.sql_refusal_case(int(dose)))


def _refusal_for_failed_take(*, slot_id: int, dose: int, now: dt.datetime) -> ApplicationError:
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
# guarded UPDATE (_take_seat) after them.
_SLOT_CHECKS = ("slot_not_found", "venue_not_bookable", "slot_in_past")


def _bookable_slot(*, slot_id: int, programme: Programme, now: dt.datetime) -> Slot:
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


def _programme_for_booking(*, programme_id: int, dose: int) -> Programme:
    tenant_takes_bookings_check()
    programme, why = bookability.first_failing(
        Programme.objects.filter(id=programme_id), bookability.programme_conditions(dose=dose)
    )
    if programme is None:
        raise refusal_error("programme_not_found")
    if why is not None:
        raise refusal_error(why)
    return programme


def _check_dose_interval(
    *, programme: Programme, key: str, dose: int, slot: Slot, exclude_id: int | None = None
) -> Booking | None:
    """For a later dose: the previous dose must be booked in this programme, with the same
    vaccine, and this slot's date inside the brand's interval. Returns the previous booking."""
    if dose == 1:
        return None
    previous = (
        Booking.objects.select_related("slot__venue")
        .filter(programme=programme, person_key=key, dose=dose - 1, status="active")
        # exclude(id=None) excludes nothing: ids are never null.
        .exclude(id=exclude_id)  # type: ignore[misc]
        .first()
    )
    if previous is None:
        raise refusal_error("previous_dose_missing")
    if previous.vaccine_brand != slot.vaccine_brand:
        raise refusal_error("brand_mismatch")
    _check_interval_days(previous=previous, dose=dose, slot=slot)
    return previous


def _check_interval_days(*, previous: Booking, dose: int, slot: Slot) -> None:
    rule = DoseIntervalRule.objects.filter(
        brand_id=previous.vaccine_brand, from_dose=dose - 1, to_dose=dose
    ).first()
    if rule is None:
        return
    days = (slot_local_date(slot) - slot_local_date(previous.slot)).days
    too_late = rule.max_days is not None and days > rule.max_days
    if days < rule.min_days or too_late:
        raise refusal_error(
            "outside_dose_interval",
            extra={"min_days": rule.min_days, "max_days": rule.max_days, "days": days},
        )


def _insert_booking(**fields: object) -> Booking:
    """INSERT in a savepoint; a second active booking for the person is refused by the unique
    constraint (the check that holds under concurrency), a voucher collision is retried."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Booking.objects.create(voucher_code=voucher_code_new(), **fields)
        except IntegrityError as exc:
            if "booking_one_active_per_person_dose" in str(exc):
                raise refusal_error("already_booked") from exc
            if "voucher_code" not in str(exc):
                raise
    raise RuntimeError("could not find a free voucher code")


# --- Booking ------------------------------------------------------------------------------


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
    key = person_key(person.nik)
    with transaction.atomic():
        programme = _programme_for_booking(programme_id=programme_id, dose=dose)
        slot = _bookable_slot(slot_id=slot_id, programme=programme, now=now)
        previous = _check_dose_interval(programme=programme, key=key, dose=dose, slot=slot)
        if not _take_seat(slot_id=slot.id, dose=dose, now=now):
            raise _refusal_for_failed_take(slot_id=slot.id, dose=dose, now=now)
        booking = _insert_booking(
            programme=programme,
            slot=slot,
            dose=dose,
            person_key=key,
            nik_sealed=seal(person.nik, field="nik"),
            date_of_birth_sealed=seal(person.date_of_birth.isoformat(), field="date_of_birth"),
            full_name=person.full_name,
            phone=person.phone,
            email=person.email,
            sex=person.sex,
            address=person.address,
            employee_number=person.employee_number,
            language=person.language,
            party=person.party,
            vaccine_brand=slot.vaccine_brand,
            first_dose=previous,
            created_at=now,
        )
        booking.slot = slot
        booking.next_dose = (
            _reserve_next_dose(booking=booking, now=now) if reserve_next_dose else None
        )
        outbox.message_record(kind=Message.Kind.VOUCHER, booking=booking)
        return booking


def tenant_takes_bookings_check() -> None:
    if require_current_tenant().review_status != "approved":
        raise refusal_error("organizer_not_approved")


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
    SELECT %(voucher)s, %(programme_id)s, seat.id, %(dose)s, 'active', %(key)s, %(nik)s,
           %(dob)s, %(name)s, %(phone)s, %(email)s, %(sex)s, %(address)s,
           %(employee_number)s, %(language)s, %(party)s, seat.vaccine_brand, %(now)s
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
    """The statement's parameters: the person's key, the sealed NIK and date of birth (for the
    current tenant, or the one `tenant_uid` names) and the booking's fields. The caller draws
    the voucher code (`params["voucher"]`) for each attempt."""
    return {
        "slot_id": slot_id,
        "programme_id": programme_id,
        "dose": dose,
        "now": now,
        "key": person_key(person.nik),
        "nik": seal(person.nik, field="nik", tenant_uid=tenant_uid),
        "dob": seal(person.date_of_birth.isoformat(), field="date_of_birth", tenant_uid=tenant_uid),
        "name": person.full_name,
        "phone": person.phone,
        "email": person.email,
        "sex": person.sex,
        "address": person.address,
        "employee_number": person.employee_number,
        "language": person.language,
        "party": person.party,
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
            outbox.message_deliver_after_commit(message_id=outcome.message_id)
        return outcome.booking.as_model()
    raise AssertionError("booking_attempts ends with an error")  # pragma: no cover


def _reserve_next_dose(*, booking: Booking, now: dt.datetime) -> Booking:
    if booking.dose != 1:
        raise ApplicationError(_("Only a first dose can reserve the next one."), code="invalid")
    if not booking.programme.offers_dose(2):
        raise refusal_error("dose_not_offered")
    rule = DoseIntervalRule.objects.filter(
        brand_id=booking.vaccine_brand, from_dose=1, to_dose=2
    ).first()
    if rule is None:
        raise refusal_error("no_dose_interval")
    zone = ZoneInfo(booking.slot.venue.time_zone)
    first_day = slot_local_date(booking.slot)
    earliest = dt.datetime.combine(first_day + dt.timedelta(days=rule.min_days), dt.time(), zone)
    candidates = Slot.objects.filter(
        venue_id=booking.slot.venue_id,
        programme_id=booking.programme_id,
        vaccine_brand=booking.vaccine_brand,
        starts_at__gte=earliest,
        is_closed=False,
    ).order_by("starts_at")
    if rule.max_days is not None:
        latest = dt.datetime.combine(
            first_day + dt.timedelta(days=rule.max_days + 1), dt.time(), zone
        )
        candidates = candidates.filter(starts_at__lt=latest)
    for slot_id in candidates.values_list("id", flat=True)[:50]:
        # A reservation by the system: the dose-2 slot's own booking window need not be open.
        if _take_seat(slot_id=slot_id, dose=2, now=now, ignore_window=True):
            return _insert_booking(
                programme_id=booking.programme_id,
                slot_id=slot_id,
                dose=2,
                person_key=booking.person_key,
                nik_sealed=booking.nik_sealed,
                date_of_birth_sealed=booking.date_of_birth_sealed,
                full_name=booking.full_name,
                phone=booking.phone,
                email=booking.email,
                sex=booking.sex,
                address=booking.address,
                employee_number=booking.employee_number,
                language=booking.language,
                party=booking.party,
                vaccine_brand=booking.vaccine_brand,
                first_dose=booking,
                created_at=now,
            )
    raise refusal_error("next_dose_full")


def booking_can_change(*, booking: Booking, now: dt.datetime) -> bool:
    """Whether a booking may still be cancelled or moved: active, and its slot not started
    (booking_cancel says why the start). The pages read it to offer the buttons; the services
    enforce it."""
    return booking.status == Booking.Status.ACTIVE and booking.slot.starts_at > now


def _time_passed_refusal() -> ApplicationError:
    """Refusal of a cancel or a move once the booking's arrival time has begun."""
    return refusal_error("booking_time_passed")


@transaction.atomic
def booking_cancel(*, booking_id: int, now: dt.datetime | None = None) -> bool:
    """Cancel; frees the seat exactly once (a second call changes nothing and returns False).
    A reserved later dose is cancelled with it. A freed seat goes to the waitlist first.

    Refused with `booking_time_passed` (nothing written) once the slot has started: from its
    start the seat can no longer be used by anyone (nobody may book or be offered a slot that
    has begun), so freeing it would only turn a no-show into a cancellation and put a seat back
    into a slot that is over. The boundary is the slot's start, the same instant at which
    booking it stops (`slot_in_past`)."""
    now = now or timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE organizers_booking SET status = 'cancelled', cancelled_at = %s
             WHERE id = %s AND status = 'active'
               AND slot_id IN (SELECT id FROM organizers_slot WHERE starts_at > %s)
            RETURNING slot_id, dose
            """,
            [now, booking_id, now],
        )
        row = cursor.fetchone()
    if row is None:
        if Booking.objects.filter(id=booking_id, status="active").exists():
            raise _time_passed_refusal()
        return False
    slot_id, dose = row
    _seat_released(slot_id=slot_id, dose=dose, now=now)
    for later_id in Booking.objects.filter(first_dose_id=booking_id, status="active").values_list(
        "id", flat=True
    ):
        booking_cancel(booking_id=later_id, now=now)
    return True


@transaction.atomic
def booking_reschedule(
    *, booking_id: int, new_slot_id: int, now: dt.datetime | None = None
) -> Booking:
    """Move a booking to another time at the same venue: take the new seat, then free the old
    one, in one transaction (nothing written on a refusal).

    Refused with `booking_time_passed` once the booking's own slot has started (as for a
    cancel: booking_cancel says why), and with `other_venue` for a slot at another venue:
    venues stock different vaccine brands (a second dose must match the first), the venue's
    staff lists and the e-voucher are per venue; changing venue is a cancel and a new booking,
    which go through every rule of a booking (eligibility included)."""
    now = now or timezone.now()
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("programme", "slot__venue")
        .filter(id=booking_id, status="active")
        .first()
    )
    if booking is None:
        raise refusal_error("booking_not_found")
    if not booking_can_change(booking=booking, now=now):
        raise _time_passed_refusal()
    if booking.slot_id == new_slot_id:
        return booking
    new_slot = _bookable_slot(slot_id=new_slot_id, programme=booking.programme, now=now)
    if new_slot.venue_id != booking.slot.venue_id:
        raise refusal_error("other_venue")
    if new_slot.vaccine_brand != booking.vaccine_brand and (
        booking.dose > 1 or booking.later_doses.filter(status="active").exists()
    ):
        raise refusal_error("brand_mismatch_later_doses")
    if booking.first_dose is not None:
        _check_interval_days(previous=booking.first_dose, dose=booking.dose, slot=new_slot)
    for later in booking.later_doses.filter(status="active").select_related("slot__venue"):
        _check_interval_days(
            previous=_as_if_at(booking, new_slot), dose=later.dose, slot=later.slot
        )
    # Lock both slots in id order before touching either: two people swapping slots at the same
    # moment would otherwise each hold one lock and wait for the other's (a deadlock).
    _lock_slots_in_order(booking.slot_id, new_slot.id)
    if not _take_seat(slot_id=new_slot.id, dose=booking.dose, now=now):
        raise _refusal_for_failed_take(slot_id=new_slot.id, dose=booking.dose, now=now)
    old_slot_id = booking.slot_id
    booking.slot = new_slot
    booking.vaccine_brand = new_slot.vaccine_brand
    booking.save(update_fields=["slot", "vaccine_brand"])
    _seat_released(slot_id=old_slot_id, dose=booking.dose, now=now)
    return booking


def _lock_slots_in_order(*slot_ids: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM organizers_slot WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
            [sorted(set(slot_ids))],
        )


def _as_if_at(booking: Booking, slot: Slot) -> Booking:
    """The booking as it will be after the move, for checking its later doses' intervals."""
    return Booking(vaccine_brand=booking.vaccine_brand, slot=slot)


# --- Waitlist -----------------------------------------------------------------------------


def _seat_released(*, slot_id: int, dose: int, now: dt.datetime) -> None:
    """A seat came free: hold it for the first person waiting for that venue, day, programme
    and dose, or give it back to the pool."""
    slot = Slot.objects.select_related("venue").get(id=slot_id)
    # Only a slot people can still book is offered; otherwise the seat goes back to the pool.
    if not slot.is_closed and slot.booking_closes_at > now:
        already_booked = Booking.objects.filter(
            programme_id=slot.programme_id,
            dose=dose,
            status=Booking.Status.ACTIVE,
            person_key=OuterRef("person_key"),
        )
        entry = (
            WaitlistEntry.objects.select_for_update(skip_locked=True)
            .filter(
                venue_id=slot.venue_id,
                day=slot_local_date(slot),
                programme_id=slot.programme_id,
                dose=dose,
                status=WaitlistEntry.Status.WAITING,
            )
            .exclude(Exists(already_booked))
            .order_by("created_at", "id")
            .first()
        )
        if entry is not None:
            entry.status = WaitlistEntry.Status.OFFERED
            entry.offered_slot = slot
            entry.offer_token = secrets.token_urlsafe(32)
            entry.offer_expires_at = now + dt.timedelta(minutes=WAITLIST_OFFER_MINUTES)
            entry.save(update_fields=["status", "offered_slot", "offer_token", "offer_expires_at"])
            outbox.message_record(
                kind=Message.Kind.WAITLIST_OFFER,
                waitlist_entry=entry,
                event_key=event_key(Message.Kind.WAITLIST_OFFER, entry.id, entry.offer_token[:8]),
            )
            return  # the seat stays counted: it is held for this person
    _free_seat(slot_id=slot_id, dose=dose)


@transaction.atomic
def waitlist_join(
    *, programme_id: int, venue_id: int, day: dt.date, dose: int, person: Person
) -> WaitlistEntry:
    """Wait for a seat at a venue on a day. Only when the day is full, only for a person who
    has no booking for this dose, and for a later dose only inside its interval."""
    tenant_takes_bookings_check()
    programme = _programme_for_booking(programme_id=programme_id, dose=dose)
    venue = Venue.objects.filter(id=venue_id, status=Venue.Status.APPROVED).first()
    if venue is None:
        raise refusal_error("venue_not_found")
    key = person_key(person.nik)
    if Booking.objects.filter(
        programme=programme, person_key=key, dose=dose, status=Booking.Status.ACTIVE
    ).exists():
        raise refusal_error("already_booked")
    if _day_has_free_seats(venue=venue, programme=programme, day=day, dose=dose):
        raise refusal_error("seats_available")
    if dose > 1:
        _check_previous_dose_for_day(programme=programme, key=key, dose=dose, venue=venue, day=day)
    try:
        with transaction.atomic():
            return WaitlistEntry.objects.create(
                venue=venue,
                programme=programme,
                day=day,
                dose=dose,
                person_key=key,
                nik_sealed=seal(person.nik, field="nik"),
                date_of_birth_sealed=seal(person.date_of_birth.isoformat(), field="date_of_birth"),
                full_name=person.full_name,
                phone=person.phone,
                email=person.email,
                language=person.language,
            )
    except IntegrityError as exc:
        raise refusal_error("already_waiting") from exc


def _day_has_free_seats(*, venue: Venue, programme: Programme, day: dt.date, dose: int) -> bool:
    """What the booking pages offer for that day (the same rule: organizers.selectors)."""
    from organizers.selectors import slot_list_bookable_for_day

    return bool(
        slot_list_bookable_for_day(
            venue=venue, programme_id=programme.id, dose=dose, day=day, now=timezone.now()
        )
    )


def _check_previous_dose_for_day(
    *, programme: Programme, key: str, dose: int, venue: Venue, day: dt.date
) -> None:
    """The later-dose rules of `_check_dose_interval`, for a day rather than a slot."""
    zone = ZoneInfo(venue.time_zone)
    noon = dt.datetime.combine(day, dt.time(12), zone)
    stand_in = Slot(venue=venue, starts_at=noon, vaccine_brand="")
    previous = (
        Booking.objects.select_related("slot__venue")
        .filter(programme=programme, person_key=key, dose=dose - 1, status="active")
        .first()
    )
    if previous is None:
        raise refusal_error("previous_dose_missing")
    _check_interval_days(previous=previous, dose=dose, slot=stand_in)


@transaction.atomic
def waitlist_offer_accept(*, token: str, now: dt.datetime | None = None) -> Booking:
    """Turn a held seat into a booking (no counter changes: the seat is already counted)."""
    now = now or timezone.now()
    entry = (
        WaitlistEntry.objects.select_for_update(of=("self",))
        .select_related("offered_slot__venue", "programme")
        .filter(offer_token=token, status=WaitlistEntry.Status.OFFERED)
        .first()
    )
    # An offered entry has both the slot and the expiry (the offer sets them together).
    if entry is None or entry.offer_expires_at is None or entry.offer_expires_at <= now:
        raise refusal_error("offer_not_found")
    slot = entry.offered_slot
    if slot is None or slot.starts_at <= now:
        raise refusal_error("offer_not_found")
    previous = None
    if entry.dose > 1:  # the rules of a later dose hold for a seat from the waitlist too
        previous = _check_dose_interval(
            programme=entry.programme, key=entry.person_key, dose=entry.dose, slot=slot
        )
    entry.status = WaitlistEntry.Status.BOOKED
    entry.save(update_fields=["status"])
    booking = _insert_booking(
        programme_id=entry.programme_id,
        slot=slot,
        dose=entry.dose,
        person_key=entry.person_key,
        nik_sealed=entry.nik_sealed,
        date_of_birth_sealed=entry.date_of_birth_sealed,
        full_name=entry.full_name,
        phone=entry.phone,
        email=entry.email,
        language=entry.language,
        vaccine_brand=slot.vaccine_brand,
        first_dose=previous,
        created_at=now,
    )
    booking.slot = slot
    outbox.message_record(kind=Message.Kind.VOUCHER, booking=booking)
    return booking


@transaction.atomic
def waitlist_offers_expire(*, now: dt.datetime | None = None) -> int:
    """Run by beat: an expired offer passes its seat to the next person (or to the pool)."""
    now = now or timezone.now()
    expired = list(
        WaitlistEntry.objects.select_for_update(skip_locked=True).filter(
            status=WaitlistEntry.Status.OFFERED, offer_expires_at__lte=now
        )
    )
    for entry in expired:
        entry.status = WaitlistEntry.Status.EXPIRED
        entry.save(update_fields=["status"])
        if entry.offered_slot_id is not None:  # always, for an offered entry
            _seat_released(slot_id=entry.offered_slot_id, dose=entry.dose, now=now)
    return len(expired)
