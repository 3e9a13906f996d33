"""Slot configuration: generating slots from templates, per-slot overrides. Tenant schema.
Generating or extending never touches an existing slot (so never a booked seat)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from organizers.models import BlackoutDay, Slot, SlotTemplate
from tenants.errors import ApplicationError


@dataclass(frozen=True)
class GenerationResult:
    created: int
    kept: int
    skipped_blackout_days: int


def template_capacity(*, template: SlotTemplate) -> int:
    """Typed, or computed: lanes x injections per lane in one slot (the capacity calculator)."""
    if template.capacity_mode == SlotTemplate.CapacityMode.COMPUTED:
        if not template.lanes or not template.minutes_per_injection:
            raise ApplicationError(
                _("Give the number of lanes and the minutes per injection."), code="invalid"
            )
        return template.lanes * (template.slot_minutes // template.minutes_per_injection)
    return template.capacity


def _parse_breaks(breaks: list[list[str]]) -> list[tuple[dt.time, dt.time]]:
    parsed = []
    for item in breaks:
        try:
            start, end = (dt.time.fromisoformat(value) for value in item)
        except (TypeError, ValueError) as exc:
            raise ApplicationError(_("A break is written as 12:00-13:00."), code="invalid") from exc
        if end <= start:
            raise ApplicationError(_("A break must end after it starts."), code="invalid")
        parsed.append((start, end))
    return parsed


def template_slot_times(
    *, template: SlotTemplate, day: dt.date
) -> list[tuple[dt.datetime, dt.datetime]]:
    zone = ZoneInfo(template.venue.time_zone)
    breaks = _parse_breaks(template.breaks)
    step = dt.timedelta(minutes=template.slot_minutes)
    start = dt.datetime.combine(day, template.opens, zone)
    close = dt.datetime.combine(day, template.closes, zone)
    times = []
    while start + step <= close:
        end = start + step
        overlaps_break = any(
            start < dt.datetime.combine(day, b_end, zone)
            and end > dt.datetime.combine(day, b_start, zone)
            for b_start, b_end in breaks
        )
        if overlaps_break:
            # Resume right after the break that was hit.
            start = max(
                dt.datetime.combine(day, b_end, zone)
                for b_start, b_end in breaks
                if start < dt.datetime.combine(day, b_end, zone)
                and end > dt.datetime.combine(day, b_start, zone)
            )
            continue
        times.append((start, end))
        start = end
    return times


@transaction.atomic
def slots_generate(*, template: SlotTemplate) -> GenerationResult:
    """Create the template's slots from first_day to last_day. Existing slots at the same venue
    and start are kept as they are (with their bookings and overrides)."""
    capacity = template_capacity(template=template)
    for dose in (1, 2, 3):
        limit = getattr(template, f"capacity_dose{dose}")
        if limit is not None and limit > capacity:
            raise ApplicationError(
                _("A dose's share cannot exceed the seats per slot."), code="invalid"
            )
    zone = ZoneInfo(template.venue.time_zone)
    blackout = set(
        BlackoutDay.objects.filter(
            Q(venue=template.venue) | Q(venue__isnull=True),
            day__range=(template.first_day, template.last_day),
        ).values_list("day", flat=True)
    )
    new_slots: list[Slot] = []
    skipped = 0
    day = template.first_day
    while day <= template.last_day:
        if day.weekday() in template.weekdays:
            if day in blackout:
                skipped += 1
            else:
                opens_at = dt.datetime.combine(
                    day - dt.timedelta(days=template.opens_days_before),
                    template.opens_at_time, zone,
                )  # fmt: skip
                for start, end in template_slot_times(template=template, day=day):
                    new_slots.append(
                        Slot(
                            venue=template.venue, programme=template.programme, template=template,
                            starts_at=start, ends_at=end, capacity=capacity,
                            capacity_dose1=template.capacity_dose1,
                            capacity_dose2=template.capacity_dose2,
                            capacity_dose3=template.capacity_dose3,
                            vaccine_brand=template.vaccine_brand, booking_opens_at=opens_at,
                            booking_closes_at=start
                            - dt.timedelta(hours=template.closes_hours_before),
                        )
                    )  # fmt: skip
        day += dt.timedelta(days=1)
    starts = [slot.starts_at for slot in new_slots]
    before = Slot.objects.filter(venue=template.venue, starts_at__in=starts).count()
    Slot.objects.bulk_create(new_slots, ignore_conflicts=True)
    after = Slot.objects.filter(venue=template.venue, starts_at__in=starts).count()
    return GenerationResult(created=after - before, kept=before, skipped_blackout_days=skipped)


def slot_capacity_set(*, slot_id: int, capacity: int) -> Slot:
    """Change a slot's seats; refused with a clear message below what is already booked. The
    guard is in the UPDATE itself, so a booking racing with this change cannot slip through."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE organizers_slot SET capacity = %s WHERE id = %s AND booked <= %s",
            [capacity, slot_id, capacity],
        )
        changed = cursor.rowcount
    slot = Slot.objects.get(id=slot_id)
    if not changed:
        raise ApplicationError(
            _("%(booked)s seats are already booked: the capacity cannot be lower.")
            % {"booked": slot.booked},
            code="capacity_below_booked",
        )
    return slot


def slot_override(
    *,
    slot_id: int,
    vaccine_brand: str | None = None,
    booking_closes_at: dt.datetime | None = None,
    is_closed: bool | None = None,
) -> Slot:
    fields = {
        name: value
        for name, value in (
            ("vaccine_brand", vaccine_brand),
            ("booking_closes_at", booking_closes_at),
            ("is_closed", is_closed),
        )
        if value is not None
    }
    if vaccine_brand is not None and Slot.objects.filter(id=slot_id, booked__gt=0).exists():
        raise ApplicationError(
            _("People have booked this slot: its vaccine cannot change."), code="slot_has_bookings"
        )
    Slot.objects.filter(id=slot_id).update(**fields)
    return Slot.objects.get(id=slot_id)
