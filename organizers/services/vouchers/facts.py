"""What a person reads on the e-voucher: who, where, when (the venue's local time), which
dose and vaccine, and the short code (`booking.voucher_code`, e.g. K7QM-2XPA) to read out at
the desk. Tenant schema (reads only).
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import formats

from organizers.models import Booking, Dose, Venue
from organizers.personal_data import mask_nik, unseal
from organizers.selectors import vaccine_brand_names
from tenants.context import require_current_tenant

ZONE_NAMES = {choice.value: choice.label for choice in Venue.TimeZone}


@dataclass(frozen=True)
class VoucherFacts:
    """The voucher's facts as a person reads them, in the active language and the venue's
    local time."""

    organizer_name: str
    full_name: str
    nik_masked: str
    venue_name: str
    venue_address: str
    date: str  # "Kamis, 26 November 2026"
    time: str  # "09:00-09:30 WIB"
    dose: str
    brand: str
    code: str


def voucher_facts(booking: Booking, *, brand_names: dict[str, str] | None = None) -> VoucherFacts:
    """Call inside translation.override(<the person's language>). Tenant schema."""
    slot = booking.slot
    venue = slot.venue
    zone = ZoneInfo(venue.time_zone)
    starts, ends = slot.starts_at.astimezone(zone), slot.ends_at.astimezone(zone)
    names = brand_names if brand_names is not None else vaccine_brand_names()
    return VoucherFacts(
        organizer_name=require_current_tenant().name,
        full_name=booking.full_name,
        nik_masked=mask_nik(unseal(booking.nik_sealed, field="nik")),
        venue_name=venue.name,
        venue_address=", ".join(part for part in (venue.address, venue.city) if part),
        date=formats.date_format(starts, "l, j F Y"),
        time=f"{starts:%H:%M}-{ends:%H:%M} {ZONE_NAMES.get(venue.time_zone, venue.time_zone)}",
        dose=str(Dose(booking.dose).label),
        brand=names.get(booking.vaccine_brand, booking.vaccine_brand),
        code=booking.voucher_code,
    )
