"""Reads inside the current tenant's schema."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from organizers.bookability import SQL_SLOT_BOOKABLE_ANY_DOSE, slot_bookable_q, sql_dose_offered
from organizers.db import fetch_one_prepared
from organizers.models import (
    AgeRule,
    BlackoutDay,
    Branding,
    Invite,
    Message,
    Programme,
    RosterEntry,
    RosterImport,
    Slot,
    Venue,
    WaitlistEntry,
)
from tenants.models import VaccineBrand


def programme_list_active() -> QuerySet[Programme]:
    return Programme.objects.filter(is_active=True)


def programme_list() -> QuerySet[Programme]:
    """Every programme of the organiser, active or not (the organiser's own pages)."""
    return Programme.objects.order_by("-is_active", "name", "id")


@dataclass(frozen=True)
class DashboardSummary:
    venues: int
    venues_approved: int
    upcoming_slots: int
    upcoming_seats: int
    upcoming_booked: int


def dashboard_summary() -> DashboardSummary:
    venue_counts = Venue.objects.aggregate(
        total=Count("id"), approved=Count("id", filter=Q(status=Venue.Status.APPROVED))
    )
    upcoming = Slot.objects.filter(starts_at__gte=timezone.now()).aggregate(
        slots=Count("id"), seats=Sum("capacity"), booked=Sum("booked")
    )
    return DashboardSummary(
        venues=venue_counts["total"],
        venues_approved=venue_counts["approved"],
        upcoming_slots=upcoming["slots"] or 0,
        upcoming_seats=upcoming["seats"] or 0,
        upcoming_booked=upcoming["booked"] or 0,
    )


def venue_list_bookable() -> QuerySet[Venue]:
    return Venue.objects.filter(status=Venue.Status.APPROVED)


def _iso_sql(column: str) -> str:
    """SQL for what Python's isoformat() gives for `column` in the venue's time zone:
    2026-11-27T09:00:00+08:00, with .ffffff only when there are microseconds."""
    local = f"({column} AT TIME ZONE v.time_zone)"
    offset = f"({local} - ({column} AT TIME ZONE 'UTC'))"
    return (
        f"to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || CASE WHEN extract(microseconds FROM {column})::bigint %% 1000000 <> 0"
        f" THEN to_char({local}, '.US') ELSE '' END"
        f" || CASE WHEN {offset} < interval '0' THEN '-' || to_char(-{offset}, 'HH24:MI')"
        f" ELSE '+' || to_char({offset}, 'HH24:MI') END"
    )


def _remaining_sql(dose: int) -> str:
    """Seats left for `dose`: none where the programme does not offer it (the booking rule's
    own condition), so "bookable and a seat left for the dose" is what the statement does."""
    overall = "(s.capacity - s.booked)"
    return (
        f"CASE WHEN NOT {sql_dose_offered(str(int(dose)))} THEN 0"
        f" WHEN s.capacity_dose{dose} IS NULL THEN {overall} ELSE greatest(0, least("
        f"{overall}, s.capacity_dose{dose} - s.booked_dose{dose})) END"
    )


SLOT_DAY_SQL = f"""
SELECT (
    SELECT coalesce(json_agg(json_build_object(
        'id', s.id,
        'starts_at', {_iso_sql("s.starts_at")},
        'ends_at', {_iso_sql("s.ends_at")},
        'vaccine_brand', s.vaccine_brand,
        'capacity', s.capacity,
        'remaining', s.capacity - s.booked,
        'remaining_by_dose', json_build_object(
            '1', {_remaining_sql(1)}, '2', {_remaining_sql(2)}, '3', {_remaining_sql(3)}),
        'booking_opens_at', {_iso_sql("s.booking_opens_at")},
        'booking_closes_at', {_iso_sql("s.booking_closes_at")},
        'bookable', {SQL_SLOT_BOOKABLE_ANY_DOSE}
    ) ORDER BY s.starts_at), '[]'::json)::text
      FROM organizers_slot s
      JOIN organizers_programme p ON p.id = s.programme_id
     WHERE s.venue_id = v.id
       AND s.starts_at >= (%(day)s::date)::timestamp AT TIME ZONE v.time_zone
       AND s.starts_at < (%(day)s::date + 1)::timestamp AT TIME ZONE v.time_zone
       AND (%(programme)s::bigint IS NULL OR s.programme_id = %(programme)s::bigint)
)
  FROM organizers_venue v
 WHERE v.id = %(venue)s AND v.status = 'approved'
"""  # noqa: S608 - only this module's constant fragments are formatted in


def slot_day_json(
    *, venue_id: int, day: dt.date, programme_id: int | None, now: dt.datetime
) -> str | None:
    """A bookable venue's slots on `day` (the venue's own date) as the JSON list the booking
    API answers with (see api.v1.serializers.SlotSerializer), times in the venue's time zone;
    None when the venue does not exist or takes no bookings. Built by PostgreSQL in one
    prepared statement: at opening hour this list is asked for thousands of times, and
    building it through the ORM cost ten times as much."""
    row = fetch_one_prepared(SLOT_DAY_SQL, slot_day_params(venue_id, day, programme_id, now))
    return None if row is None else row[0]


def slot_day_params(
    venue_id: int, day: dt.date, programme_id: int | None, now: dt.datetime
) -> dict[str, object]:
    """The parameters of SLOT_DAY_SQL (the rush front runs the same statement)."""
    return {"venue": venue_id, "day": day, "programme": programme_id, "now": now}


def waitlist_position(*, entry: WaitlistEntry) -> int:
    """1 for the first person waiting for that venue, day, programme and dose."""
    return WaitlistEntry.objects.filter(
        venue_id=entry.venue_id,
        day=entry.day,
        programme_id=entry.programme_id,
        dose=entry.dose,
        status=WaitlistEntry.Status.WAITING,
        created_at__lte=entry.created_at,
    ).count()


def waitlist_offer_get(*, token: str, now: dt.datetime) -> WaitlistEntry | None:
    """An open waitlist offer by its token (still held, slot still ahead), with its slot."""
    entry = (
        WaitlistEntry.objects.select_related("offered_slot__venue", "programme")
        .filter(offer_token=token, status=WaitlistEntry.Status.OFFERED, offer_expires_at__gt=now)
        .first()
    )
    if entry is None or entry.offered_slot is None or entry.offered_slot.starts_at <= now:
        return None
    return entry


def venue_list() -> QuerySet[Venue]:
    """Every venue of the organiser, whatever its review status (the organiser's own pages)."""
    return Venue.objects.order_by("name", "id")


def vaccine_brand_names() -> dict[str, str]:
    """Vaccine code -> name, from the platform's list (public schema), inactive ones included so
    old schedules still read well."""
    return dict(VaccineBrand.objects.values_list("code", "name"))


def vaccine_brand_choices_active() -> list[tuple[str, str]]:
    return list(VaccineBrand.objects.filter(is_active=True).values_list("code", "name"))


def blackout_day_list(*, since: dt.date) -> QuerySet[BlackoutDay]:
    return BlackoutDay.objects.filter(day__gte=since).select_related("venue").order_by("day", "id")


def slot_count_on_day(*, day: dt.date, venue: Venue | None = None) -> int:
    """Slots on `day` at `venue` (or at every venue), each venue's day in its own time zone."""
    venues = [venue] if venue is not None else list(Venue.objects.only("id", "time_zone"))
    if not venues:
        return 0
    within = Q()
    for each in venues:
        start = dt.datetime.combine(day, dt.time(), ZoneInfo(each.time_zone))
        within |= Q(venue=each, starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1))
    return Slot.objects.filter(within).count()


