"""How a booking is refused: one table of code -> (status, wording), whichever path refuses.

The booking engine, the waitlist, the rush front, the API and the booking pages all word a
refusal from here (refusal_error, refusal_message), so a person reads the same sentence
wherever they book.
The messages are lazy: they are translated when rendered, in the active language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from tenants.errors import ApplicationError, ConflictError, NotFoundError, UserText


class BookingRefusedError(ConflictError):
    """409 with a machine-readable reason (`code`)."""


@dataclass(frozen=True)
class Refusal:
    error: type[ApplicationError]
    message: UserText
    # About the chosen arrival time: the pages send the person back to choose another.
    about_the_slot: bool = False
    # The code the error answers with, when two wordings share one (default: the key).
    code: str | None = None


REFUSALS: dict[str, Refusal] = {
    # The slot rule (organizers.bookability), in its order.
    "programme_not_found": Refusal(NotFoundError, _("This programme does not exist.")),
    "dose_not_offered": Refusal(BookingRefusedError, _("This programme does not offer this dose.")),
    "slot_not_found": Refusal(
        NotFoundError, _("This arrival time does not exist."), about_the_slot=True
    ),
    "venue_not_bookable": Refusal(
        BookingRefusedError, _("This venue does not take bookings."), about_the_slot=True
    ),
    "slot_in_past": Refusal(
        BookingRefusedError, _("This arrival time has passed."), about_the_slot=True
    ),
    "window_closed": Refusal(
        BookingRefusedError,
        _("Booking for this arrival time is not open. Choose another arrival time."),
        about_the_slot=True,
    ),
    "slot_full": Refusal(
        BookingRefusedError, _("This arrival time is full. Choose another."), about_the_slot=True
    ),
    # What the pages say when the arrival time chosen earlier fails the rule by now.
    "slot_no_longer_bookable": Refusal(
        BookingRefusedError,
        _("This arrival time can no longer be booked. Choose another."),
        about_the_slot=True,
    ),
    # The organiser, the person and the doses.
    "organizer_not_approved": Refusal(
        BookingRefusedError, _("This organiser does not take bookings yet.")
    ),
    "already_booked": Refusal(
        BookingRefusedError, _("This person already has a booking for this dose.")
    ),
    "previous_dose_missing": Refusal(BookingRefusedError, _("Book the previous dose first.")),
    "brand_mismatch": Refusal(
        BookingRefusedError, _("This dose must be the same vaccine as the previous one.")
    ),
    "brand_mismatch_later_doses": Refusal(
        BookingRefusedError,
        _("This dose must be the same vaccine as the other doses."),
        code="brand_mismatch",
    ),
    "outside_dose_interval": Refusal(
        BookingRefusedError,
        _("This date is outside the interval between doses for this vaccine."),
    ),
    "no_dose_interval": Refusal(BookingRefusedError, _("No interval is known for this vaccine.")),
    "next_dose_full": Refusal(
        BookingRefusedError,
        _("No seat for the second dose is free inside the interval."),
        about_the_slot=True,
    ),
    # Bookings and the waitlist.
    "booking_not_found": Refusal(NotFoundError, _("Booking not found.")),
    "venue_not_found": Refusal(NotFoundError, _("This venue does not exist.")),
    "seats_available": Refusal(
        BookingRefusedError, _("There are still free seats on this day: book one of them.")
    ),
    "no_times_that_day": Refusal(
        BookingRefusedError,
        _("This day has no arrival times left to wait for. Choose another day."),
    ),
    "already_waiting": Refusal(
        BookingRefusedError, _("This person is already on the waitlist for this day.")
    ),
    "offer_not_found": Refusal(NotFoundError, _("This offer has expired or does not exist.")),
    # Changing a booking (booking.changes: booking_cancel, booking_reschedule).
    "booking_time_passed": Refusal(
        BookingRefusedError,
        _("The arrival time of this booking has passed: it can no longer be cancelled or moved."),
    ),
    "other_venue": Refusal(
        BookingRefusedError,
        _(
            "A booking can move to another time at the same venue. To change venue, "
            "cancel it and book again."
        ),
    ),
}

# Refusals about the arrival time: the person chooses another time.
SLOT_REFUSALS = frozenset(code for code, refusal in REFUSALS.items() if refusal.about_the_slot)


def refusal_message(code: str) -> str:
    """The wording of a refusal in the active language."""
    return str(REFUSALS[code].message)


def refusal_error(code: str, *, extra: dict | None = None) -> ApplicationError:
    """The error for a refusal: 404 for what does not exist, 409 otherwise. The message is
    translated when it is rendered (in the active language)."""
    refusal = REFUSALS[code]
    answered = refusal.code or code
    if issubclass(refusal.error, NotFoundError):
        return refusal.error(refusal.message, code=answered)
    return refusal.error(refusal.message, code=answered, extra=extra)
