"""organizers.selectors: the day's slot list built by PostgreSQL (slot_day_json) says exactly
what a Python reading of the same slots says: venue-local ISO times in WIB, WITA and WIT,
seats left overall and per dose, whether each can be booked now, and only that day's slots.
And the invites as the organiser's invites page lists them, each with its latest email's
status."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from organizers.models import Invite, Message, Programme, Slot, Venue
from organizers.selectors import invite_list_with_email_status, slot_day_json
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_programme, a_slot, a_venue


def _expected(slot: Slot, venue: Venue, now: dt.datetime) -> dict:
    zone = ZoneInfo(venue.time_zone)

    def iso(value: dt.datetime) -> str:
        return value.astimezone(zone).isoformat()

    remaining = slot.capacity - slot.booked
    return {
        "id": slot.id,
        "starts_at": iso(slot.starts_at),
        "ends_at": iso(slot.ends_at),
        "vaccine_brand": slot.vaccine_brand,
        "capacity": slot.capacity,
        "remaining": remaining,
        "remaining_by_dose": {str(dose): slot.remaining_for_dose(dose) for dose in (1, 2, 3)},
        "booking_opens_at": iso(slot.booking_opens_at),
        "booking_closes_at": iso(slot.booking_closes_at),
        "bookable": slot.booking_opens_at <= now < slot.booking_closes_at
        and not slot.is_closed
        and remaining > 0
        and slot.starts_at > now
        and slot.programme.is_active,
    }


@pytest.mark.parametrize("time_zone", ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"])
def test_the_sql_list_matches_the_python_reading(alpha: OrganizerFixture, time_zone: str) -> None:
    zone = ZoneInfo(time_zone)
    programme, other_programme = a_programme(), a_programme(name="Lain")
    venue = a_venue(time_zone=time_zone)
    now = timezone.now()
    day = (now + dt.timedelta(days=3)).astimezone(zone).date()
    midnight = dt.datetime.combine(day, dt.time(), zone)

    def at(hour: float, **kw: object) -> Slot:
        starts = midnight + dt.timedelta(hours=hour)
        return a_slot(
            venue=venue,
            programme=kw.pop("programme", programme),
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=30),
            **kw,
        )

    slots = [
        at(0),  # the first minute of the day, local time
        at(
            8,
            capacity=10,
            booked=3,
            booked_dose1=2,
            booked_dose2=1,
            capacity_dose1=2,
            capacity_dose2=5,
        ),
        at(9, capacity=4, booked=4, booked_dose1=4),  # full
        at(10, is_closed=True),
        at(11, booking_opens_at=now + dt.timedelta(days=1)),  # not open yet
        at(12, booking_opens_at=now - dt.timedelta(hours=1, microseconds=123)),
        at(23.5),  # the last slot of the day
    ]
    at(24)  # the next day
    at(-0.5)  # the day before
    at(13, programme=other_programme)

    listed = json.loads(
        slot_day_json(venue_id=venue.id, day=day, programme_id=programme.id, now=now)
    )
    everything = json.loads(slot_day_json(venue_id=venue.id, day=day, programme_id=None, now=now))

    assert listed == [_expected(Slot.objects.get(id=s.id), venue, now) for s in slots]
    assert len(everything) == len(slots) + 1
    assert listed[5]["booking_opens_at"].count(".") == 1  # microseconds shown when there
    assert listed[1]["remaining_by_dose"] == {"1": 0, "2": 4, "3": 7}


def test_a_venue_that_takes_no_bookings_has_no_list(alpha: OrganizerFixture) -> None:
    pending = a_venue(status="pending")

    assert (
        slot_day_json(
            venue_id=pending.id, day=timezone.localdate(), programme_id=None, now=timezone.now()
        )
        is None
    )
    assert (
        slot_day_json(
            venue_id=10**9, day=timezone.localdate(), programme_id=None, now=timezone.now()
        )
        is None
    )


def test_invites_are_listed_newest_first_with_their_latest_emails_status(
    alpha: OrganizerFixture,
) -> None:
    programme = a_programme(kind=Programme.Kind.COMPANY, uses_invites=True)
    now = timezone.now()
    failed_then_sent, never_mailed, oldest = (
        Invite.objects.create(
            programme=programme,
            email=email,
            token_hash=email,
            created_at=now - dt.timedelta(minutes=age),
        )
        for age, email in ((1, "siti@acme.co.id"), (2, "budi@acme.co.id"), (3, "ani@acme.co.id"))
    )
    for key, status in (("first", Message.Status.FAILED), ("again", Message.Status.SENT)):
        Message.objects.create(
            kind=Message.Kind.INVITE,
            event_key=key,
            invite=failed_then_sent,
            to_email=failed_then_sent.email,
            status=status,
        )

    listed = invite_list_with_email_status(programme=programme, limit=2)

    assert listed == [(failed_then_sent, "sent"), (never_mailed, None)]
    assert oldest.id not in {invite.id for invite, _status in listed}
