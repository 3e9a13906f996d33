"""Reminders recorded by beat: the day before each slot, and the note that the second dose can
be booked once its window opens. Tenant schema. Each is an outbox message with its own event
key (organizers.services.messages.outbox), so beat may run as often as it likes.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from organizers.models import Booking, Dose, Message
from organizers.services.messages import event_keys as keys
from organizers.services.messages.content import dose2_window
from organizers.services.messages.outbox import message_record
from tenants.models import DoseIntervalRule

REMINDER_FROM_HOUR = 8  # venue-local: nobody gets a reminder at midnight


def reminders_record(*, now: dt.datetime | None = None) -> int:
    """Run by beat: record the reminder the day before each slot (venue-local day, from 08:00)
    and the note that the dose-2 window has opened. Idempotent: each has its event_key
    (`reminder:<booking id>:<slot id>`, so a booking moved to another day is reminded again;
    `dose2_window:<booking id>`). Returns how many were recorded."""
    now = now or timezone.now()
    recorded = 0
    with transaction.atomic():
        recorded += _reminders_day_before(now=now)
        recorded += _dose2_windows_opening(now=now)
    return recorded


def _local_now(now: dt.datetime, time_zone: str) -> dt.datetime:
    return now.astimezone(ZoneInfo(time_zone))


def _reminders_day_before(*, now: dt.datetime) -> int:
    reminded = Message.objects.filter(
        booking=OuterRef("pk"),
        kind=Message.Kind.REMINDER,
        event_key=keys.event_key_expression(
            Message.Kind.REMINDER, OuterRef("pk"), OuterRef("slot_id")
        ),
    )
    bookings = (
        Booking.objects.select_related("slot__venue")
        .filter(
            status=Booking.Status.ACTIVE,
            slot__starts_at__gt=now,
            slot__starts_at__lt=now + dt.timedelta(hours=48),
        )
        .exclude(email="")
        .exclude(Exists(reminded))
    )
    recorded = 0
    for booking in bookings:
        local_now = _local_now(now, booking.slot.venue.time_zone)
        slot_day = booking.slot.starts_at.astimezone(local_now.tzinfo).date()
        booked_on = booking.created_at.astimezone(local_now.tzinfo).date()
        if slot_day - local_now.date() != dt.timedelta(days=1):
            continue
        if local_now.hour < REMINDER_FROM_HOUR or booked_on == local_now.date():
            continue  # too early in the day, or booked today: the voucher just went out
        if message_record(
            kind=Message.Kind.REMINDER,
            booking=booking,
            event_key=keys.event_key(Message.Kind.REMINDER, booking.id, booking.slot_id),
        ):
            recorded += 1
    return recorded


def _dose2_windows_opening(*, now: dt.datetime) -> int:
    rules = {
        rule.brand_id: rule for rule in DoseIntervalRule.objects.filter(from_dose=1, to_dose=2)
    }
    if not rules:
        return 0
    noted = Message.objects.filter(booking=OuterRef("pk"), kind=Message.Kind.DOSE2_WINDOW)
    second = Booking.objects.filter(
        programme_id=OuterRef("programme_id"),
        person_key=OuterRef("person_key"),
        dose=2,
        status=Booking.Status.ACTIVE,
    )
    shortest = min(rule.min_days for rule in rules.values())
    # A first dose whose every window has closed needs no look: the scan stays bounded.
    longest = max(3650 if rule.max_days is None else rule.max_days for rule in rules.values())
    bookings = (
        Booking.objects.select_related("slot__venue", "programme")
        .filter(
            dose=Dose.FIRST,
            status=Booking.Status.ACTIVE,
            vaccine_brand__in=list(rules),
            slot__starts_at__lte=now - dt.timedelta(days=max(shortest - 1, 0)),
            slot__starts_at__gte=now - dt.timedelta(days=longest + 2),
        )
        .exclude(email="")
        .exclude(Exists(noted))
        .exclude(Exists(second))
    )
    recorded = 0
    for booking in bookings:
        if not booking.programme.offers_dose(2) or not booking.programme.is_active:
            continue
        local_now = _local_now(now, booking.slot.venue.time_zone)
        window = dose2_window(booking, rules[booking.vaccine_brand])
        if window is None:  # not with a rule given; for the type checker
            continue
        opens, closes = window
        if local_now.date() < opens or (closes is not None and local_now.date() > closes):
            continue
        if local_now.hour < REMINDER_FROM_HOUR:
            continue
        if message_record(
            kind=Message.Kind.DOSE2_WINDOW,
            booking=booking,
            event_key=keys.event_key(Message.Kind.DOSE2_WINDOW, booking.id),
        ):
            recorded += 1
    return recorded
