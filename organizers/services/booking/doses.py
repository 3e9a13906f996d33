"""The rules of a later dose: the previous dose booked, the same vaccine, the brand's interval
between the two (check_dose_interval, check_interval_days), and reserving the second dose with
the first (reserve_next_dose). Tenant schema; inside the caller's transaction."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from organizers.models import Booking, Programme, Slot
from organizers.services.booking.person import PERSON_COLUMNS
from organizers.services.booking.refusals import refusal_error
from organizers.services.booking.rows import insert_booking
from organizers.services.booking.seats import take_seat
from tenants.errors import ApplicationError
from tenants.models import DoseIntervalRule


def slot_local_date(slot: Slot) -> dt.date:
    return slot.starts_at.astimezone(ZoneInfo(slot.venue.time_zone)).date()


def check_dose_interval(
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
    check_interval_days(previous=previous, dose=dose, slot=slot)
    return previous


def check_interval_days(*, previous: Booking, dose: int, slot: Slot) -> None:
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


def reserve_next_dose(*, booking: Booking, now: dt.datetime) -> Booking:
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
        if take_seat(slot_id=slot_id, dose=2, now=now, ignore_window=True):
            return insert_booking(
                programme_id=booking.programme_id,
                slot_id=slot_id,
                dose=2,
                **{column: getattr(booking, column) for column in PERSON_COLUMNS},
                vaccine_brand=booking.vaccine_brand,
                first_dose=booking,
                created_at=now,
            )
    raise refusal_error("next_dose_full")
