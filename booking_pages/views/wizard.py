"""The booking pages on an organiser's host, for people without an account (often elderly, on
a phone, often helped by family): programme -> venue -> day -> arrival time -> about the
person -> how we reach them -> check and agree -> the voucher.

The answers so far live in the session (server side, host-only cookie), never in hidden form
fields: the people's details (NIK, date of birth, ...) are sealed there like any other personal
data (organizers.personal_data, bound to this organiser), and the chosen arrival time is
checked again when the booking is made. A helper books up to BOOKING_PEOPLE_MAX people in one
go: everyone goes to the same venue, day and arrival time (one seat each, one voucher each),
the simplest thing for a family to understand and to remember; if the booking of one of them
is refused, nobody is booked. Times are the venue's own (WIB, WITA or WIT).

When a day is full, the same pages put one person on that day's waiting list instead (the
waitlist mode: `waitlist` in the session state holds the day, and there is no arrival time);
a place that comes free is offered by email, so the email address is required there.
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizers.access import access_bookings_by_ids, access_waitlist_entry_by_id
from organizers.models import Dose, Programme, Sex, Slot, Venue, WaitlistEntry
from organizers.personal_data import (
    SEALED_SESSION_PEOPLE,
    PersonalDataError,
    mask_nik,
    seal,
    unseal,
)
from organizers.selectors import (
    programme_list_active,
    slot_get_bookable,
    slot_list_bookable_for_day,
    venue_days_taking_bookings,
    venue_get_for_programme,
    venue_list_for_programme,
    venue_next_available_day,
    venue_seats_by_day,
    waitlist_offer_get,
    waitlist_position,
)
from organizers.services import capacity
from organizers.services.bookings import (
    PARTY_SIZE_MAX,
    PartyMember,
    booking_place_party,
    waitlist_join_checked,
    waitlist_offer_accept_checked,
)
from organizers.services.eligibility import eligibility_check
from organizers.services.email_codes import EmailCodeError, email_code_check, email_code_send
from organizers.services.refusals import SLOT_REFUSALS, refusal_message
from public_site.forms_booking import (
    ConsentForm,
    ContactForm,
    EmailCodeForm,
    PersonForm,
    SlotChoiceForm,
)
from tenants.errors import ApplicationError, NotFoundError
from tenants.requests import request_tenant

BOOKING_PEOPLE_MAX = PARTY_SIZE_MAX
STEPS = (
    gettext_lazy("Programme"),
    gettext_lazy("Place"),
    gettext_lazy("Day"),
    gettext_lazy("Time"),
    gettext_lazy("About the person"),
    gettext_lazy("Contact"),
    gettext_lazy("Check and agree"),
)
WIZARD = "booking"
DONE = "booking_done"
WAITLIST_DONE = "waitlist_done"
INVITE = "booking_invite"
PEOPLE_FIELD = SEALED_SESSION_PEOPLE
MONTHS_AHEAD = 11
CONTACT_FIELDS = ("phone", "email", "address", "employee_number")


def step_context(number: int) -> dict[str, Any]:
    return {"step": number, "steps_total": len(STEPS), "step_name": STEPS[number - 1]}


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


# --- The month calendar (also used to reschedule) --------------------------------------------


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


# --- The wizard's state in the session --------------------------------------------------------


def _state(request: HttpRequest) -> dict[str, Any]:
    state = request.session.get(WIZARD) or {}
    if state.get("tenant") != str(request_tenant(request).uid):
        return {"tenant": str(request_tenant(request).uid)}
    return dict(state)


def _save(request: HttpRequest, state: dict[str, Any]) -> None:
    request.session[WIZARD] = state


def people_of(state: dict[str, Any]) -> list[dict[str, Any]]:
    if not state.get("people"):
        return []
    try:
        return json.loads(unseal(state["people"], field=PEOPLE_FIELD))
    except (PersonalDataError, ValueError):
        return []


def _set_people(state: dict[str, Any], people: list[dict[str, Any]]) -> None:
    state["people"] = seal(json.dumps(people), field=PEOPLE_FIELD)


def _programme(programme_id: int) -> Programme:
    programme = programme_list_active().filter(id=programme_id).first()
    if programme is None:
        raise Http404
    return programme


def _programme_and_venue(programme_id: int, venue_id: int) -> tuple[Programme, Venue]:
    """An active programme and one of its bookable venues, or 404."""
    programme = _programme(programme_id)
    venue = venue_get_for_programme(venue_id=venue_id, programme_id=programme.id)
    if venue is None:
        raise Http404
    return programme, venue


def _takes_bookings(request: HttpRequest) -> bool:
    return request_tenant(request).review_status == "approved"


def _wizard_slot(request: HttpRequest, state: dict[str, Any]) -> Slot | None:
    """The arrival time chosen earlier, if it can still be booked."""
    if not state.get("slot_id"):
        return None
    slot = slot_get_bookable(
        slot_id=state["slot_id"], programme_id=state.get("programme_id", 0), now=timezone.now()
    )
    return slot_labels(slot) if slot is not None else None


@dataclass(frozen=True)
class WaitlistPlace:
    """Where and when a person in the waitlist mode waits: a venue's day, no arrival time. Has
    what the steps' templates read of a slot (`_slot_summary.html`)."""

    programme: Programme
    venue: Venue
    day: dt.date
    day_label: str
    is_waitlist: bool = True

    @property
    def programme_id(self) -> int:
        return self.programme.id

    @property
    def venue_id(self) -> int:
        return self.venue.id


