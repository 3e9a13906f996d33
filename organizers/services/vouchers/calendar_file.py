"""The e-voucher's calendar file: an RFC 5545 event (.ics) the person's calendar adds, replaces
when the time changes and removes when the booking is cancelled. Tenant schema (reads only).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from organizers.models import Booking
from organizers.services.vouchers.facts import VoucherFacts
from tenants.context import require_current_tenant

# Minutes since this moment number the calendar event's versions (RFC 5545 SEQUENCE).
_SEQUENCE_EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _ics_text(value: str) -> str:
    """RFC 5545 TEXT escaping."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _ics_fold(line: str) -> str:
    """Lines longer than 75 octets are folded (CRLF and a space), never inside a UTF-8
    character."""
    encoded = line.encode("utf-8")
    if len(encoded) <= 75:
        return line
    parts: list[str] = []
    current = ""
    limit = 75
    for char in line:
        if len((current + char).encode("utf-8")) > limit:
            parts.append(current)
            current = char
            limit = 74  # continuation lines start with a space
        else:
            current += char
    parts.append(current)
    return "\r\n ".join(parts)


def _ics_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def voucher_ics(
    booking: Booking,
    facts: VoucherFacts,
    *,
    now: dt.datetime | None = None,
    cancelled: bool = False,
) -> str:
    """An RFC 5545 calendar with one event, times in UTC. The UID is the booking's, so a new
    time replaces the old event in the person's calendar. Call inside translation.override.

    cancelled: the same event as METHOD:CANCEL / STATUS:CANCELLED, one sequence above any
    voucher sent up to this minute (no voucher goes out after a cancellation), so the person's
    calendar removes it."""
    now = now or timezone.now()
    sequence = int((now - _SEQUENCE_EPOCH).total_seconds() // 60) + (1 if cancelled else 0)
    tenant = require_current_tenant()
    slot = booking.slot
    summary = _("Vaccination: %(dose)s, %(brand)s") % {"dose": facts.dose, "brand": facts.brand}
    description = "\n".join(
        (
            _("Voucher code: %(code)s") % {"code": facts.code},
            _("Time: %(date)s, %(time)s") % {"date": facts.date, "time": facts.time},
            _("Bring your KTP (identity card)."),
            facts.organizer_name,
        )
    )
    lines = (
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Sentra//E-voucher//ID",
        "CALSCALE:GREGORIAN",
        "METHOD:CANCEL" if cancelled else "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:booking-{booking.pk}-{tenant.uid}@sentra",
        f"DTSTAMP:{_ics_time(now)}",
        # Rescheduling sends the event again under the same UID: a higher sequence replaces it.
        f"SEQUENCE:{sequence}",
        f"DTSTART:{_ics_time(slot.starts_at)}",
        f"DTEND:{_ics_time(slot.ends_at)}",
        f"SUMMARY:{_ics_text(summary)}",
        f"LOCATION:{_ics_text(f'{facts.venue_name}, {facts.venue_address}')}",
        f"DESCRIPTION:{_ics_text(description)}",
        "STATUS:CANCELLED" if cancelled else "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    )
    return "".join(_ics_fold(line) + "\r\n" for line in lines)
