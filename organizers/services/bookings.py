"""Placing bookings the way people do it: eligibility, then the seat (capacity engine), then
the e-voucher message, all in one transaction. The booking pages and the API call this.
Tenant schema."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizers.models import Booking, Programme
from organizers.services import capacity, eligibility
from tenants.errors import NotFoundError


def _needs_eligibility(programme: Programme) -> bool:
    return programme.kind == Programme.Kind.COMPANY or programme.age_rules.exists()


def booking_place(
    *,
    programme_id: int,
    slot_id: int,
    dose: int,
    person: capacity.Person,
    reserve_next_dose: bool = False,
    invite_token: str | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    """Book one person: refused (nothing written) if they may not book this programme, or for
    any reason the capacity engine gives. The e-voucher goes out after the commit."""
    now = now or timezone.now()
    programme = Programme.objects.filter(id=programme_id, is_active=True).first()
    if programme is None:
        raise NotFoundError(_("This programme does not exist."), code="programme_not_found")
    if not _needs_eligibility(programme):
        return capacity.booking_create(
            programme_id=programme_id, slot_id=slot_id, dose=dose, person=person,
            reserve_next_dose=reserve_next_dose, now=now,
        )  # fmt: skip
    with transaction.atomic():
        eligibility.eligibility_claim(
            programme=programme, person=person, invite_token=invite_token, now=now
        )
        booking = capacity.booking_create(
            programme_id=programme_id, slot_id=slot_id, dose=dose, person=person,
            reserve_next_dose=reserve_next_dose, now=now,
        )  # fmt: skip
        eligibility.eligibility_booked(booking=booking, invite_token=invite_token)
        return booking
