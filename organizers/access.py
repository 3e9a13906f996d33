"""Access gateways for people who book (no account): a booking is theirs when they hold its
voucher code and know the date of birth. A wrong date of birth and an unknown code give the
same answer, so neither can be probed."""

from __future__ import annotations

import datetime as dt
import hmac

from django.utils.translation import gettext_lazy as _

from organizers.models import Booking
from organizers.personal_data import unseal
from organizers.services.proof_limits import proof_allowed, proof_failed
from tenants.errors import NotFoundError


def access_booking_by_voucher(
    *, voucher_code: str, date_of_birth: dt.date, address: str
) -> Booking:
    """The booking, or NotFoundError; TooManyAttemptsError (429) after too many wrong tries
    for this voucher or from this address (organizers.services.proof_limits)."""
    proof_allowed(voucher_code=voucher_code, address=address)
    booking = (
        Booking.objects.select_related("slot__venue", "programme")
        .filter(voucher_code=voucher_code.strip().upper())
        .first()
    )
    if booking is not None:
        stored = unseal(booking.date_of_birth_sealed, field="date_of_birth")
        if hmac.compare_digest(stored, date_of_birth.isoformat()):
            return booking
    proof_failed(voucher_code=voucher_code, address=address)
    raise NotFoundError(
        _("No booking has this voucher code and date of birth. Check both against the e-voucher."),
        code="booking_not_found",
    )