def _wizard_place(request: HttpRequest, state: dict[str, Any]) -> Slot | WaitlistPlace | None:
    """The arrival time chosen earlier if it can still be booked; in the waitlist mode, the
    day being waited for (the engine checks again that it is still full)."""
    waitlist = state.get("waitlist")
    if not waitlist:
        return _wizard_slot(request, state)
    programme = programme_list_active().filter(id=state.get("programme_id", 0)).first()
    venue = (
        venue_get_for_programme(venue_id=state.get("venue_id", 0), programme_id=programme.id)
        if programme is not None
        else None
    )
    if programme is None or venue is None:
        return None
    day = dt.date.fromisoformat(waitlist)
    return WaitlistPlace(
        programme=programme, venue=venue, day=day, day_label=date_format(day, "l, j F Y")
    )


def _slot_gone(request: HttpRequest, state: dict[str, Any]) -> HttpResponse:
    """The chosen arrival time filled up or closed meanwhile (or none was chosen): say so and
    go back to choosing one; the answers about the people are kept."""
    if state.get("slot_id"):
        messages.error(request, refusal_message("slot_no_longer_bookable"))
    return _back_to_times(request, state)


def _back_to_times(
    request: HttpRequest, state: dict[str, Any], *, day: dt.date | None = None
) -> HttpResponse:
    """Back to choosing an arrival time: the day's times, else the calendar, else home."""
    if state.get("programme_id") and state.get("venue_id"):
        if day is not None:
            return redirect(
                "booking_day", state["programme_id"], state["venue_id"], day.isoformat()
            )
        return redirect("booking_venue", state["programme_id"], state["venue_id"])
    return redirect("home")


# --- Steps 1 to 4: programme, place, day, time --------------------------------------------


def programme_page(request: HttpRequest, programme_id: int) -> HttpResponse:
    """Step 2: the places of a programme, with address, map and the next day with seats."""
    programme = _programme(programme_id)
    if not _takes_bookings(request):
        return redirect("home")
    state = _state(request)
    if state.get("programme_id") != programme.id:
        state = {
            "tenant": state["tenant"],
            "programme_id": programme.id,
            "people": state.get("people", ""),
        }
        _save(request, state)
    venues = venue_list_for_programme(
        programme_id=programme.id, now=timezone.now(), dose=programme.first_dose()
    )
    for venue in venues:
        venue.map_url = map_url(venue)
        venue.next_day_label = date_format(venue.next_day, "l, j F Y") if venue.next_day else ""
    return render(
        request,
        "public_site/booking/venues.html",
        {"programme": programme, "venues": venues, **step_context(2)},
    )


