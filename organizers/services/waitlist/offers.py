"""Waitlist offers: a freed seat held for the first person waiting (seat_released), accepting
it (waitlist_offer_accept, and waitlist_offer_accept_checked with the company quota), and the
beat job that passes on an expired offer (waitlist_offers_expire). Tenant schema; each in the
caller's or its own transaction.

An offer holds its seat: the slot's counter keeps it counted until the offer is accepted (then
it is the booking's) or expires (then it goes to the next person, or back to the pool).
Invariant: `booked = active bookings + open offers`.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation

from organizers import bookability
from organizers.models import Booking, Message, Programme, Slot, WaitlistEntry
from organizers.services.booking.doses import check_dose_interval, slot_local_date
from organizers.services.booking.refusals import refusal_error
from organizers.services.booking.rows import insert_booking
from organizers.services.booking.seats import free_seat
from organizers.services.eligibility import rules as eligibility_rules
from organizers.services.messages import outbox
from organizers.services.messages.event_keys import event_key

WAITLIST_OFFER_MINUTES = 30


def offerable_slot(*, slot_id: int, dose: int, now: dt.datetime) -> Slot | None:
    """The slot, with its venue, if people can still book it for `dose`: the rule
    (organizers.bookability.slot_bookable_q) without its seat condition, since the seat that
    came free is still counted. None otherwise."""
    return (
        Slot.objects.select_related("venue")
        .filter(bookability.slot_bookable_q(programme_id=None, now=now, dose=dose, seat=False))
        .filter(id=slot_id)
        .first()
    )


def seat_released(*, slot_id: int, dose: int, now: dt.datetime) -> None:
    """A seat came free: hold it for the first person waiting for that venue, day, programme
    and dose, or give it back to the pool."""
    slot = offerable_slot(slot_id=slot_id, dose=dose, now=now)
    # Only a slot people can still book is offered; otherwise the seat goes back to the pool.
    if slot is not None:
        already_booked = Booking.objects.filter(
            programme_id=slot.programme_id,
            dose=dose,
            status=Booking.Status.ACTIVE,
            person_key=OuterRef("person_key"),
        )
        entry = (
            WaitlistEntry.objects.select_for_update(skip_locked=True)
            .filter(
                venue_id=slot.venue_id,
                day=slot_local_date(slot),
                programme_id=slot.programme_id,
                dose=dose,
                status=WaitlistEntry.Status.WAITING,
            )
            .exclude(Exists(already_booked))
            .order_by("created_at", "id")
            .first()
        )
        if entry is not None:
            entry.status = WaitlistEntry.Status.OFFERED
            entry.offered_slot = slot
            entry.offer_token = secrets.token_urlsafe(32)
            entry.offer_expires_at = now + dt.timedelta(minutes=WAITLIST_OFFER_MINUTES)
            entry.save(update_fields=["status", "offered_slot", "offer_token", "offer_expires_at"])
            outbox.message_record(
                kind=Message.Kind.WAITLIST_OFFER,
                waitlist_entry=entry,
                event_key=event_key(Message.Kind.WAITLIST_OFFER, entry.id, entry.offer_token[:8]),
            )
            return  # the seat stays counted: it is held for this person
    free_seat(slot_id=slot_id, dose=dose)


@transaction.atomic
def waitlist_offer_accept(*, token: str, now: dt.datetime | None = None) -> Booking:
    """Turn a held seat into a booking (no counter changes: the seat is already counted)."""
    now = now or timezone.now()
    entry = (
        WaitlistEntry.objects.select_for_update(of=("self",))
        .select_related("offered_slot__venue", "programme")
        .filter(offer_token=token, status=WaitlistEntry.Status.OFFERED)
        .first()
    )
    # An offered entry has both the slot and the expiry (the offer sets them together).
    if entry is None or entry.offer_expires_at is None or entry.offer_expires_at <= now:
        raise refusal_error("offer_not_found")
    slot = entry.offered_slot
    if slot is None or slot.starts_at <= now:
        raise refusal_error("offer_not_found")
    previous = None
    if entry.dose > 1:  # the rules of a later dose hold for a seat from the waitlist too
        previous = check_dose_interval(
            programme=entry.programme, key=entry.person_key, dose=entry.dose, slot=slot
        )
    entry.status = WaitlistEntry.Status.BOOKED
    entry.save(update_fields=["status"])
    booking = insert_booking(
        programme_id=entry.programme_id,
        slot=slot,
        dose=entry.dose,
        person_key=entry.person_key,
        nik_sealed=entry.nik_sealed,
        date_of_birth_sealed=entry.date_of_birth_sealed,
        full_name=entry.full_name,
        phone=entry.phone,
        email=entry.email,
        language=entry.language,
        vaccine_brand=slot.vaccine_brand,
        first_dose=previous,
        created_at=now,
    )
    booking.slot = slot
    outbox.message_record(kind=Message.Kind.VOUCHER, booking=booking)
    return booking


def waitlist_offer_accept_checked(*, token: str, now: dt.datetime | None = None) -> Booking:
    """Accept a waitlist offer (waitlist_offer_accept) after the company programme's
    quota check, in one transaction: the programme row is locked and the people holding an
    active booking counted as for a booking (eligibility), so a seat from the waitlist cannot
    exceed the quota. Refused with `company_quota_full` (nothing booked, the seat stays held
    until the offer expires)."""
    now = now or timezone.now()
    with transaction.atomic():
        entry = (
            WaitlistEntry.objects.select_related("programme")
            .filter(offer_token=token, status=WaitlistEntry.Status.OFFERED)
            .first()
        )
        if (
            entry is not None
            and entry.offer_expires_at is not None
            and entry.offer_expires_at > now
        ):
            programme = entry.programme
            if programme.kind == Programme.Kind.COMPANY and programme.quota is not None:
                with translation.override(entry.language or translation.get_language()):
                    eligibility_rules.quota_claim(programme=programme, key=entry.person_key)
        return waitlist_offer_accept(token=token, now=now)


@transaction.atomic
def waitlist_offers_expire(*, now: dt.datetime | None = None) -> int:
    """Run by beat: an expired offer passes its seat to the next person (or to the pool)."""
    now = now or timezone.now()
    expired = list(
        WaitlistEntry.objects.select_for_update(skip_locked=True).filter(
            status=WaitlistEntry.Status.OFFERED, offer_expires_at__lte=now
        )
    )
    for entry in expired:
        entry.status = WaitlistEntry.Status.EXPIRED
        entry.save(update_fields=["status"])
        if entry.offered_slot_id is not None:  # always, for an offered entry
            seat_released(slot_id=entry.offered_slot_id, dose=entry.dose, now=now)
    return len(expired)
