"""Steps 2 to 4 of booking (step 1, choosing a programme, is the home page: home.py): the
places of a programme, a venue's month calendar, and a day's arrival times. A full day's page
offers its waiting list instead (waitlist.py)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from booking_pages.forms import SlotChoiceForm
from booking_pages.views.labels import map_url, slot_labels, zone_label
from booking_pages.views.month_calendar import month_calendar, parse_day
from booking_pages.views.waitlist import waitlist_start
from booking_pages.views.wizard import step_context, wizard_save, wizard_state
from organizers.models import Programme, Venue
from organizers.selectors import (
    programme_list_active,
    slot_get_bookable,
    slot_list_bookable_for_day,
    venue_days_taking_bookings,
    venue_get_for_programme,
    venue_list_for_programme,
)
from organizers.services.booking.refusals import refusal_message
from organizers.services.waitlist.offers import WAITLIST_OFFER_MINUTES
from tenants.requests import request_tenant


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
    return request_tenant(request).takes_bookings


def programme_page(request: HttpRequest, programme_id: int) -> HttpResponse:
    """Step 2: the places of a programme, with address, map and the next day with seats."""
    programme = _programme(programme_id)
    if not _takes_bookings(request):
        return redirect("home")
    state = wizard_state(request)
    if state.get("programme_id") != programme.id:
        state = {
            "tenant": state["tenant"],
            "programme_id": programme.id,
            "people": state.get("people", ""),
        }
        wizard_save(request, state)
    venues = venue_list_for_programme(
        programme_id=programme.id, now=timezone.now(), dose=programme.first_dose()
    )
    for venue in venues:
        venue.map_url = map_url(venue)
        venue.next_day_label = date_format(venue.next_day, "l, j F Y") if venue.next_day else ""
    return render(
        request,
        "booking_pages/venues.html",
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
        "booking_pages/calendar.html",
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
        return waitlist_start(request, programme=programme, venue=venue, day=chosen_day)
    if request.method == "POST":
        form = SlotChoiceForm(request.POST)
        if form.is_valid():
            slot = slot_get_bookable(
                slot_id=form.cleaned_data["slot"], programme_id=programme.id, now=now
            )
            if slot is not None and slot.venue_id == venue.id:
                state = wizard_state(request)
                state.update(programme_id=programme.id, venue_id=venue.id, slot_id=slot.id)
                state.pop("waitlist", None)
                wizard_save(request, state)
                return redirect("booking_person")
            error = refusal_message("slot_no_longer_bookable")
        else:
            error = _("Choose an arrival time.")
    state = wizard_state(request)
    return render(
        request,
        "booking_pages/times.html",
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
            "offer_minutes": WAITLIST_OFFER_MINUTES,
            "back_url": f"{reverse('booking_venue', args=[programme.id, venue.id])}"
            f"?bulan={chosen_day:%Y-%m}",
            **step_context(4),
        },
        status=400 if error else 200,
    )
