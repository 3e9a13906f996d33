"""How a slot and a venue read on the booking and manage pages: the day and the time in the
venue's own time zone (WIB, WITA or WIT), and a map link."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.utils.formats import date_format

from organizers.models import Slot, Venue


def zone_label(venue: Venue) -> str:
    return Venue.TimeZone(venue.time_zone).label


def slot_labels(slot: Slot) -> Slot:
    """Adds `day`, `day_label` and `time_label` ("08:00-08:30 WIB", with an en dash), in the
    venue's own time."""
    zone = ZoneInfo(slot.venue.time_zone)
    starts, ends = slot.starts_at.astimezone(zone), slot.ends_at.astimezone(zone)
    slot.day = starts.date()
    slot.day_label = date_format(slot.day, "l, j F Y")
    slot.time_label = f"{starts:%H:%M}\u2013{ends:%H:%M} {zone_label(slot.venue)}"
    return slot


def map_url(venue: Venue) -> str:
    """OpenStreetMap at the venue's coordinates, else a map search for its address."""
    if venue.latitude is not None and venue.longitude is not None:
        return (
            f"https://www.openstreetmap.org/?mlat={venue.latitude}&mlon={venue.longitude}"
            f"#map=17/{venue.latitude}/{venue.longitude}"
        )
    from urllib.parse import quote_plus

    return "https://www.google.com/maps/search/?api=1&query=" + quote_plus(
        f"{venue.name}, {venue.address}, {venue.city}"
    )
