"""Builders for organiser data inside a tenant schema (call them inside tenant_scope)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from organizers.models import (
    AgeRule,
    BlackoutDay,
    Booking,
    IdempotencyRecord,
    Invite,
    Message,
    Programme,
    RosterEntry,
    RosterImport,
    Slot,
    SlotTemplate,
    Venue,
    WaitlistEntry,
)
from organizers.nik import nik_compose
from organizers.services.booking.person import Person
from tenants.context import tenant_scope
from tenants.models import Tenant

_nik = itertools.count(1)


def a_valid_nik(date_of_birth: dt.date = dt.date(1958, 3, 14), *, sex: str = "F") -> str:
    """A NIK that passes the NIK rules for this date of birth and sex, distinct per call
    (district and serial from a counter; the region is Kota Bandung, 32 73)."""
    number = next(_nik)
    district, serial = divmod(number, 9999)
    return nik_compose(
        date_of_birth, sex=sex, region=f"3273{district % 100:02d}", serial=serial + 1
    )


def a_person(
    *,
    nik: str | None = None,
    name: str = "Siti Aminah",
    date_of_birth: dt.date = dt.date(1958, 3, 14),
    **fields: object,
) -> Person:
    """Siti, born 14 March 1958 (a woman: her NIK's day is 54); `fields` override the rest."""
    values: dict = {"phone": "+6281234567890", "email": "siti@example.id", **fields}
    return Person(
        nik=nik or a_valid_nik(date_of_birth, sex=str(values.get("sex") or "F")),
        date_of_birth=date_of_birth,
        full_name=name,
        **values,
    )


def a_programme(**overrides: object) -> Programme:
    fields = {"name": "Vaksinasi Umum", "kind": "public", "vaccine_brands": ["sinovac"]}
    return Programme.objects.create(**{**fields, **overrides})


def a_venue(**overrides: object) -> Venue:
    fields = {
        "name": "Puskesmas Cempaka",
        "address": "Jl. Cempaka 1",
        "city": "Bandung",
        "province": "Jawa Barat",
        "status": "approved",
        "vaccine_brands": ["sinovac"],
    }
    return Venue.objects.create(**{**fields, **overrides})


def a_slot(
    *,
    venue: Venue,
    programme: Programme,
    starts_in: dt.timedelta = dt.timedelta(days=2),
    capacity: int = 10,
    brand: str = "sinovac",
    **overrides: object,
) -> Slot:
    now = timezone.now()
    starts_at = (now + starts_in).replace(second=0, microsecond=0)
    fields = {
        "venue": venue,
        "programme": programme,
        "starts_at": starts_at,
        "ends_at": starts_at + dt.timedelta(minutes=30),
        "capacity": capacity,
        "vaccine_brand": brand,
        "booking_opens_at": now - dt.timedelta(days=1),
        "booking_closes_at": starts_at - dt.timedelta(hours=1),
    }
    return Slot.objects.create(**{**fields, **overrides})


def organizer_data_delete(tenant: Tenant) -> None:
    """Clean-up for tests that commit data in a session tenant: everything the organiser ran,
    in an order the foreign keys accept."""
    with tenant_scope(tenant):
        for model in (
            Message,
            Invite,
            RosterEntry,
            RosterImport,
            AgeRule,
            WaitlistEntry,
            IdempotencyRecord,
            Booking,
            Slot,
            SlotTemplate,
            BlackoutDay,
            Venue,
            Programme,
        ):
            model.objects.all().delete()
