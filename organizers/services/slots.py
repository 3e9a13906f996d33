"""Slot configuration: generating slots from templates, per-slot overrides. Tenant schema.
Generating or extending never touches an existing slot (so never a booked seat)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizers.models import BlackoutDay, Programme, Slot, SlotTemplate, Venue
from tenants.errors import ApplicationError, UserText


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
                    template.opens_at_time,
                    zone,
                )
                for start, end in template_slot_times(template=template, day=day):
                    new_slots.append(
                        Slot(
                            venue=template.venue,
                            programme=template.programme,
                            template=template,
                            starts_at=start,
                            ends_at=end,
                            capacity=capacity,
                            capacity_dose1=template.capacity_dose1,
                            capacity_dose2=template.capacity_dose2,
                            capacity_dose3=template.capacity_dose3,
                            vaccine_brand=template.vaccine_brand,
                            booking_opens_at=opens_at,
                            booking_closes_at=start
                            - dt.timedelta(hours=template.closes_hours_before),
                        )
                    )
        day += dt.timedelta(days=1)
    starts = [slot.starts_at for slot in new_slots]
    before = Slot.objects.filter(venue=template.venue, starts_at__in=starts).count()
    Slot.objects.bulk_create(new_slots, ignore_conflicts=True)
    after = Slot.objects.filter(venue=template.venue, starts_at__in=starts).count()
    return GenerationResult(created=after - before, kept=before, skipped_blackout_days=skipped)


def slot_template_create_with_slots(
    *, venue: Venue, **schedule: Any
) -> tuple[SlotTemplate, GenerationResult]:
    """A new schedule and its slots (slot_template_create's arguments, then slots_generate),
    together or not at all: one transaction, so a refused generation leaves no schedule
    without slots. Tenant schema."""
    with transaction.atomic():
        template = slot_template_create(venue=venue, **schedule)
        return template, slots_generate(template=template)


def slot_settings_update(
    *, slot_id: int, capacity: int, is_closed: bool, booking_closes_at: dt.datetime | None
) -> Slot:
    """A slot's page, saved: its seats (slot_capacity_set, only when they change: the guard
    against going below what is booked), then closed or not and when booking closes
    (slot_override). One transaction: a refusal of either saves neither. Tenant schema."""
    with transaction.atomic():
        current = Slot.objects.filter(id=slot_id).values_list("capacity", flat=True).first()
        if capacity != current:
            slot_capacity_set(slot_id=slot_id, capacity=capacity)
        return slot_override(
            slot_id=slot_id, is_closed=is_closed, booking_closes_at=booking_closes_at
        )


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
    if (
        booking_closes_at is not None
        and Slot.objects.filter(id=slot_id, ends_at__lte=booking_closes_at).exists()
    ):
        message = _("Booking must close before the slot ends.")
        raise ApplicationError(message, code="invalid", extra={"booking_closes_at": [message]})
    updated = Slot.objects.filter(id=slot_id)
    if vaccine_brand is not None:
        # The guard is in the UPDATE itself: a booking racing this change cannot slip through.
        updated = updated.filter(Q(booked=0) | Q(vaccine_brand=vaccine_brand))
    if not updated.update(**fields) and vaccine_brand is not None:
        raise ApplicationError(
            _("People have booked this slot: its vaccine cannot change."), code="slot_has_bookings"
        )
    return Slot.objects.get(id=slot_id)


# A template is generated in one go; a year of days is already thousands of slots.
TEMPLATE_MAX_DAYS = 366


def _template_errors(
    *, template: SlotTemplate, programme: Programme, today: dt.date
) -> dict[str, list[UserText]]:
    """Every rule a person can break on the schedule form, keyed by the form field."""
    errors: dict[str, list[UserText]] = {}

    def refuse(field: str, message: UserText) -> None:
        errors.setdefault(field, []).append(message)

    if not programme.is_active:
        refuse("programme", _("This programme is not active."))
    if template.first_day < today:
        refuse("first_day", _("The first day cannot be in the past."))
    if template.last_day < template.first_day:
        refuse("last_day", _("The last day cannot be before the first day."))
    elif (template.last_day - template.first_day).days >= TEMPLATE_MAX_DAYS:
        refuse("last_day", _("A schedule covers at most 366 days: make another for later days."))
    if not template.weekdays or not set(template.weekdays) <= set(range(7)):
        refuse("weekdays", _("Choose at least one day of the week."))
    elif template.last_day >= template.first_day and not any(
        (template.first_day + dt.timedelta(days=offset)).weekday() in template.weekdays
        for offset in range(min(7, (template.last_day - template.first_day).days + 1))
    ):
        refuse(
            "weekdays", _("None of these days of the week falls between the first and last day.")
        )
    if template.closes <= template.opens:
        refuse("closes", _("Closing time must be after opening time."))
    if template.slot_minutes < 5:
        refuse("slot_minutes", _("A slot lasts at least 5 minutes."))
    for number, (start_text, end_text) in enumerate(template.breaks, start=1):
        start, end = dt.time.fromisoformat(start_text), dt.time.fromisoformat(end_text)
        if end <= start:
            refuse(f"break{number}_end", _("A break must end after it starts."))
        elif start < template.opens or end > template.closes:
            refuse(f"break{number}_start", _("A break must be within opening hours."))
    if not errors and not template_slot_times(template=template, day=template.first_day):
        refuse("slot_minutes", _("No slot fits between opening and closing time and the breaks."))

    seats = None
    if template.capacity_mode == SlotTemplate.CapacityMode.COMPUTED:
        if not template.lanes or not template.minutes_per_injection:
            field = "minutes_per_injection" if template.lanes else "lanes"
            refuse(field, _("Give the number of lanes and the minutes per injection."))
        elif template.slot_minutes // template.minutes_per_injection == 0:
            refuse("minutes_per_injection", _("One injection takes longer than a slot."))
        else:
            seats = template_capacity(template=template)
    elif not template.capacity:
        refuse("capacity", _("Give the number of seats per slot."))
    else:
        seats = template.capacity
    if seats is not None:
        for dose in (1, 2, 3):
            share = getattr(template, f"capacity_dose{dose}")
            if share is not None and share > seats:
                refuse(
                    f"capacity_dose{dose}", _("A dose's share cannot exceed the seats per slot.")
                )

    if template.vaccine_brand not in template.venue.vaccine_brands:
        refuse("vaccine_brand", _("This venue does not offer this vaccine."))
    elif programme.vaccine_brands and template.vaccine_brand not in programme.vaccine_brands:
        refuse("vaccine_brand", _("This programme does not use this vaccine."))
    return errors


def slot_template_create(
    *,
    venue: Venue,
    programme: Programme,
    first_day: dt.date,
    last_day: dt.date,
    weekdays: list[int],
    opens: dt.time,
    closes: dt.time,
    breaks: list[tuple[dt.time, dt.time]] | None = None,
    slot_minutes: int,
    vaccine_brand: str,
    capacity_mode: str = SlotTemplate.CapacityMode.TYPED,
    capacity: int | None = None,
    lanes: int | None = None,
    minutes_per_injection: int | None = None,
    capacity_dose1: int | None = None,
    capacity_dose2: int | None = None,
    capacity_dose3: int | None = None,
    opens_days_before: int = 7,
    opens_at_time: dt.time = dt.time(10, 0),
    closes_hours_before: int = 2,
) -> SlotTemplate:
    """Check a schedule and save it as a SlotTemplate. Tenant schema; makes no slots (call
    slots_generate, in the same transaction, for that).

    Refusals are one ApplicationError whose `extra` maps form field names (`break1_start` for
    the first break) to translated messages, so a form can show each next to its field. In
    computed mode the seats per slot are stored in `capacity`, as slots_generate computes them.
    """
    computed = capacity_mode == SlotTemplate.CapacityMode.COMPUTED
    template = SlotTemplate(
        venue=venue,
        programme=programme,
        first_day=first_day,
        last_day=last_day,
        weekdays=sorted(set(weekdays)),
        opens=opens,
        closes=closes,
        breaks=[[start.strftime("%H:%M"), end.strftime("%H:%M")] for start, end in breaks or []],
        slot_minutes=slot_minutes,
        capacity_mode=capacity_mode,
        capacity=capacity or 0,
        lanes=lanes if computed else None,
        minutes_per_injection=minutes_per_injection if computed else None,
        capacity_dose1=capacity_dose1,
        capacity_dose2=capacity_dose2,
        capacity_dose3=capacity_dose3,
        vaccine_brand=vaccine_brand,
        opens_days_before=opens_days_before,
        opens_at_time=opens_at_time,
        closes_hours_before=closes_hours_before,
    )
    today = timezone.localdate(timezone.now(), ZoneInfo(venue.time_zone))
    errors = _template_errors(template=template, programme=programme, today=today)
    if errors:
        raise ApplicationError(_("Check the schedule's details."), code="invalid", extra=errors)
    if computed:
        template.capacity = template_capacity(template=template)
    try:
        template.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            _("Check the schedule's details."), code="invalid", extra=exc.message_dict
        ) from exc
    template.save()
    return template
