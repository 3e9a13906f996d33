"""The month calendar of a venue (step 3 of booking, and moving a booking to another day: the
days with a free seat are links), and a day read from a URL."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import date_format

from organizers.models import Venue
from organizers.selectors import (
    venue_days_taking_bookings,
    venue_next_available_day,
    venue_seats_by_day,
)

MONTHS_AHEAD = 11


@dataclass(frozen=True)
class CalendarCell:
    day: dt.date | None
    seats: int = 0
    url: str = ""
    label: str = ""
    is_today: bool = False
    is_past: bool = False
    full: bool = False  # slots that take bookings, but no free seat


@dataclass(frozen=True)
class MonthCalendar:
    month: dt.date
    title: str
    weekdays: list[str]
    weeks: list[list[CalendarCell]]
    previous_url: str
    next_url: str
    has_seats: bool


def _month_from(text: str | None, default: dt.date) -> dt.date:
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        return default.replace(day=1)


def month_calendar(
    request: HttpRequest,
    *,
    venue: Venue,
    programme_id: int,
    dose: int,
    day_url: Callable[[dt.date], str],
    link_full_days: bool = False,
) -> MonthCalendar:
    """The month in `?bulan=YYYY-MM` (default: the month of the next day with seats), from this
    month to MONTHS_AHEAD later; the days with a free seat link to `day_url(day)`, and so do
    the full days with `link_full_days` (their page offers the waiting list)."""
    now = timezone.now()
    today = venue.local_today()
    first_month = today.replace(day=1)
    last_month = (first_month + dt.timedelta(days=31 * MONTHS_AHEAD)).replace(day=1)
    default = first_month
    if "bulan" not in request.GET:
        next_day = venue_next_available_day(
            venue=venue, programme_id=programme_id, dose=dose, now=now
        )
        default = next_day or today
    month = min(max(_month_from(request.GET.get("bulan"), default), first_month), last_month)
    weeks_of_days = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    seats = venue_seats_by_day(
        venue=venue,
        programme_id=programme_id,
        dose=dose,
        first_day=month,
        last_day=weeks_of_days[-1][-1],
        now=now,
    )
    taking = venue_days_taking_bookings(
        venue=venue,
        programme_id=programme_id,
        first_day=month,
        last_day=weeks_of_days[-1][-1],
        now=now,
    )
    weeks = []
    for week in weeks_of_days:
        row = []
        for day in week:
            if day.month != month.month:
                row.append(CalendarCell(day=None))
                continue
            left = seats.get(day, 0)
            full = not left and day in taking
            label = date_format(day, "l, j F Y")
            row.append(
                CalendarCell(
                    day=day,
                    seats=left,
                    is_today=day == today,
                    label=label,
                    is_past=day < today,
                    url=day_url(day) if left or (full and link_full_days) else "",
                    full=full,
                )
            )
        weeks.append(row)

    def month_url(target: dt.date) -> str:
        return f"{request.path}?bulan={target:%Y-%m}"

    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    return MonthCalendar(
        month=month,
        title=date_format(month, "F Y"),
        weekdays=[str(WEEKDAYS_ABBR[number]) for number in range(7)],
        weeks=weeks,
        previous_url=month_url(previous) if previous >= first_month else "",
        next_url=month_url(following) if following <= last_month else "",
        has_seats=any(cell.seats for week in weeks for cell in week),
    )


def parse_day(text: str) -> dt.date:
    """A day in a URL: a real date no further than a day back or about a year ahead (nothing is
    bookable outside that, and far-off dates would overflow the date arithmetic)."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise Http404 from None
    today = timezone.localdate()
    if (
        not today - dt.timedelta(days=1)
        <= day
        <= today + dt.timedelta(days=31 * (MONTHS_AHEAD + 1))
    ):
        raise Http404
    return day
