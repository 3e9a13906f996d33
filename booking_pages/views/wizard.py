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

This module holds what the steps share: the steps' names, the wizard's state in the session (the
people sealed, the chosen arrival time or waited-for day checked again on every step), the
capacity engine's Person built from the answers, and the review page's one-time token (claimed
before anything is written). The steps themselves: schedule.py (steps 2 to 4), person.py
(steps 5 and 6), review.py (step 7 and the voucher), waitlist.py (the waitlist mode).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from booking_pages.views.labels import slot_labels
from organizers.models import Programme, Slot, Venue
from organizers.personal_data import SEALED_SESSION_PEOPLE, PersonalDataError, seal, unseal
from organizers.selectors import programme_list_active, slot_get_bookable, venue_get_for_programme
from organizers.services.booking.person import Person
from organizers.services.booking.place import PARTY_SIZE_MAX
from organizers.services.booking.refusals import refusal_message
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


def step_context(number: int) -> dict[str, Any]:
    return {"step": number, "steps_total": len(STEPS), "step_name": STEPS[number - 1]}


# --- The wizard's state in the session --------------------------------------------------------


def wizard_state(request: HttpRequest) -> dict[str, Any]:
    state = request.session.get(WIZARD) or {}
    if state.get("tenant") != str(request_tenant(request).uid):
        return {"tenant": str(request_tenant(request).uid)}
    return dict(state)


def wizard_save(request: HttpRequest, state: dict[str, Any]) -> None:
    request.session[WIZARD] = state


def people_of(state: dict[str, Any]) -> list[dict[str, Any]]:
    if not state.get("people"):
        return []
    try:
        return json.loads(unseal(state["people"], field=PEOPLE_FIELD))
    except (PersonalDataError, ValueError):
        return []


def set_people(state: dict[str, Any], people: list[dict[str, Any]]) -> None:
    state["people"] = seal(json.dumps(people), field=PEOPLE_FIELD)


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


def wizard_place(request: HttpRequest, state: dict[str, Any]) -> Slot | WaitlistPlace | None:
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


def slot_gone(request: HttpRequest, state: dict[str, Any]) -> HttpResponse:
    """The chosen arrival time filled up or closed meanwhile (or none was chosen): say so and
    go back to choosing one; the answers about the people are kept."""
    if state.get("slot_id"):
        messages.error(request, refusal_message("slot_no_longer_bookable"))
    return back_to_times(request, state)


def back_to_times(
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


# --- What the booking engine is given ----------------------------------------------------------


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def invite_token_of(request: HttpRequest, slot: Slot | WaitlistPlace) -> str | None:
    invite = request.session.get(INVITE) or {}
    return invite.get("token") if invite.get("programme_id") == slot.programme_id else None


def as_person(person: dict[str, Any], *, language: str | None = None) -> Person:
    """The booking engine's Person; the booking keeps the language the pages are in now."""
    return Person(
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


def email_verified(person: dict[str, Any]) -> bool:
    """This browser proved the person's email address with the code sent to it."""
    return bool(person.get("email")) and person.get("email_verified") == person.get("email")


# --- The review page, sent once ---------------------------------------------------------------


def already_sent(request: HttpRequest, *, done_key: str, done_url: str) -> HttpResponse | None:
    """The review page was sent already (this token is the finished one): its result page."""
    token = request.POST.get("submit_token", "")
    if (
        request.method == "POST"
        and token
        and (request.session.get(done_key) or {}).get("token") == token
    ):
        return redirect(done_url)
    return None


def submission_claim(
    request: HttpRequest, state: dict[str, Any], *, done_key: str, done_url: str
) -> tuple[str, HttpResponse | str | None]:
    """The review page's one-time token, claimed in the cache before anything is written:
    (claim, None) to go ahead; otherwise an answer (the page already sent: its result; a stale
    page: a message to press again)."""
    if (sent := already_sent(request, done_key=done_key, done_url=done_url)) is not None:
        return "", sent
    token = request.POST.get("submit_token", "")
    if not token or token != state.get("token"):
        return "", _("This page was out of date. Check the details and press the button again.")
    claim = f"{done_key}-submit:{token}"
    if not cache.add(claim, 1, 600):
        return "", redirect(done_url)  # the same page is being sent by another request
    return claim, None


# --- After the booking ------------------------------------------------------------------------


def grant_manage_access(request: HttpRequest, booking_ids: list[int]) -> None:
    """This browser may manage these bookings (session, this organiser only)."""
    grants = dict(request.session.get("manage_access") or {})
    tenant = str(request_tenant(request).uid)
    grants[tenant] = sorted(set(grants.get(tenant, [])) | set(booking_ids))[-50:]
    request.session["manage_access"] = grants
