"""Step 7 of booking: everyone's details, "add another person", the consent and the booking of
the whole party (in the waitlist mode: joining the waiting list, waitlist.py); then the page with
the voucher code(s)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format

from booking_pages.forms import ConsentForm
from booking_pages.views.labels import map_url, slot_labels
from booking_pages.views.waitlist import waitlist_submit
from booking_pages.views.wizard import (
    BOOKING_PEOPLE_MAX,
    DONE,
    INVITE,
    WAITLIST_DONE,
    WIZARD,
    WaitlistPlace,
    already_sent,
    as_person,
    back_to_times,
    client_address,
    email_verified,
    grant_manage_access,
    invite_token_of,
    people_of,
    set_people,
    slot_gone,
    step_context,
    submission_claim,
    wizard_place,
    wizard_save,
    wizard_state,
)
from organizers.access import access_bookings_by_ids
from organizers.models import Dose, Sex, Slot
from organizers.personal_data import mask_nik
from organizers.services.booking import attempt_limits
from organizers.services.booking.place import PartyMember, booking_place_party
from organizers.services.booking.refusals import SLOT_REFUSALS
from tenants.errors import ApplicationError
from tenants.requests import request_tenant


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


def _party(people: list[dict[str, Any]]) -> list[PartyMember]:
    """The people of the review page as the party booking service takes them."""
    return [
        PartyMember(
            person=as_person(person),
            dose=person["dose"],
            email_verified=email_verified(person),
        )
        for person in people
    ]


def review_page(request: HttpRequest) -> HttpResponse:
    """Step 7: everyone's details, "add another person", the consent, and the booking (in the
    waitlist mode: the one person, the consent, and joining the waiting list)."""
    state = wizard_state(request)
    slot = wizard_place(request, state)
    if slot is None:  # a second press after booking or joining: its result; else start again
        return (
            already_sent(request, done_key=DONE, done_url="booking_done")
            or already_sent(request, done_key=WAITLIST_DONE, done_url="waitlist_done")
            or slot_gone(request, state)
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
        set_people(state, people)
        wizard_save(request, state)
        return redirect("booking_person")
    if request.method == "POST" and action.startswith("remove-"):
        number = action.removeprefix("remove-")
        if number.isascii() and number.isdigit() and 1 < int(number) <= len(people):
            del people[int(number) - 1]
            set_people(state, people)
            state["editing"] = len(people)
            wizard_save(request, state)
        return redirect("booking_review")
    form = ConsentForm(request.POST if action == "book" else None)
    error = ""
    limited: attempt_limits.BookingAttemptsLimitedError | None = None
    if action == "book" and form.is_valid():
        if isinstance(slot, WaitlistPlace):
            outcome = waitlist_submit(request, state=state, place=slot, person=people[0])
        else:
            try:
                outcome = _submit(request, state=state, slot=slot, people=people)
            except attempt_limits.BookingAttemptsLimitedError as exc:
                limited, outcome = exc, str(exc.message)
        if isinstance(outcome, HttpResponse):
            return outcome
        error = outcome
    state["token"] = secrets.token_urlsafe(24)  # a new page, a new token
    wizard_save(request, state)
    response = render(
        request,
        "booking_pages/review.html",
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
        status=429 if limited else 400 if (error or form.errors) else 200,
    )
    if limited is not None:
        response["Retry-After"] = str(limited.retry_after)
    return response


def _submit(
    request: HttpRequest,
    *,
    state: dict[str, Any],
    slot: Slot,
    people: list[dict[str, Any]],
) -> HttpResponse | str:
    """Book, once per review page: the page's token is claimed before booking, so a second
    press of the button (or a second tab) does not book twice. A refusal's message otherwise."""
    claim, answer = submission_claim(request, state, done_key=DONE, done_url="booking_done")
    if answer is not None:
        return answer
    token = request.POST["submit_token"]
    try:
        # The one limit of every booking path (per client, and per NIK of each person).
        attempt_limits.booking_attempt_count(
            client=client_address(request), niks=[person["nik"] for person in people]
        )
        bookings = booking_place_party(
            programme_id=slot.programme_id,
            slot_id=slot.id,
            members=_party(people),
            invite_token=invite_token_of(request, slot),
            address=client_address(request),
        )
    except attempt_limits.BookingAttemptsLimitedError:
        cache.delete(claim)  # not booked: the same page may be sent again after the wait
        raise
    except ApplicationError as exc:
        cache.delete(claim)
        if exc.code in SLOT_REFUSALS:
            messages.error(request, str(exc.message))
            state.pop("slot_id", None)
            wizard_save(request, state)
            return back_to_times(request, state, day=slot.day)
        return str(exc.message)
    request.session[DONE] = {"token": token, "ids": [booking.id for booking in bookings]}
    grant_manage_access(request, [booking.id for booking in bookings])
    request.session.pop(INVITE, None)
    request.session[WIZARD] = {"tenant": state["tenant"], "programme_id": slot.programme_id}
    return redirect("booking_done")


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
        "booking_pages/done.html",
        {
            "bookings": bookings,
            "slot": first.slot,
            "venue": first.slot.venue,
            "map_url": map_url(first.slot.venue),
            "emails": sorted({booking.email for booking in bookings if booking.email}),
        },
    )