def venue_page(request: HttpRequest, programme_id: int, venue_id: int) -> HttpResponse:
    """Step 3: a month calendar; the days with a free seat are links."""
    programme, venue = _programme_and_venue(programme_id, venue_id)
    if not _takes_bookings(request):
        return redirect("home")
    month = month_calendar(
        request,
        venue=venue,
        programme_id=programme.id,
        dose=programme.first_dose(),
        link_full_days=True,
        day_url=lambda day: reverse("booking_day", args=[programme.id, venue.id, day.isoformat()]),
    )
    return render(
        request,
        "public_site/booking/calendar.html",
        {
            "programme": programme,
            "venue": venue,
            "calendar": month,
            "zone": zone_label(venue),
            "back_url": reverse("booking_programme", args=[programme.id]),
            **step_context(3),
        },
    )


def day_page(request: HttpRequest, programme_id: int, venue_id: int, day: str) -> HttpResponse:
    """Step 4: the arrival times of a day with the seats left; choosing one goes on. A full day
    offers its waiting list instead: joining it starts the waitlist mode of the next steps."""
    programme, venue = _programme_and_venue(programme_id, venue_id)
    if not _takes_bookings(request):
        return redirect("home")
    chosen_day = parse_day(day)
    now = timezone.now()
    error = ""
    slots = [
        slot_labels(slot)
        for slot in slot_list_bookable_for_day(
            venue=venue,
            programme_id=programme.id,
            dose=programme.first_dose(),
            day=chosen_day,
            now=now,
        )
    ]
    full = not slots and chosen_day in venue_days_taking_bookings(
        venue=venue, programme_id=programme.id, first_day=chosen_day, last_day=chosen_day, now=now
    )
    if request.method == "POST" and request.POST.get("action") == "waitlist":
        if not full:  # a seat came free meanwhile (or nothing to wait for): the times show it
            return redirect(request.path)
        return _waitlist_start(request, programme=programme, venue=venue, day=chosen_day)
    if request.method == "POST":
        form = SlotChoiceForm(request.POST)
        if form.is_valid():
            slot = slot_get_bookable(
                slot_id=form.cleaned_data["slot"], programme_id=programme.id, now=now
            )
            if slot is not None and slot.venue_id == venue.id:
                state = _state(request)
                state.update(programme_id=programme.id, venue_id=venue.id, slot_id=slot.id)
                state.pop("waitlist", None)
                _save(request, state)
                return redirect("booking_person")
            error = refusal_message("slot_no_longer_bookable")
        else:
            error = _("Choose an arrival time.")
    state = _state(request)
    return render(
        request,
        "public_site/booking/times.html",
        {
            "programme": programme,
            "venue": venue,
            "slots": slots,
            "error": error,
            "day_label": date_format(chosen_day, "l, j F Y"),
            "zone": zone_label(venue),
            "chosen_slot_id": state.get("slot_id"),
            "action": request.path,
            "full": full,
            "offer_minutes": capacity.WAITLIST_OFFER_MINUTES,
            "back_url": f"{reverse('booking_venue', args=[programme.id, venue.id])}"
            f"?bulan={chosen_day:%Y-%m}",
            **step_context(4),
        },
        status=400 if error else 200,
    )


def _waitlist_start(
    request: HttpRequest, *, programme: Programme, venue: Venue, day: dt.date
) -> HttpResponse:
    """The waitlist mode: one person (the first one entered so far is kept), no arrival time."""
    state = _state(request)
    people = people_of(state)[:1]
    state = {
        "tenant": state["tenant"],
        "programme_id": programme.id,
        "venue_id": venue.id,
        "waitlist": day.isoformat(),
        "editing": 0,
    }
    if people:
        _set_people(state, people)
    _save(request, state)
    if people and people[0].get("complete"):
        return redirect("booking_contact")  # the email is required now: check it
    return redirect("booking_person")


