"""A venue in Papua (WIT, UTC+9, two hours ahead of the server's Jakarta) and its slots, shared
by the organiser-page tests of venues, schedules, days off and who may open them: the pages must
show and read every time in the venue's own zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from organizers.models import BlackoutDay, Programme, Slot, SlotTemplate, Venue
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_venue

JAYAPURA = ZoneInfo("Asia/Jayapura")


def next_monday(weeks_ahead: int = 1) -> dt.date:
    today = timezone.localdate(timezone.now(), JAYAPURA)
    return today + dt.timedelta(days=7 * weeks_ahead - today.weekday())


def papua_venue(**overrides: object) -> Venue:
    fields = {
        "name": "Puskesmas Abepura",
        "address": "Jl. Raya Abepura 2",
        "city": "Kota Jayapura",
        "province": "Papua",
        "time_zone": "Asia/Jayapura",
        "vaccine_brands": ["sinovac"],
    }
    return a_venue(**{**fields, **overrides})


def schedule_counts(tenant: OrganizerFixture) -> dict[str, int]:
    with tenant_scope(tenant.tenant):
        return {
            model.__name__: model.objects.count()
            for model in (Venue, SlotTemplate, Slot, BlackoutDay)
        }


def a_slot_starting(
    venue: Venue, programme: Programme, start: dt.datetime, **fields: object
) -> Slot:
    values = {
        "venue": venue,
        "programme": programme,
        "starts_at": start,
        "ends_at": start + dt.timedelta(minutes=30),
        "capacity": 20,
        "vaccine_brand": "sinovac",
        "booking_opens_at": timezone.now(),
        "booking_closes_at": start - dt.timedelta(hours=2),
    }
    return Slot.objects.create(**{**values, **fields})


VENUE_FORM = {
    "name": "Puskesmas Abepura",
    "address": "Jl. Raya Abepura 2",
    "province": "Papua",
    "city": "Kota Jayapura",
    "latitude": "-2.597700",
    "longitude": "140.637000",
    "time_zone": "",
    "facility_code": "P9471010201",
    "vaccine_brands": ["sinovac", "pfizer"],
    "contact_name": "dr. Maria Kambu",
    "contact_phone": "+62967581234",
}