@dataclass(frozen=True)
class CalendarSlot:
    id: int
    starts: dt.time
    ends: dt.time
    booked: int
    capacity: int
    is_closed: bool
    vaccine_brand: str

    @property
    def is_full(self) -> bool:
        return self.booked >= self.capacity

    @property
    def fill_percent(self) -> int:
        """Seats taken as a whole percentage; a slot without seats counts as full."""
        if self.capacity <= 0:
            return 100
        return round(self.booked * 100 / self.capacity)


@dataclass(frozen=True)
class CalendarDay:
    day: dt.date
    slots: list[CalendarSlot]
    blackout_reason: str | None  # None: not a day off; "" a day off without a reason

    @property
    def booked(self) -> int:
        return sum(slot.booked for slot in self.slots)

    @property
    def capacity(self) -> int:
        return sum(slot.capacity for slot in self.slots)


def week_start_for(day: dt.date) -> dt.date:
    """The Monday of `day`'s week."""
    return day - dt.timedelta(days=day.weekday())


def venue_week_calendar(*, venue: Venue, week_start: dt.date) -> list[CalendarDay]:
    """Seven days from `week_start` at `venue`, dates and times in the venue's time zone, with
    each day's slots and whether it is a day off. Two queries."""
    zone = ZoneInfo(venue.time_zone)
    days = [week_start + dt.timedelta(days=offset) for offset in range(7)]
    start = dt.datetime.combine(days[0], dt.time(), zone)
    end = dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time(), zone)
    by_day: dict[dt.date, list[CalendarSlot]] = {day: [] for day in days}
    slots = Slot.objects.filter(venue=venue, starts_at__gte=start, starts_at__lt=end).order_by(
        "starts_at"
    )
    for slot in slots.only(
        "id", "starts_at", "ends_at", "booked", "capacity", "is_closed", "vaccine_brand"
    ):
        starts, ends = slot.starts_at.astimezone(zone), slot.ends_at.astimezone(zone)
        by_day[starts.date()].append(
            CalendarSlot(
                id=slot.id,
                starts=starts.time(),
                ends=ends.time(),
                booked=slot.booked,
                capacity=slot.capacity,
                is_closed=slot.is_closed,
                vaccine_brand=slot.vaccine_brand,
            )
        )
    blackout: dict[dt.date, str] = {}
    for day, reason, venue_id in BlackoutDay.objects.filter(
        Q(venue=venue) | Q(venue__isnull=True), day__range=(days[0], days[-1])
    ).values_list("day", "reason", "venue_id"):
        # A venue's own reason is more telling than the organiser-wide one.
        if day not in blackout or venue_id is not None:
            blackout[day] = reason
    return [
        CalendarDay(day=day, slots=by_day[day], blackout_reason=blackout.get(day)) for day in days
    ]


