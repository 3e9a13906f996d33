"""The waitlist mode of the booking pages: a full day's page starts it (one person, no arrival
time, the email address required: a place that comes free is offered by email), the review page
joins the list with the same eligibility rules as a booking, and the done page shows the place
in the queue. The offer that follows: waitlist_offer.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from booking_pages.views.wizard import (
    WAITLIST_DONE,
    WIZARD,
    WaitlistPlace,
    as_person,
    back_to_times,
    client_address,
    email_verified,
    invite_token_of,
    people_of,
    set_people,
    submission_claim,
    wizard_save,
    wizard_state,
)
from organizers.access import access_waitlist_entry_by_id
from organizers.models import Programme, Venue, WaitlistEntry
from organizers.selectors import waitlist_position
from organizers.services.waitlist.join import waitlist_join_checked
from organizers.services.waitlist.offers import WAITLIST_OFFER_MINUTES
from tenants.errors import ApplicationError, NotFoundError


def waitlist_start(
    request: HttpRequest, *, programme: Programme, venue: Venue, day: dt.date
) -> HttpResponse:
    """The waitlist mode: one person (the first one entered so far is kept), no arrival time."""
    state = wizard_state(request)
    people = people_of(state)[:1]
    state = {
        "tenant": state["tenant"],
        "programme_id": programme.id,
        "venue_id": venue.id,
        "waitlist": day.isoformat(),
        "editing": 0,
    }
    if people:
        set_people(state, people)
    wizard_save(request, state)
    if people and people[0].get("complete"):
        return redirect("booking_contact")  # the email is required now: check it
    return redirect("booking_person")


def waitlist_submit(
    request: HttpRequest, *, state: dict[str, Any], place: WaitlistPlace, person: dict[str, Any]
) -> HttpResponse | str:
    """Join the waiting list, once per review page (the page's token is claimed first, as for
    a booking). The same eligibility rules as a booking; a refusal writes nothing. When seats
    came free meanwhile, back to the day's times."""
    claim, answer = submission_claim(
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
            person=as_person(person),
            invite_token=invite_token_of(request, place),
            email_verified=email_verified(person),
            address=client_address(request),
        )
    except ApplicationError as exc:
        cache.delete(claim)
        if exc.code == "seats_available":
            messages.error(
                request, _("Places have come free on this day. Choose a time and book it.")
            )
            state.pop("waitlist", None)
            wizard_save(request, state)
            return back_to_times(request, state, day=place.day)
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
        "booking_pages/waitlist_done.html",
        {
            "entry": entry,
            "venue": entry.venue,
            "day_label": date_format(entry.day, "l, j F Y"),
            "position": waitlist_position(entry=entry) if waiting else 0,
            "waiting": waiting,
            "offer_minutes": WAITLIST_OFFER_MINUTES,
        },
    )
