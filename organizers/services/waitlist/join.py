"""Joining the waitlist: waiting for a seat at a venue on a full day (waitlist_join), and the
version the pages and the API call, which checks first who may book the programme
(waitlist_join_checked). Tenant schema; one transaction: a refusal writes nothing. A freed seat
is offered to the first person waiting (waitlist.offers)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from organizers.models import Booking, Programme, Slot, Venue, WaitlistEntry
from organizers.personal_data import person_key, seal
from organizers.services.booking.doses import check_interval_days
from organizers.services.booking.person import Person
from organizers.services.booking.refusals import refusal_error
from organizers.services.booking.request import day_may_hold_slots
from organizers.services.booking.seats import programme_for_booking, tenant_takes_bookings_check
from organizers.services.eligibility import rules as eligibility_rules


@transaction.atomic
def waitlist_join(
    *, programme_id: int, venue_id: int, day: dt.date, dose: int, person: Person
) -> WaitlistEntry:
    """Wait for a seat at a venue on a day. Only when the day is full, only for a person who
    has no booking for this dose, and for a later dose only inside its interval."""
    tenant_takes_bookings_check()
    programme = programme_for_booking(programme_id=programme_id, dose=dose)
    venue = Venue.objects.filter(id=venue_id, status=Venue.Status.APPROVED).first()
    if venue is None:
        raise refusal_error("venue_not_found")
    if not _day_has_times_ahead(venue=venue, programme=programme, day=day):
        raise refusal_error("no_times_that_day")
    key = person_key(person.nik)
    if Booking.objects.filter(
        programme=programme, person_key=key, dose=dose, status=Booking.Status.ACTIVE
    ).exists():
        raise refusal_error("already_booked")
    if _day_has_free_seats(venue=venue, programme=programme, day=day, dose=dose):
        raise refusal_error("seats_available")
    if dose > 1:
        _check_previous_dose_for_day(programme=programme, key=key, dose=dose, venue=venue, day=day)
    try:
        with transaction.atomic():
            return WaitlistEntry.objects.create(
                venue=venue,
                programme=programme,
                day=day,
                dose=dose,
                person_key=key,
                nik_sealed=seal(person.nik, field="nik"),
                date_of_birth_sealed=seal(person.date_of_birth.isoformat(), field="date_of_birth"),
                full_name=person.full_name,
                phone=person.phone,
                email=person.email,
                language=person.language,
            )
    except IntegrityError as exc:
        raise refusal_error("already_waiting") from exc


def _day_has_times_ahead(*, venue: Venue, programme: Programme, day: dt.date) -> bool:
    """Whether the day has an arrival time still to come for this programme at this venue: a
    day in the past, without slots, or out of range (9999-12-31) can never offer a seat, and
    waiting for it would only keep a person's data for nothing."""
    if not day_may_hold_slots(day):
        return False
    zone = ZoneInfo(venue.time_zone)
    start = dt.datetime.combine(day, dt.time(), zone)
    return Slot.objects.filter(
        venue=venue,
        programme=programme,
        starts_at__gte=max(start, timezone.now()),
        starts_at__lt=start + dt.timedelta(days=1),
    ).exists()


def _day_has_free_seats(*, venue: Venue, programme: Programme, day: dt.date, dose: int) -> bool:
    """What the booking pages offer for that day (the same rule: organizers.selectors)."""
    from organizers.selectors import slot_list_bookable_for_day

    return bool(
        slot_list_bookable_for_day(
            venue=venue, programme_id=programme.id, dose=dose, day=day, now=timezone.now()
        )
    )


def _check_previous_dose_for_day(
    *, programme: Programme, key: str, dose: int, venue: Venue, day: dt.date
) -> None:
    """The later-dose rules of booking.doses.check_dose_interval, for a day, not a slot."""
    zone = ZoneInfo(venue.time_zone)
    noon = dt.datetime.combine(day, dt.time(12), zone)
    stand_in = Slot(venue=venue, starts_at=noon, vaccine_brand="")
    previous = (
        Booking.objects.select_related("slot__venue")
        .filter(programme=programme, person_key=key, dose=dose - 1, status="active")
        .first()
    )
    if previous is None:
        raise refusal_error("previous_dose_missing")
    check_interval_days(previous=previous, dose=dose, slot=stand_in)


def waitlist_join_checked(
    *,
    programme_id: int,
    venue_id: int,
    day: dt.date,
    dose: int,
    person: Person,
    invite_token: str | None = None,
    email_verified: bool = False,
    address: str | None = None,
) -> WaitlistEntry:
    """Wait for a seat at a venue on a full day (waitlist_join), for a person who may
    book the programme: the same eligibility rules as a booking, checked first (without
    claiming an invite or quota: nothing is booked yet). A person admitted only by an email
    domain must have proven the address (`email_verified`, the booking pages' code), else
    `email_verification_required`. `address`: the client's, for counting eligibility refusals.
    Tenant schema; one transaction; a refusal writes nothing."""
    with transaction.atomic():
        claim = eligibility_rules.eligibility_check(
            programme_id=programme_id, person=person, invite_token=invite_token, address=address
        )
        if claim.by_email_domain and not email_verified:
            raise eligibility_rules.email_verification_required()
        return waitlist_join(
            programme_id=programme_id, venue_id=venue_id, day=day, dose=dose, person=person
        )