# --- The booking pages: what a person may book -------------------------------------------------


def _bookable_slots(
    *, programme_id: int, now: dt.datetime, dose: int | None = None
) -> QuerySet[Slot]:
    """Slots a person could book now (for `dose`, or for some dose): the booking rule as the
    ORM reads it (organizers.bookability.slot_bookable_q). The booking engine decides for
    real; this is what the pages offer."""
    return Slot.objects.filter(slot_bookable_q(programme_id=programme_id, now=now, dose=dose))


def venue_list_for_programme(*, programme_id: int, now: dt.datetime, dose: int = 1) -> list[Venue]:
    """Approved venues with slots of this programme still to come, each with `next_day`: the
    first venue-local day with a seat free for `dose` (None: none bookable now)."""
    venues = list(
        venue_list_bookable()
        .filter(slots__programme_id=programme_id, slots__starts_at__gt=now)
        .distinct()
        .order_by("name", "id")
    )
    for venue in venues:
        venue.next_day = venue_next_available_day(
            venue=venue, programme_id=programme_id, dose=dose, now=now
        )
    return venues


def venue_get_for_programme(*, venue_id: int, programme_id: int) -> Venue | None:
    """An approved venue that has (or had) slots of this programme; None otherwise."""
    return (
        venue_list_bookable()
        .filter(id=venue_id, slots__programme_id=programme_id)
        .distinct()
        .first()
    )


def venue_next_available_day(
    *, venue: Venue, programme_id: int, dose: int, now: dt.datetime
) -> dt.date | None:
    zone = ZoneInfo(venue.time_zone)
    slots = _bookable_slots(programme_id=programme_id, now=now, dose=dose).filter(venue=venue)
    first = slots.order_by("starts_at").values_list("starts_at", flat=True).first()
    return None if first is None else first.astimezone(zone).date()


