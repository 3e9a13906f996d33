"""Changing a booking: whether it may still change (booking_can_change), cancelling it
(booking_cancel) and moving it to another time at the same venue (booking_reschedule), and the
versions the pages and the API call, which also tell the person (booking_cancel_with_notice,
booking_reschedule_with_notice). Tenant schema; each in one transaction: on any refusal nothing
is written. A freed seat goes to the waitlist first (waitlist.offers.seat_released)."""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from organizers.models import Booking, Message, Slot
from organizers.services.booking.doses import check_interval_days
from organizers.services.booking.refusals import refusal_error
from organizers.services.booking.seats import (
    bookable_slot,
    lock_slots_in_order,
    refusal_for_failed_take,
    take_seat,
)
from organizers.services.messages import outbox
from organizers.services.messages.event_keys import event_key
from organizers.services.waitlist.offers import seat_released
from tenants.errors import ApplicationError


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
    seat_released(slot_id=slot_id, dose=dose, now=now)
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
    new_slot = bookable_slot(slot_id=new_slot_id, programme=booking.programme, now=now)
    if new_slot.venue_id != booking.slot.venue_id:
        raise refusal_error("other_venue")
    if new_slot.vaccine_brand != booking.vaccine_brand and (
        booking.dose > 1 or booking.later_doses.filter(status="active").exists()
    ):
        raise refusal_error("brand_mismatch_later_doses")
    if booking.first_dose is not None:
        check_interval_days(previous=booking.first_dose, dose=booking.dose, slot=new_slot)
    for later in booking.later_doses.filter(status="active").select_related("slot__venue"):
        check_interval_days(previous=_as_if_at(booking, new_slot), dose=later.dose, slot=later.slot)
    # Lock both slots in id order before touching either: two people swapping slots at the same
    # moment would otherwise each hold one lock and wait for the other's (a deadlock).
    lock_slots_in_order(booking.slot_id, new_slot.id)
    if not take_seat(slot_id=new_slot.id, dose=booking.dose, now=now):
        raise refusal_for_failed_take(slot_id=new_slot.id, dose=booking.dose, now=now)
    old_slot_id = booking.slot_id
    booking.slot = new_slot
    booking.vaccine_brand = new_slot.vaccine_brand
    booking.save(update_fields=["slot", "vaccine_brand"])
    seat_released(slot_id=old_slot_id, dose=booking.dose, now=now)
    return booking


def _as_if_at(booking: Booking, slot: Slot) -> Booking:
    """The booking as it will be after the move, for checking its later doses' intervals."""
    return Booking(vaccine_brand=booking.vaccine_brand, slot=slot)


def booking_cancel_with_notice(*, booking_id: int, now: dt.datetime | None = None) -> bool:
    """Cancel (idempotent: False when it was no longer active) and tell the person, once."""
    with transaction.atomic():
        cancelled = booking_cancel(booking_id=booking_id, now=now)
        if cancelled:
            booking = Booking.objects.get(id=booking_id)
            outbox.message_record(
                kind=Message.Kind.CANCELLED,
                booking=booking,
                event_key=event_key(Message.Kind.CANCELLED, booking.id),
            )
        return cancelled


def booking_reschedule_with_notice(
    *, booking_id: int, new_slot_id: int, now: dt.datetime | None = None
) -> Booking:
    """Move to another slot and send the new voucher (a new message for every move)."""
    now = now or timezone.now()
    with transaction.atomic():
        before = Booking.objects.filter(id=booking_id).values_list("slot_id", flat=True).first()
        moved = booking_reschedule(booking_id=booking_id, new_slot_id=new_slot_id, now=now)
        if before != moved.slot_id:
            outbox.message_record(
                kind=Message.Kind.RESCHEDULED,
                booking=moved,
                event_key=event_key(
                    Message.Kind.RESCHEDULED, moved.id, moved.slot_id, int(now.timestamp())
                ),
            )
        return moved
