"""The organiser's schedule pages under /kelola/lokasi/<id>/ and /kelola/slot/: a schedule
(slot template) and the slots it makes, the venue's week calendar, and one slot's settings.

Owners and administrators only (organizer_admin_page). Views parse forms and call
organizers.services; they write nothing themselves.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organizer_pages.forms import SlotForm, SlotTemplateForm, add_service_errors
from organizer_pages.views.access import organizer_admin_page
from organizers.access import access_slot_by_id, access_slot_template_by_id, access_venue_by_id
from organizers.models import SlotTemplate, Venue
from organizers.selectors import (
    programme_list_active,
    vaccine_brand_names,
    venue_week_calendar,
    week_start_for,
)
from organizers.services.slots import (
    GenerationResult,
    slot_settings_update,
    slot_template_create_with_slots,
)
from public_site.views.not_found import not_found_is_404
from tenants.errors import ApplicationError


def _calendar_url(venue: Venue, day: dt.date) -> str:
    week = week_start_for(day).isoformat()
    return f"{reverse('venue_calendar', args=[venue.id])}?minggu={week}"


# Schedules


def _generation_message(result: GenerationResult) -> str:
    parts = (
        ngettext("%(count)s slot created.", "%(count)s slots created.", result.created),
        ngettext(
            "%(count)s existing slot kept as it was.",
            "%(count)s existing slots kept as they were.",
            result.kept,
        ),
        ngettext(
            "%(count)s day off skipped.",
            "%(count)s days off skipped.",
            result.skipped_blackout_days,
        ),
    )
    counts = (result.created, result.kept, result.skipped_blackout_days)
    # "0 slots created" is worth saying; "0 days off skipped" is not.
    return " ".join(
        part % {"count": count}
        for index, (part, count) in enumerate(zip(parts, counts, strict=True))
        if count or index == 0
    )


@organizer_admin_page
def slot_template_create_page(request: HttpRequest, venue_id: int) -> HttpResponse:
    with not_found_is_404():
        venue = access_venue_by_id(venue_id=venue_id)
    names = vaccine_brand_names()
    programmes = programme_list_active()
    first_day = venue.local_today() + dt.timedelta(days=1)
    initial = {
        "programme": programmes.first(),
        "first_day": first_day,
        "last_day": first_day + dt.timedelta(days=6),
        "weekdays": [0, 1, 2, 3, 4],
        "opens": dt.time(8, 0),
        "closes": dt.time(15, 0),
        "break1_start": dt.time(12, 0),
        "break1_end": dt.time(13, 0),
        "slot_minutes": 30,
        "capacity_mode": SlotTemplate.CapacityMode.TYPED,
        "opens_days_before": 7,
        "opens_at_time": dt.time(10, 0),
        "closes_hours_before": 2,
    }
    form = SlotTemplateForm(
        request.POST or None,
        initial=initial,
        programmes=programmes,
        brand_choices=[(code, names.get(code, code)) for code in venue.vaccine_brands],
    )
    if request.method == "POST" and form.is_valid():
        try:
            template, result = slot_template_create_with_slots(
                venue=venue, **form.service_arguments()
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _generation_message(result))
            return redirect("slot_template_detail", venue_id=venue.id, template_id=template.id)
    return render(
        request,
        "organizer_pages/slot_template_form.html",
        {"form": form, "venue": venue, "has_programmes": programmes.exists()},
    )


@organizer_admin_page
def slot_template_detail_page(
    request: HttpRequest, venue_id: int, template_id: int
) -> HttpResponse:
    with not_found_is_404():
        template = access_slot_template_by_id(venue_id=venue_id, template_id=template_id)
    injections = (
        template.slot_minutes // template.minutes_per_injection
        if template.capacity_mode == SlotTemplate.CapacityMode.COMPUTED
        and template.minutes_per_injection
        else None
    )
    return render(
        request,
        "organizer_pages/slot_template_detail.html",
        {
            "template": template,
            "venue": template.venue,
            "injections_per_lane": injections,
            "weekday_names": [  # the form's choices are WEEKDAYS
                name for number, name in WEEKDAYS.items() if number in template.weekdays
            ],
            "vaccine_name": vaccine_brand_names().get(template.vaccine_brand),
            "slot_count": template.slots.count(),
            "calendar_url": _calendar_url(template.venue, template.first_day),
        },
    )


# The week calendar and one slot


@organizer_admin_page
def venue_calendar_page(request: HttpRequest, venue_id: int) -> HttpResponse:
    with not_found_is_404():
        venue = access_venue_by_id(venue_id=venue_id)
    today = venue.local_today()
    try:
        chosen = dt.date.fromisoformat(request.GET.get("minggu", ""))
    except ValueError:
        chosen = today
    if not dt.date(2000, 1, 1) <= chosen <= dt.date(2999, 12, 31):
        chosen = today  # a week before year 1 or after 9999 cannot even be computed
    week_start = week_start_for(chosen)
    return render(
        request,
        "organizer_pages/venue_calendar.html",
        {
            "venue": venue,
            "today": today,
            "week_start": week_start,
            "week_end": week_start + dt.timedelta(days=6),
            "days": venue_week_calendar(venue=venue, week_start=week_start),
            "previous_week": (week_start - dt.timedelta(days=7)).isoformat(),
            "next_week": (week_start + dt.timedelta(days=7)).isoformat(),
            "this_week": week_start_for(today).isoformat(),
        },
    )


@organizer_admin_page
def slot_edit_page(request: HttpRequest, slot_id: int) -> HttpResponse:
    with not_found_is_404():
        slot = access_slot_by_id(slot_id=slot_id)
    # The form reads and shows date-times in the venue's own zone (WIB, WITA or WIT).
    with timezone.override(ZoneInfo(slot.venue.time_zone)):
        initial = {
            "capacity": slot.capacity,
            "is_closed": slot.is_closed,
            "booking_closes_at": slot.booking_closes_at,
        }
        form = SlotForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                slot_settings_update(
                    slot_id=slot.id,
                    capacity=data["capacity"],
                    is_closed=data["is_closed"],
                    booking_closes_at=data["booking_closes_at"],
                )
            except ApplicationError as exc:
                add_service_errors(form, exc, default_field="capacity")
            else:
                messages.success(request, _("The slot is saved."))
                starts = timezone.localtime(slot.starts_at)
                return redirect(_calendar_url(slot.venue, starts.date()))
        return render(
            request,
            "organizer_pages/slot_form.html",
            {
                "form": form,
                "slot": slot,
                "venue": slot.venue,
                "vaccine_name": vaccine_brand_names().get(slot.vaccine_brand, slot.vaccine_brand),
                "starts": timezone.localtime(slot.starts_at),
                "ends": timezone.localtime(slot.ends_at),
                "calendar_url": _calendar_url(
                    slot.venue, timezone.localtime(slot.starts_at).date()
                ),
            },
        )