# --- Steps 5 and 6: about the person, how we reach them -------------------------------------


def _editing(request: HttpRequest, state: dict[str, Any], people: list[dict[str, Any]]) -> int:
    """Which person the form is about: `?orang=<n>` (1-based) for someone already entered,
    else the one being added."""
    wanted = request.GET.get("orang")
    if wanted and wanted.isascii() and wanted.isdigit() and 1 <= int(wanted) <= len(people):
        state["editing"] = int(wanted) - 1
    index = state.get("editing", 0)
    most = 1 if state.get("waitlist") else BOOKING_PEOPLE_MAX  # one person waits per join
    return min(max(index, 0), len(people), most - 1)


def _person_initial(person: dict[str, Any]) -> dict[str, Any]:
    initial = {key: person[key] for key in ("full_name", "nik", "sex", "dose") if key in person}
    if person.get("date_of_birth"):
        born = dt.date.fromisoformat(person["date_of_birth"])
        initial.update(dob_day=born.day, dob_month=born.month, dob_year=born.year)
    return initial


def person_page(request: HttpRequest) -> HttpResponse:
    """Step 5: name, NIK, date of birth, sex and dose of one person."""
    state = _state(request)
    slot = _wizard_place(request, state)
    if slot is None:
        return _slot_gone(request, state)
    people = people_of(state)
    index = _editing(request, state, people)
    current = people[index] if index < len(people) else {}
    form = PersonForm(
        request.POST or None, programme=slot.programme, initial=_person_initial(current)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        current = {
            **current,
            "full_name": data["full_name"].strip(),
            "nik": data["nik"],
            "date_of_birth": data["date_of_birth"].isoformat(),
            "sex": data["sex"],
            "dose": data["dose"],
        }
        if index < len(people):
            people[index] = current
        else:
            people.append(current)
        _set_people(state, people)
        state["editing"] = index
        _save(request, state)
        return redirect("booking_contact")
    _save(request, state)
    return render(
        request,
        "public_site/booking/person.html",
        {
            "form": form,
            "slot": slot,
            "person_number": index + 1,
            "people_count": len(people),
            **step_context(5),
        },
        status=400 if form.errors else 200,
    )


def contact_page(request: HttpRequest) -> HttpResponse:
    """Step 6: phone, email, address (and employee number) of the person being entered. For a
    second person the first one's contact details are filled in: a helper often gives their
    own."""
    state = _state(request)
    slot = _wizard_place(request, state)
    if slot is None:
        return _slot_gone(request, state)
    people = people_of(state)
    index = state.get("editing", 0)
    if index >= len(people):
        return redirect("booking_person")
    current = people[index]
    initial = {key: current[key] for key in CONTACT_FIELDS if key in current}
    if not initial and people and index > 0:
        initial = {key: people[0].get(key, "") for key in ("phone", "email", "address")}
    invite = request.session.get(INVITE) or {}
    if not initial.get("email") and invite.get("programme_id") == slot.programme_id:
        initial["email"] = invite.get("email", "")
    waitlist = bool(state.get("waitlist"))
    form = ContactForm(
        request.POST or None, programme=slot.programme, initial=initial, waitlist=waitlist
    )
    by_email_domain = False
    if request.method == "POST" and form.is_valid():
        person = {**current, **{key: form.cleaned_data.get(key, "") for key in CONTACT_FIELDS}}
        try:  # an outsider learns now, not after the consent, that they may not book
            by_email_domain = eligibility_check(
                programme_id=slot.programme_id,
                person=_as_person(person, language=""),
                invite_token=_invite_token(request, slot),
                address=_client_address(request),
            ).by_email_domain
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
    if request.method == "POST" and form.is_valid():
        verified = _verified_emails(people)
        if by_email_domain and person["email"] not in verified:
            # Admitted only by the email's domain: prove the address first (a code by email).
            people[index] = {**person, "complete": False}
            _set_people(state, people)
            _save(request, state)
            return _email_code_start(request, state, email=person["email"])
        if by_email_domain:
            person["email_verified"] = person["email"]
        people[index] = {**person, "complete": True}
        _set_people(state, people)
        state["editing"] = len(people)
        _save(request, state)
        return redirect("booking_review")
    return render(
        request,
        "public_site/booking/contact.html",
        {
            "form": form,
            "slot": slot,
            "person_number": index + 1,
            "waitlist": waitlist,
            "person_name": current.get("full_name", ""),
            "back_url": f"{reverse('booking_person')}?orang={index + 1}",
            **step_context(6),
        },
        status=400 if form.errors else 200,
    )


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _verified_emails(people: list[dict[str, Any]]) -> set[str]:
    """Addresses already proven with a code in this booking (a helper often gives one address
    for the whole family)."""
    return {p["email"] for p in people if p.get("email") and p.get("email_verified") == p["email"]}


def _email_code_start(request: HttpRequest, state: dict[str, Any], *, email: str) -> HttpResponse:
    """Send a code to `email` (unless one went there less than a minute ago) and ask for it."""
    # EmailCodeError: a code went to this address less than a minute ago; it is still good.
    with contextlib.suppress(EmailCodeError):
        state["email_code"] = email_code_send(
            email=email,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            previous=state.get("email_code"),
            now=timezone.now(),
        )
    _save(request, state)
    return redirect("booking_email_code")


def email_code_page(request: HttpRequest) -> HttpResponse:
    """Step 6b: the code emailed to the address of a person whom only their email domain
    admits to a company programme. A right code confirms the address and goes on to the check
    step; a new code can be asked for once a minute."""
    state = _state(request)
    slot = _wizard_place(request, state)
    if slot is None:
        return _slot_gone(request, state)
    people = people_of(state)
    index = state.get("editing", 0)
    code_state = state.get("email_code") or {}
    if index >= len(people) or not code_state:
        return redirect("booking_contact")
    current = people[index]
    email = current.get("email", "")
    form = EmailCodeForm(request.POST if request.POST.get("action") != "resend" else None)
    error = ""
    if request.method == "POST" and request.POST.get("action") == "resend":
        try:
            state["email_code"] = email_code_send(
                email=email,
                language=translation.get_language() or settings.LANGUAGE_CODE,
                previous=code_state,
                now=timezone.now(),
            )
            messages.success(
                request, _("A new code has been sent to %(email)s.") % {"email": email}
            )
            _save(request, state)
            return redirect("booking_email_code")
        except EmailCodeError as exc:
            error = str(exc.message)
    elif request.method == "POST" and form.is_valid():
        try:
            email_code_check(
                state=code_state, email=email, code=form.cleaned_data["code"], now=timezone.now()
            )
        except EmailCodeError as exc:
            error = str(exc.message)
            state["email_code"] = code_state  # the try is counted
        else:
            people[index] = {**current, "email_verified": email, "complete": True}
            _set_people(state, people)
            state.pop("email_code", None)
            state["editing"] = len(people)
            _save(request, state)
            return redirect("booking_review")
    _save(request, state)
    return render(
        request,
        "public_site/booking/email_code.html",
        {
            "form": form,
            "error": error,
            "email": email,
            "slot": slot,
            "back_url": f"{reverse('booking_contact')}",
            **step_context(6),
        },
        status=400 if (error or form.errors) else 200,
    )


# --- Step 7: check and agree; the booking -----------------------------------------------------


@dataclass(frozen=True)
class PersonSummary:
    number: int
    full_name: str
    nik_masked: str
    date_of_birth: str
    sex: str
    dose: str
    phone: str
    email: str
    address: str
    employee_number: str


def _summaries(people: list[dict[str, Any]]) -> list[PersonSummary]:
    summaries = []
    for number, person in enumerate(people, start=1):
        born = dt.date.fromisoformat(person["date_of_birth"])
        summaries.append(
            PersonSummary(
                number=number,
                full_name=person["full_name"],
                nik_masked=mask_nik(person["nik"]),
                date_of_birth=date_format(born, "j F Y"),
                sex=str(Sex(person["sex"]).label),
                dose=str(Dose(person["dose"]).label),
                phone=person.get("phone", ""),
                email=person.get("email", ""),
                address=person.get("address", ""),
                employee_number=person.get("employee_number", ""),
            )
        )
    return summaries


def _invite_token(request: HttpRequest, slot: Slot | WaitlistPlace) -> str | None:
    invite = request.session.get(INVITE) or {}
    return invite.get("token") if invite.get("programme_id") == slot.programme_id else None


def _as_person(person: dict[str, Any], *, language: str | None = None) -> capacity.Person:
    """The capacity engine's Person; the booking keeps the language the pages are in now."""
    return capacity.Person(
        nik=person["nik"],
        date_of_birth=dt.date.fromisoformat(person["date_of_birth"]),
        full_name=person["full_name"],
        phone=person.get("phone", ""),
        email=person.get("email", ""),
        sex=person.get("sex", ""),
        address=person.get("address", ""),
        employee_number=person.get("employee_number", ""),
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
    )


def _party(people: list[dict[str, Any]]) -> list[PartyMember]:
    """The people of the review page as the party booking service takes them."""
    return [
        PartyMember(
            person=_as_person(person),
            dose=person["dose"],
            email_verified=_email_verified(person),
        )
        for person in people
    ]


def _email_verified(person: dict[str, Any]) -> bool:
    """This browser proved the person's email address with the code sent to it."""
    return bool(person.get("email")) and person.get("email_verified") == person.get("email")


def review_page(request: HttpRequest) -> HttpResponse:
    """Step 7: everyone's details, "add another person", the consent, and the booking (in the
    waitlist mode: the one person, the consent, and joining the waiting list)."""
    state = _state(request)
    slot = _wizard_place(request, state)
    if slot is None:  # a second press after booking or joining: its result; else start again
        return (
            _already_sent(request, done_key=DONE, done_url="booking_done")
            or _already_sent(request, done_key=WAITLIST_DONE, done_url="waitlist_done")
            or _slot_gone(request, state)
        )
    waitlist = isinstance(slot, WaitlistPlace)
    people = [person for person in people_of(state) if person.get("complete")]
    most = 1 if waitlist else BOOKING_PEOPLE_MAX
    people = people[:most]
    if not people:
        return redirect("booking_person")
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "add" and len(people) < most:
        state["editing"] = len(people)
        _set_people(state, people)
        _save(request, state)
        return redirect("booking_person")
    if request.method == "POST" and action.startswith("remove-"):
        number = action.removeprefix("remove-")
        if number.isascii() and number.isdigit() and 1 < int(number) <= len(people):
            del people[int(number) - 1]
            _set_people(state, people)
            state["editing"] = len(people)
            _save(request, state)
        return redirect("booking_review")
    form = ConsentForm(request.POST if action == "book" else None)
    error = ""
    if action == "book" and form.is_valid():
        if isinstance(slot, WaitlistPlace):
            outcome = _waitlist_submit(request, state=state, place=slot, person=people[0])
        else:
            outcome = _submit(request, state=state, slot=slot, people=people)
        if isinstance(outcome, HttpResponse):
            return outcome
        error = outcome
    state["token"] = secrets.token_urlsafe(24)  # a new page, a new token
    _save(request, state)
    return render(
        request,
        "public_site/booking/review.html",
        {
            "form": form,
            "slot": slot,
            "people": _summaries(people),
            "error": error,
            "can_add": len(people) < most,
            "people_max": BOOKING_PEOPLE_MAX,
            "waitlist": waitlist,
            "organiser": request_tenant(request).name,
            "submit_token": state["token"],
            **step_context(7),
        },
        status=400 if (error or form.errors) else 200,
    )


def _already_sent(request: HttpRequest, *, done_key: str, done_url: str) -> HttpResponse | None:
    """The review page was sent already (this token is the finished one): its result page."""
    token = request.POST.get("submit_token", "")
    if (
        request.method == "POST"
        and token
        and (request.session.get(done_key) or {}).get("token") == token
    ):
        return redirect(done_url)
    return None


def _submission_claim(
    request: HttpRequest, state: dict[str, Any], *, done_key: str, done_url: str
) -> tuple[str, HttpResponse | str | None]:
    """The review page's one-time token, claimed in the cache before anything is written:
    (claim, None) to go ahead; otherwise an answer (the page already sent: its result; a stale
    page: a message to press again)."""
    if (sent := _already_sent(request, done_key=done_key, done_url=done_url)) is not None:
        return "", sent
    token = request.POST.get("submit_token", "")
    if not token or token != state.get("token"):
        return "", _("This page was out of date. Check the details and press the button again.")
    claim = f"{done_key}-submit:{token}"
    if not cache.add(claim, 1, 600):
        return "", redirect(done_url)  # the same page is being sent by another request
    return claim, None


def _submit(
    request: HttpRequest,
    *,
    state: dict[str, Any],
    slot: Slot,
    people: list[dict[str, Any]],
) -> HttpResponse | str:
    """Book, once per review page: the page's token is claimed before booking, so a second
    press of the button (or a second tab) does not book twice. A refusal's message otherwise."""
    claim, answer = _submission_claim(request, state, done_key=DONE, done_url="booking_done")
    if answer is not None:
        return answer
    token = request.POST["submit_token"]
    try:
        bookings = booking_place_party(
            programme_id=slot.programme_id,
            slot_id=slot.id,
            members=_party(people),
            invite_token=_invite_token(request, slot),
            address=_client_address(request),
        )
    except ApplicationError as exc:
        cache.delete(claim)
        if exc.code in SLOT_REFUSALS:
            messages.error(request, str(exc.message))
            state.pop("slot_id", None)
            _save(request, state)
            return _back_to_times(request, state, day=slot.day)
        return str(exc.message)
    request.session[DONE] = {"token": token, "ids": [booking.id for booking in bookings]}
    grant_manage_access(request, [booking.id for booking in bookings])
    request.session.pop(INVITE, None)
    request.session[WIZARD] = {"tenant": state["tenant"], "programme_id": slot.programme_id}
    return redirect("booking_done")


def _waitlist_submit(
    request: HttpRequest, *, state: dict[str, Any], place: WaitlistPlace, person: dict[str, Any]
) -> HttpResponse | str:
    """Join the waiting list, once per review page (the page's token is claimed first, as for
    a booking). The same eligibility rules as a booking; a refusal writes nothing. When seats
    came free meanwhile, back to the day's times."""
    claim, answer = _submission_claim(
        request, state, done_key=WAITLIST_DONE, done_url="waitlist_done"
    )
    if answer is not None:
        return answer
    token = request.POST["submit_token"]
    try:
        entry = waitlist_join_checked(
            programme_id=place.programme_id,
            venue_id=place.venue_id,
            day=place.day,
            dose=person["dose"],
            person=_as_person(person),
            invite_token=_invite_token(request, place),
            email_verified=_email_verified(person),
            address=_client_address(request),
        )
    except ApplicationError as exc:
        cache.delete(claim)
        if exc.code == "seats_available":
            messages.error(
                request, _("Places have come free on this day. Choose a time and book it.")
            )
            state.pop("waitlist", None)
            _save(request, state)
            return _back_to_times(request, state, day=place.day)
        return str(exc.message)
    request.session[WAITLIST_DONE] = {"token": token, "entry_id": entry.id}
    request.session[WIZARD] = {"tenant": state["tenant"], "programme_id": place.programme_id}
    return redirect("waitlist_done")


def waitlist_done_page(request: HttpRequest) -> HttpResponse:
    """On the waiting list: where, which day, the place in the queue and what happens next."""
    waited = request.session.get(WAITLIST_DONE) or {}
    try:
        entry = access_waitlist_entry_by_id(entry_id=waited.get("entry_id") or 0)
    except NotFoundError:
        return redirect("home")
    waiting = entry.status == WaitlistEntry.Status.WAITING
    return render(
        request,
        "public_site/booking/waitlist_done.html",
        {
            "entry": entry,
            "venue": entry.venue,
            "day_label": date_format(entry.day, "l, j F Y"),
            "position": waitlist_position(entry=entry) if waiting else 0,
            "waiting": waiting,
            "offer_minutes": capacity.WAITLIST_OFFER_MINUTES,
        },
    )


def grant_manage_access(request: HttpRequest, booking_ids: list[int]) -> None:
    """This browser may manage these bookings (session, this organiser only)."""
    grants = dict(request.session.get("manage_access") or {})
    tenant = str(request_tenant(request).uid)
    grants[tenant] = sorted(set(grants.get(tenant, [])) | set(booking_ids))[-50:]
    request.session["manage_access"] = grants


def done_page(request: HttpRequest) -> HttpResponse:
    """The voucher code(s) and what happens next."""
    done = request.session.get(DONE) or {}
    ids = done.get("ids") or []
    bookings = access_bookings_by_ids(booking_ids=ids)
    if not bookings:
        return redirect("home")
    for booking in bookings:
        slot_labels(booking.slot)
    first = bookings[0]
    return render(
        request,
        "public_site/booking/done.html",
        {
            "bookings": bookings,
            "slot": first.slot,
            "venue": first.slot.venue,
            "map_url": map_url(first.slot.venue),
            "emails": sorted({booking.email for booking in bookings if booking.email}),
        },
    )


# --- Invite links ---------------------------------------------------------------------------


def invite_page(request: HttpRequest, token: str) -> HttpResponse:
    """/undangan/<token>/: a one-time invite to a company programme. A valid one is kept in the
    session for the booking (which spends it) and leads to the programme's places."""
    from organizers.services.invites import invite_find

    invite = invite_find(token)
    problem = ""
    if invite is None or not invite.programme.is_active:
        problem = _("This invite link is not valid. Check that you opened the whole link.")
    elif invite.revoked_at is not None:
        problem = _("This invite link has been withdrawn by the organiser.")
    elif invite.used_at is not None:
        problem = _(
            "This invite link has already been used for a booking. To change that booking, use "
            "the link in its e-voucher email."
        )
    if problem or invite is None:
        return render(
            request, "public_site/booking/invite_invalid.html", {"problem": problem}, status=404
        )
    request.session[INVITE] = {
        "token": token,
        "programme_id": invite.programme_id,
        "email": invite.email,
    }
    return redirect("booking_programme", invite.programme_id)


# --- A seat offered from the waitlist --------------------------------------------------------


def waitlist_offer_page(request: HttpRequest, token: str) -> HttpResponse:
    """/daftar/tawaran/<token>/: the link in the waitlist email. Shows the held seat and until
    when it is held; the button turns it into a booking (and its e-voucher)."""
    now = timezone.now()
    entry = waitlist_offer_get(token=token, now=now)
    # An open offer has its slot and expiry (the offer sets them together).
    if entry is None or entry.offered_slot is None or entry.offer_expires_at is None:
        return render(request, "public_site/booking/offer.html", {"entry": None}, status=404)
    if request.method == "POST":
        try:
            booking = waitlist_offer_accept_checked(token=token, now=now)
        except ApplicationError as exc:
            return render(
                request,
                "public_site/booking/offer.html",
                {"entry": None, "problem": str(exc.message)},
                status=409,
            )
        grant_manage_access(request, [booking.id])
        request.session[DONE] = {"ids": [booking.id]}
        return redirect("booking_done")
    slot = slot_labels(entry.offered_slot)
    zone = ZoneInfo(slot.venue.time_zone)
    return render(
        request,
        "public_site/booking/offer.html",
        {
            "entry": entry,
            "slot": slot,
            "venue": slot.venue,
            "held_until": (
                f"{entry.offer_expires_at.astimezone(zone):%H:%M} {zone_label(slot.venue)}"
            ),
            "map_url": map_url(slot.venue),
        },
    )
