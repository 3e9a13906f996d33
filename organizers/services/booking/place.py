"""Placing bookings, as the booking pages and the API offer it: one person (booking_place:
eligibility, then the seat, then the e-voucher message, in one transaction), a party
(booking_place_party), and sending a booking's e-voucher again (booking_voucher_resend).
Tenant schema. Cancelling and moving: booking.changes; the waitlist: waitlist.join and
waitlist.offers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizers.models import Booking, Message, Programme
from organizers.services.booking import engine, statement
from organizers.services.booking.person import Person
from organizers.services.booking.seats import tenant_takes_bookings_check
from organizers.services.eligibility import attempts as eligibility_attempts
from organizers.services.eligibility import facts as eligibility_facts
from organizers.services.eligibility import rules as eligibility_rules
from organizers.services.messages import outbox
from tenants.errors import ApplicationError, ConflictError, NotFoundError

# A helper books up to this many people in one go (the booking pages' "add another person").
PARTY_SIZE_MAX: int = getattr(settings, "SENTRA_BOOKING_PEOPLE_MAX", 5)

VOUCHER_RESEND_MINUTES = 10  # one resent e-voucher per booking per this many minutes


def booking_place(
    *,
    programme_id: int,
    slot_id: int,
    dose: int,
    person: Person,
    reserve_next_dose: bool = False,
    invite_token: str | None = None,
    now: dt.datetime | None = None,
    email_verified: bool = False,
    address: str | None = None,
) -> Booking:
    """Book one person: refused (nothing written) if they may not book this programme, or for
    any reason the booking engine (booking.engine) gives. The e-voucher goes out after the commit.

    `email_verified`: the caller proved the person owns `person.email` (the booking pages'
    code); without it someone admitted only by an email domain is refused
    (`email_verification_required`). `address`: the client's address; eligibility refusals are
    counted per address and organiser, and beyond the limit the booking is refused with
    `too_many_attempts` (429) without checking."""
    now = now or timezone.now()
    may_take_statement = statement.statement_may_book(
        dose=dose, reserve_next_dose=reserve_next_dose, invite_token=invite_token
    )
    if may_take_statement and statement.one_statement_admits(
        dose=dose,
        reserve_next_dose=reserve_next_dose,
        invite_token=invite_token,
        age_bands=eligibility_facts.public_age_bands(programme_id),
        date_of_birth=person.date_of_birth,
        today=timezone.localdate(now),
    ):
        # The rush path, decided as the rush front decides it: a public programme whose age
        # rules (known without a query for a few seconds) admit this person: the booking
        # engine's single statement is the booking.
        return engine.booking_create(
            programme_id=programme_id,
            slot_id=slot_id,
            dose=dose,
            person=person,
            reserve_next_dose=reserve_next_dose,
            now=now,
        )
    tenant_takes_bookings_check()  # "not taking bookings yet" before eligibility
    if address is not None:
        eligibility_attempts.refusals_allowed(address=address)
    with transaction.atomic():
        programme = Programme.objects.filter(id=programme_id, is_active=True).first()
        if programme is None:
            raise NotFoundError(_("This programme does not exist."), code="programme_not_found")
        try:
            claim = eligibility_rules.eligibility_claim(
                programme=programme,
                person=person,
                invite_token=invite_token,
                now=now,
                email_verified=email_verified,
            )
        except eligibility_rules.EligibilityRefusedError as exc:
            if address is not None:
                eligibility_attempts.refusal_counted(address=address, code=exc.code)
            raise
        booking = engine.booking_create(
            programme_id=programme_id,
            slot_id=slot_id,
            dose=dose,
            person=person,
            reserve_next_dose=reserve_next_dose,
            now=now,
        )
        eligibility_rules.eligibility_booked(
            booking=booking, invite_token=invite_token, claim=claim
        )
        return booking


@dataclasses.dataclass(frozen=True)
class PartyMember:
    """One person of a party booking: who, which dose, and whether the caller proved they own
    `person.email` (booking_place's `email_verified`)."""

    person: Person
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
