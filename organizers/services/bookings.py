"""What people do with their bookings, as the booking pages and the API offer it: place one
(eligibility, then the seat, then the e-voucher message, in one transaction), cancel it or
move it (the capacity engine, then the message that tells them). Tenant schema."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from organizers.models import Booking, Message, Programme, WaitlistEntry
from organizers.services import booking_statement, capacity, eligibility
from organizers.services.messages import outbox
from organizers.services.messages.event_keys import event_key
from tenants.errors import ApplicationError, ConflictError, NotFoundError

# A helper books up to this many people in one go (the booking pages' "add another person").
PARTY_SIZE_MAX: int = getattr(settings, "SENTRA_BOOKING_PEOPLE_MAX", 5)

VOUCHER_RESEND_MINUTES = 10  # one resent e-voucher per booking per this many minutes


def booking_place(
    *,
    programme_id: int,
    slot_id: int,
    dose: int,
    person: capacity.Person,
    reserve_next_dose: bool = False,
    invite_token: str | None = None,
    now: dt.datetime | None = None,
    email_verified: bool = False,
    address: str | None = None,
) -> Booking:
    """Book one person: refused (nothing written) if they may not book this programme, or for
    any reason the capacity engine gives. The e-voucher goes out after the commit.

    `email_verified`: the caller proved the person owns `person.email` (the booking pages'
    code); without it someone admitted only by an email domain is refused
    (`email_verification_required`). `address`: the client's address; eligibility refusals are
    counted per address and organiser, and beyond the limit the booking is refused with
    `too_many_attempts` (429) without checking."""
    now = now or timezone.now()
    may_take_statement = booking_statement.statement_may_book(
        dose=dose, reserve_next_dose=reserve_next_dose, invite_token=invite_token
    )
    if may_take_statement and booking_statement.one_statement_admits(
        dose=dose,
        reserve_next_dose=reserve_next_dose,
        invite_token=invite_token,
        age_bands=eligibility.public_age_bands(programme_id),
        date_of_birth=person.date_of_birth,
        today=timezone.localdate(now),
    ):
        # The rush path, decided as the rush front decides it: a public programme whose age
        # rules (known without a query for a few seconds) admit this person: the capacity
        # engine's single statement is the booking.
        return capacity.booking_create(
            programme_id=programme_id,
            slot_id=slot_id,
            dose=dose,
            person=person,
            reserve_next_dose=reserve_next_dose,
            now=now,
        )
    capacity.tenant_takes_bookings_check()  # "not taking bookings yet" before eligibility
    if address is not None:
        eligibility.refusals_allowed(address=address)
    with transaction.atomic():
        programme = Programme.objects.filter(id=programme_id, is_active=True).first()
        if programme is None:
            raise NotFoundError(_("This programme does not exist."), code="programme_not_found")
        try:
            claim = eligibility.eligibility_claim(
                programme=programme,
                person=person,
                invite_token=invite_token,
                now=now,
                email_verified=email_verified,
            )
        except eligibility.EligibilityRefusedError as exc:
            if address is not None:
                eligibility.refusal_counted(address=address, code=exc.code)
            raise
        booking = capacity.booking_create(
            programme_id=programme_id,
            slot_id=slot_id,
            dose=dose,
            person=person,
            reserve_next_dose=reserve_next_dose,
            now=now,
        )
        eligibility.eligibility_booked(booking=booking, invite_token=invite_token, claim=claim)
        return booking


@dataclasses.dataclass(frozen=True)
class PartyMember:
    """One person of a party booking: who, which dose, and whether the caller proved they own
    `person.email` (booking_place's `email_verified`)."""

    person: capacity.Person
    dose: int
    email_verified: bool = False


def booking_place_party(
    *,
    programme_id: int,
    slot_id: int,
    members: Sequence[PartyMember],
    invite_token: str | None = None,
    address: str | None = None,
    now: dt.datetime | None = None,
) -> list[Booking]:
    """Book everyone of a party (a helper and the people they book for) at one slot: one seat
    and one voucher each, every rule of booking_place for each. Tenant schema; one
    transaction: a refusal for anyone books nobody, and its message names the person (when
    there are several). The bookings of more than one person share a party id; their
    e-vouchers go out after the commit. At most PARTY_SIZE_MAX people (`party_too_large`)."""
    if not 1 <= len(members) <= PARTY_SIZE_MAX:
        raise ApplicationError(
            _("Book between 1 and %(most)s people at a time.") % {"most": PARTY_SIZE_MAX},
            code="party_too_large",
        )
    party = uuid.uuid4() if len(members) > 1 else None
    booked: list[Booking] = []
    with transaction.atomic():
        for member in members:
            try:
                booked.append(
                    booking_place(
                        programme_id=programme_id,
                        slot_id=slot_id,
                        dose=member.dose,
                        person=dataclasses.replace(member.person, party=party),
                        invite_token=invite_token,
                        email_verified=member.email_verified,
                        address=address,
                        now=now,
                    )
                )
            except ApplicationError as exc:
                if len(members) > 1:
                    named = {"name": member.person.full_name, "reason": exc.message}
                    exc.message = _("%(name)s: %(reason)s Nobody has been booked yet.") % named
                raise
    return booked


def booking_cancel_with_notice(*, booking_id: int, now: dt.datetime | None = None) -> bool:
    """Cancel (idempotent: False when it was no longer active) and tell the person, once."""
    with transaction.atomic():
        cancelled = capacity.booking_cancel(booking_id=booking_id, now=now)
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
        moved = capacity.booking_reschedule(booking_id=booking_id, new_slot_id=new_slot_id, now=now)
        if before != moved.slot_id:
            outbox.message_record(
                kind=Message.Kind.RESCHEDULED,
                booking=moved,
                event_key=event_key(
                    Message.Kind.RESCHEDULED, moved.id, moved.slot_id, int(now.timestamp())
                ),
            )
        return moved


def waitlist_join_checked(
    *,
    programme_id: int,
    venue_id: int,
    day: dt.date,
    dose: int,
    person: capacity.Person,
    invite_token: str | None = None,
    email_verified: bool = False,
    address: str | None = None,
) -> WaitlistEntry:
    """Wait for a seat at a venue on a full day (capacity.waitlist_join), for a person who may
    book the programme: the same eligibility rules as a booking, checked first (without
    claiming an invite or quota: nothing is booked yet). A person admitted only by an email
    domain must have proven the address (`email_verified`, the booking pages' code), else
    `email_verification_required`. `address`: the client's, for counting eligibility refusals.
    Tenant schema; one transaction; a refusal writes nothing."""
    with transaction.atomic():
        claim = eligibility.eligibility_check(
            programme_id=programme_id, person=person, invite_token=invite_token, address=address
        )
        if claim.by_email_domain and not email_verified:
            raise eligibility.email_verification_required()
        return capacity.waitlist_join(
            programme_id=programme_id, venue_id=venue_id, day=day, dose=dose, person=person
        )


def waitlist_offer_accept_checked(*, token: str, now: dt.datetime | None = None) -> Booking:
    """Accept a waitlist offer (capacity.waitlist_offer_accept) after the company programme's
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
                    eligibility.quota_claim(programme=programme, key=entry.person_key)
        return capacity.waitlist_offer_accept(token=token, now=now)


def booking_voucher_resend(*, booking_id: int, now: dt.datetime | None = None) -> bool:
    """Send the e-voucher of an active booking again, to its email address: at most once every
    VOUCHER_RESEND_MINUTES per booking (the outbox's event key holds the time bucket, so a
    second request inside it records nothing and returns False). Refused with
    `voucher_not_sendable` for a cancelled booking or one without an email address. Tenant
    schema; one transaction; the message goes out after the commit."""
    now = now or timezone.now()
    bucket = int(now.timestamp() // (VOUCHER_RESEND_MINUTES * 60))
    with transaction.atomic():
        booking = (
            Booking.objects.select_related("slot__venue", "programme")
            .filter(id=booking_id, status=Booking.Status.ACTIVE)
            .first()
        )
        if booking is None or not booking.email:
            raise ConflictError(
                _("This booking has no e-voucher to send: it is cancelled or has no email."),
                code="voucher_not_sendable",
            )
        sent = outbox.message_record(
            kind=Message.Kind.RESEND, booking=booking, event_key=f"resend:{booking.id}:{bucket}"
        )
    return sent is not None