def venue_seats_by_day(
    *,
    venue: Venue,
    programme_id: int,
    dose: int,
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime,
) -> dict[dt.date, int]:
    """Seats a person could book now for `dose`, per venue-local day from first_day to
    last_day (days without a free seat are left out). One query."""
    zone = ZoneInfo(venue.time_zone)
    start = dt.datetime.combine(first_day, dt.time(), zone)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), zone)
    seats: dict[dt.date, int] = {}
    slots = _bookable_slots(programme_id=programme_id, now=now, dose=dose).filter(
        venue=venue, starts_at__gte=start, starts_at__lt=end
    )
    for slot in slots:
        day = slot.starts_at.astimezone(zone).date()
        seats[day] = seats.get(day, 0) + slot.remaining_for_dose(dose)
    return seats


def venue_days_taking_bookings(
    *,
    venue: Venue,
    programme_id: int,
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime,
) -> set[dt.date]:
    """The venue-local days from first_day to last_day with a slot of this programme that takes
    bookings now (open, ahead, inside its booking window), with or without a free seat: a day
    among them without a free seat is full, and people may wait for a seat on it. One query."""
    zone = ZoneInfo(venue.time_zone)
    start = dt.datetime.combine(first_day, dt.time(), zone)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), zone)
    starts = Slot.objects.filter(
        slot_bookable_q(programme_id=programme_id, now=now, seat=False),
        venue=venue,
        starts_at__gte=start,
        starts_at__lt=end,
    ).values_list("starts_at", flat=True)
    return {starts_at.astimezone(zone).date() for starts_at in starts}


def slot_list_bookable_for_day(
    *, venue: Venue, programme_id: int, dose: int, day: dt.date, now: dt.datetime
) -> list[Slot]:
    """The slots of a venue-local day a person could book now for `dose`, each with
    `seats_left`, in time order."""
    zone = ZoneInfo(venue.time_zone)
    start = dt.datetime.combine(day, dt.time(), zone)
    slots = _bookable_slots(programme_id=programme_id, now=now, dose=dose).filter(
        venue=venue, starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1)
    )
    found = []
    for slot in slots.order_by("starts_at"):
        slot.seats_left = slot.remaining_for_dose(dose)
        slot.venue = venue  # known already: no query per slot for its labels
        found.append(slot)
    return found


def slot_get_bookable(*, slot_id: int, programme_id: int, now: dt.datetime) -> Slot | None:
    """The slot if a person could book it now for some dose (each dose's own seats are the
    booking engine's to decide), with its venue and programme."""
    return (
        _bookable_slots(programme_id=programme_id, now=now)
        .select_related("venue", "programme")
        .filter(id=slot_id)
        .first()
    )


def branding_get() -> Branding | None:
    """The organiser's branding row, or None before the first save. Pages read the cached
    organizers.services.branding.display.branding_view_get instead."""
    return Branding.objects.filter(id=1).first()


# Who may book a programme: what the organiser's eligibility pages list


def age_rule_list(*, programme: Programme) -> QuerySet[AgeRule]:
    return AgeRule.objects.filter(programme=programme)


def roster_entry_list(*, programme: Programme) -> QuerySet[RosterEntry]:
    """In the roster's order (name, then id): pages of it stay stable."""
    return RosterEntry.objects.filter(programme=programme)


def roster_import_list_recent(*, programme: Programme, limit: int) -> list[RosterImport]:
    """The programme's latest imports, newest first (the running one, if any, among them)."""
    return list(RosterImport.objects.filter(programme=programme)[:limit])


def invite_count(*, programme: Programme) -> int:
    return Invite.objects.filter(programme=programme).count()


def invite_list_with_email_status(
    *, programme: Programme, limit: int
) -> list[tuple[Invite, str | None]]:
    """The newest `limit` invites, each with its email's delivery (the outbox: the status of
    its latest message, waiting, sent or failed; None if none was queued). One query."""
    latest = Message.objects.filter(invite=OuterRef("pk")).order_by("-id").values("status")[:1]
    listed = Invite.objects.filter(programme=programme).annotate(email_status=Subquery(latest))
    return [(invite, invite.email_status) for invite in listed[:limit]]
