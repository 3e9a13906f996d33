"""Who may book a programme. Tenant schema.

Company programme: people on the roster, holders of an unused invite, or email addresses in an
allowed domain, up to the quota. Public programme: the age rules, each from its release date.
A refusal says why and what to do (EligibilityRefusedError, a 409 with a code).
"""

from __future__ import annotations

import datetime as dt

from organizers.models import Booking, Programme
from organizers.services.capacity import BookingRefusedError, Person


class EligibilityRefusedError(BookingRefusedError):
    """409: the person may not book this programme (code says why; message says what to do)."""


def eligibility_claim(
    *, programme: Programme, person: Person, invite_token: str | None, now: dt.datetime
) -> None:
    """Check that `person` may book `programme`, inside the booking's transaction, and claim
    what the booking uses (an invite, a place in the quota). Raises EligibilityRefusedError.
    TODO(#4): the rules."""


def eligibility_booked(*, booking: Booking, invite_token: str | None) -> None:
    """After the booking row exists, in the same transaction: mark the invite used by it."""
