"""Steps 5 and 6 of booking: about the person (name, NIK, date of birth, sex, dose) and how we
reach them; and step 6b, the code emailed to an address that only its domain admits to a company
programme. An outsider learns on the contact step, not after the consent, that they may not
book."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from booking_pages.forms import ContactForm, EmailCodeForm, PersonForm
from booking_pages.views.wizard import (
    BOOKING_PEOPLE_MAX,
    INVITE,
    as_person,
    client_address,
    invite_token_of,
    people_of,
    set_people,
    slot_gone,
    step_context,
    wizard_place,
    wizard_save,
    wizard_state,
)
from organizers.services.eligibility.email_codes import (
    EmailCodeError,
    EmailCodeLimitError,
    email_code_check,
    email_code_send,
)
from organizers.services.eligibility.rules import eligibility_check
from tenants.errors import ApplicationError

CONTACT_FIELDS = ("phone", "email", "address", "employee_number")


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
    state = wizard_state(request)
    slot = wizard_place(request, state)
    if slot is None:
        return slot_gone(request, state)
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
        set_people(state, people)
        state["editing"] = index
        wizard_save(request, state)
        return redirect("booking_contact")
    wizard_save(request, state)
    return render(
        request,
        "booking_pages/person.html",
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
    state = wizard_state(request)
    slot = wizard_place(request, state)
    if slot is None:
        return slot_gone(request, state)
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
                person=as_person(person, language=""),
                invite_token=invite_token_of(request, slot),
                address=client_address(request),
            ).by_email_domain
        except ApplicationError as exc:
            form.add_error(None, str(exc.message))
    if request.method == "POST" and form.is_valid():
        verified = _verified_emails(people)
        if by_email_domain and person["email"] not in verified:
            # Admitted only by the email's domain: prove the address first (a code by email).
            people[index] = {**person, "complete": False}
            set_people(state, people)
            wizard_save(request, state)
            return _email_code_start(request, state, email=person["email"])
        if by_email_domain:
            person["email_verified"] = person["email"]
        people[index] = {**person, "complete": True}
        set_people(state, people)
        state["editing"] = len(people)
        wizard_save(request, state)
        return redirect("booking_review")
    return render(
        request,
        "booking_pages/contact.html",
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


def _verified_emails(people: list[dict[str, Any]]) -> set[str]:
    """Addresses already proven with a code in this booking (a helper often gives one address
    for the whole family)."""
    return {p["email"] for p in people if p.get("email") and p.get("email_verified") == p["email"]}


def _email_code_start(request: HttpRequest, state: dict[str, Any], *, email: str) -> HttpResponse:
    """Send a code to `email` (unless one went there less than a minute ago) and ask for it;
    past the hourly limits, back to the contact step with the reason."""
    try:
        state["email_code"] = email_code_send(
            email=email,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            client=client_address(request),
            previous=state.get("email_code"),
            now=timezone.now(),
        )
    except EmailCodeLimitError as exc:
        messages.error(request, str(exc.message))
        wizard_save(request, state)
        return redirect("booking_contact")
    except EmailCodeError:  # a code went to this address less than a minute ago: still good
        pass
    wizard_save(request, state)
    return redirect("booking_email_code")


def email_code_page(request: HttpRequest) -> HttpResponse:
    """Step 6b: the code emailed to the address of a person whom only their email domain
    admits to a company programme. A right code confirms the address and goes on to the check
    step; a new code can be asked for once a minute."""
    state = wizard_state(request)
    slot = wizard_place(request, state)
    if slot is None:
        return slot_gone(request, state)
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
                client=client_address(request),
                previous=code_state,
                now=timezone.now(),
            )
            messages.success(
                request, _("A new code has been sent to %(email)s.") % {"email": email}
            )
            wizard_save(request, state)
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
            set_people(state, people)
            state.pop("email_code", None)
            state["editing"] = len(people)
            wizard_save(request, state)
            return redirect("booking_review")
    wizard_save(request, state)
    return render(
        request,
        "booking_pages/email_code.html",
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
