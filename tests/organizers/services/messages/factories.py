"""Bookings with an email address, for the message tests (call them inside tenant_scope):
each booking records its e-voucher message."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from zoneinfo import ZoneInfo

from django.core import mail
from django.utils import timezone

from organizers.models import Booking
from organizers.services.booking.engine import booking_create
from organizers.services.booking.person import Person
from tests.organizers.factories import a_programme, a_slot, a_venue

NIK = "3273015403580002"


def booking_person(*, email_address: str = "siti@example.id", language: str = "id", nik: str = NIK):
    return Person(
        nik=nik,
        date_of_birth=dt.date(1958, 3, 14),
        full_name="Siti Aminah",
        phone="+6281234567890",
        email=email_address,
        language=language,
    )


def slot_at(*, days: int = 3, hour: int = 10, time_zone: str = "Asia/Makassar", **kw: object):
    zone = ZoneInfo(time_zone)
    programme = kw.pop("programme", None) or a_programme()
    venue = kw.pop("venue", None) or a_venue(name="Puskesmas Cempaka", time_zone=time_zone)
    day = timezone.now().astimezone(zone).date() + dt.timedelta(days=days)
    starts = dt.datetime.combine(day, dt.time(hour, 0), zone)
    return a_slot(
        venue=venue,
        programme=programme,
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=30),
        booking_closes_at=starts - dt.timedelta(hours=1),
        **kw,
    )


def book(*, language: str = "id", email_address: str = "siti@example.id", **kw: object):
    slot = slot_at(**kw)
    booking = booking_create(
        programme_id=slot.programme_id,
        slot_id=slot.id,
        dose=1,
        person=booking_person(language=language, email_address=email_address),
    )
    return Booking.objects.select_related("slot__venue").get(id=booking.id)


def parsed_email(sent: mail.EmailMessage) -> email.message.EmailMessage:
    return email.message_from_bytes(sent.message().as_bytes(), policy=email.policy.default)
