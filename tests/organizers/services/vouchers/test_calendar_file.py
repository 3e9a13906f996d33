"""The e-voucher's calendar file: RFC 5545, times in UTC, the voucher code in the description,
long lines folded without splitting a character."""

from __future__ import annotations

import datetime as dt
import re

from organizers.services.vouchers.calendar_file import _ics_fold
from organizers.services.vouchers.rendering import voucher_files
from tenants.context import tenant_scope
from tests.conftest import OrganizerFixture
from tests.organizers.services.vouchers.file_readers import ics_lines
from tests.organizers.services.vouchers.voucher_bookings import a_booking


def test_calendar_file_is_rfc5545_with_utc_times_and_the_code(tenant_a: OrganizerFixture) -> None:
    with tenant_scope(tenant_a.tenant):
        booking = a_booking(time_zone="Asia/Jayapura")
        _facts, files = voucher_files(booking)

    lines = ics_lines(files.ics)
    fields = dict(line.split(":", 1) for line in lines)
    starts = dt.datetime.strptime(fields["DTSTART"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    ends = dt.datetime.strptime(fields["DTEND"], "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    assert (lines[0], lines[-1]) == ("BEGIN:VCALENDAR", "END:VCALENDAR")
    assert starts == booking.slot.starts_at
    assert starts.hour == 1  # 10:00 WIT is 01:00 UTC
    assert ends == booking.slot.ends_at
    assert fields["UID"].startswith(f"booking-{booking.id}-")
    assert re.fullmatch(r"\d{8}T\d{6}Z", fields["DTSTAMP"])
    assert booking.voucher_code in fields["DESCRIPTION"]
    assert "KTP" in fields["DESCRIPTION"]
    assert fields["LOCATION"].startswith("Puskesmas Cempaka\\, Jl. Cempaka 1")


def test_long_calendar_lines_fold_without_splitting_a_character() -> None:
    line = "DESCRIPTION:" + "é" * 100

    folded = _ics_fold(line)

    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert "".join(part[1:] if i else part for i, part in enumerate(parts)) == line
