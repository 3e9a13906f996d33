"""The one-statement booking, decided once for the rush front and for Django's booking service:
when it may be used, the attempts it makes, what each attempt's result means, and the booking
it placed. No I/O here: the callers run the statement (the front on asyncpg, Django on its own
connection) and hand its result to `booking_outcome`.

The statement itself (booking.engine.booking_statement) takes the seat, inserts the booking
and records the e-voucher in one round trip; booking.seats.refusal_statement says why it took
nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import DEFAULT_DB_ALIAS

from organizers.models import Booking, Slot, Venue
from organizers.services.booking.person import PERSON_COLUMNS

if TYPE_CHECKING:
    from organizers.services.eligibility.facts import AgeBand

ATTEMPTS = 5  # voucher codes drawn before giving up (a collision is one in ~1e11 per code)


# --- When the one statement may book -----------------------------------------------------------


def statement_may_book(*, dose: int, reserve_next_dose: bool, invite_token: str | None) -> bool:
    """The request's shape allows the one statement: a first dose, no second dose to reserve,
    no invite to mark used. (Anything else needs the booking's transaction.)"""
    return dose == 1 and not reserve_next_dose and not invite_token


def one_statement_admits(
    *,
    dose: int,
    reserve_next_dose: bool,
    invite_token: str | None,
    age_bands: tuple[AgeBand, ...] | None,
    date_of_birth: dt.date,
    today: dt.date,
) -> bool:
    """Whether the one statement is the whole booking, without eligibility's transaction: the
    shape allows it (statement_may_book) and the programme is public (`age_bands` not None,
    eligibility.facts.public_age_bands) with age rules that admit the person today."""
    from organizers.services.eligibility.facts import age_bands_admit  # eligibility needs capacity

    return (
        statement_may_book(
            dose=dose, reserve_next_dose=reserve_next_dose, invite_token=invite_token
        )
        and age_bands is not None
        and age_bands_admit(age_bands, date_of_birth, today)
    )


# --- The booking it placed -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlacedVenue:
    id: int
    name: str
    address: str
    time_zone: str


@dataclass(frozen=True, slots=True)
class PlacedSlot:
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    venue: PlacedVenue


@dataclass(frozen=True, slots=True)
class PlacedBooking:
    """A booking the statement placed, from what it returned and the parameters it ran with:
    the attributes of a Booking that the API's answer reads (booking_representation). The
    rush front answers with it (a twentieth of the cost of building three models); Django's
    path goes on with `as_model()`."""

    id: int
    voucher_code: str
    dose: int
    vaccine_brand: str
    full_name: str
    programme_id: int
    slot: PlacedSlot
    created_at: dt.datetime
    status: str = "active"
    next_dose: None = None
    params: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def as_model(self) -> Booking:
        """The same booking as a Booking with its slot and venue (no query), for callers that
        go on with the model (an invite marked used, the booking pages). Built with
        Model.from_db, as the ORM builds the rows it reads: a tenth of the cost of the
        constructors. The slot and venue carry only the columns the statement returned; any
        other is loaded if asked for."""
        params, slot = self.params, self.slot
        venue = Venue.from_db(
            DEFAULT_DB_ALIAS,
            _VENUE_COLUMNS,
            (slot.venue.id, slot.venue.name, slot.venue.address, slot.venue.time_zone),
        )
        slot_model = Slot.from_db(
            DEFAULT_DB_ALIAS,
            _SLOT_COLUMNS,
            (
                slot.id,
                slot.venue.id,
                self.programme_id,
                slot.starts_at,
                slot.ends_at,
                self.vaccine_brand,
            ),
        )
        slot_model.venue = venue
        booking = Booking.from_db(
            DEFAULT_DB_ALIAS,
            _BOOKING_COLUMNS,
            (
                self.id,
                self.voucher_code,
                self.programme_id,
                slot.id,
                self.dose,
                Booking.Status.ACTIVE,
                *(params[column] for column in PERSON_COLUMNS),
                self.vaccine_brand,
                None,
                self.created_at,
                None,
            ),
        )
        booking.slot = slot_model
        booking.next_dose = None
        return booking


_VENUE_COLUMNS = ("id", "name", "address", "time_zone")
_SLOT_COLUMNS = ("id", "venue_id", "programme_id", "starts_at", "ends_at", "vaccine_brand")
_BOOKING_COLUMNS = (
    *("id", "voucher_code", "programme_id", "slot_id", "dose", "status"),
    *PERSON_COLUMNS,
    *("vaccine_brand", "first_dose_id", "created_at", "cancelled_at"),
)
# Every column of a booking, in the order above: a new column must be added there too.
assert tuple(f.attname for f in Booking._meta.concrete_fields) == _BOOKING_COLUMNS  # noqa: S101


def placed_booking(row: tuple, *, params: dict[str, Any]) -> PlacedBooking:
    """The booking from the statement's row (without its last column, the e-voucher message)."""
    booking_id, brand, starts, ends, venue_id, name, address, time_zone = row
    return PlacedBooking(
        id=booking_id,
        voucher_code=params["voucher"],
        dose=params["dose"],
        vaccine_brand=brand,
        full_name=params["full_name"],
        programme_id=params["programme_id"],
        slot=PlacedSlot(
            params["slot_id"], starts, ends, PlacedVenue(venue_id, name, address, time_zone)
        ),
        created_at=params["now"],
        params=params,
    )


# --- Attempts and outcomes -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Booked:
    booking: PlacedBooking
    message_id: int | None  # the e-voucher recorded with it (None: no email address)


@dataclass(frozen=True, slots=True)
class Refused:
    """Nothing was written. `code`: why (booking.refusals words it); None when no reason
    holds by the time it was asked (a seat came free meanwhile)."""

    code: str | None


@dataclass(frozen=True, slots=True)
class Retry:
    """A voucher code collision: the next attempt draws another."""


@dataclass(frozen=True, slots=True)
class NotOurs:
    """An error this module does not explain: the caller raises it (or hands the request on)."""

    error: Exception


Outcome = Booked | Refused | Retry | NotOurs


def booking_attempts(
    params: dict[str, Any], *, voucher_code_new: Callable[[], str]
) -> Iterator[int]:
    """The attempts of one booking: each draws a new voucher code into `params`. After the
    last, RuntimeError (no free voucher code: something is wrong)."""
    for attempt in range(ATTEMPTS):
        params["voucher"] = voucher_code_new()
        yield attempt
    raise RuntimeError("could not find a free voucher code")


def booking_outcome(
    *,
    params: dict[str, Any],
    row: tuple | None = None,
    why: tuple | None = None,
    error: Exception | None = None,
) -> Outcome:
    """What one attempt came to. `row`: the statement's row (None: it took no seat); `why`:
    the refusal statement's row, asked when there was no row; `error`: what the statement
    raised instead (a unique violation: the person already booked, or a voucher collision)."""
    if error is not None:
        conflict = booking_statement_conflict(error)
        if conflict == "already_booked":
            return Refused("already_booked")
        if conflict == "voucher":
            return Retry()
        return NotOurs(error)
    if row is not None:
        return Booked(placed_booking(row[:-1], params=params), row[-1])
    return Refused(why[0] if why else None)


def booking_statement_conflict(error: Exception) -> str | None:
    """What a unique violation of the statement means: "already_booked" (the person has an
    active booking for this dose: refuse), "voucher" (a voucher code collision: draw again), or
    None (something else: not ours to explain)."""
    text = str(error)
    if "booking_one_active_per_person_dose" in text:
        return "already_booked"
    if "voucher_code" in text:
        return "voucher"
    return None
