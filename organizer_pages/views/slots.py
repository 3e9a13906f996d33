"""The organiser's own pages under /kelola/: programmes, venues, schedules (slot templates), the
week calendar, one slot's settings and days off.

Owners and administrators only: anyone else who is signed in gets 404, the same answer as for a
page that does not exist; the anonymous are sent to sign in. Objects are looked up in the
current organiser's schema (the request's), so another organiser's ids simply do not exist
here. Views parse forms and call organizers.services; they write nothing themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organizers.access import (
    access_programme_by_id,
    access_slot_by_id,
    access_slot_template_by_id,
    access_venue_by_id,
)
from organizers.geography import time_zone_for_province
from organizers.models import Dose, Programme, SlotTemplate, Venue
from organizers.selectors import (
    blackout_day_list,
    programme_list,
    programme_list_active,
    slot_count_on_day,
    vaccine_brand_choices_active,
    vaccine_brand_names,
    venue_list,
    venue_week_calendar,
    week_start_for,
)
from organizers.services.blackout_days import blackout_day_create
from organizers.services.programmes import programme_create, programme_update
from organizers.services.slots import (
    GenerationResult,
    slot_settings_update,
    slot_template_create_with_slots,
)
from organizers.services.venues import venue_create, venue_update
from public_site.organizer_forms import (
    BlackoutDayForm,
    ProgrammeForm,
    SlotForm,
    SlotTemplateForm,
    VenueForm,
    add_service_errors,
)
from public_site.views.not_found import not_found_is_404
from tenants.access import access_membership_by_tenant
from tenants.errors import ApplicationError, NotFoundError
from tenants.models import Membership
from tenants.requests import request_tenant

ADMIN_ROLES = (Membership.Role.OWNER, Membership.Role.ADMIN)

View = Callable[..., HttpResponse]


def organizer_admin_page(view: View) -> View:
    """Sign-in first (302 to the sign-in page), then owner or administrator of this host's
    organiser, else 404."""

    @wraps(view)
    def checked(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            access_membership_by_tenant(
                user=request.user, tenant=request_tenant(request), roles=ADMIN_ROLES
            )
        except NotFoundError as exc:
            raise Http404(exc.message) from exc
        return view(request, *args, **kwargs)

    return login_required(checked)


def _calendar_url(venue: Venue, day: dt.date) -> str:
    week = week_start_for(day).isoformat()
    return f"{reverse('venue_calendar', args=[venue.id])}?minggu={week}"


# Venues


def _brand_choices_keeping(current: list[str]) -> list[tuple[str, str]]:
    """The active vaccines, plus any the platform has since retired that this venue or
    programme still names: they stay visible (and removable) instead of vanishing silently."""
    choices = vaccine_brand_choices_active()
    offered = {code for code, _name in choices}
    names = vaccine_brand_names()
    return choices + [(code, names.get(code, code)) for code in current if code not in offered]


@organizer_admin_page
def venue_list_page(request: HttpRequest) -> HttpResponse:
    return render(request, "public_site/kelola/venue_list.html", {"venues": venue_list()})


def _venue_fields(form: VenueForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    # Left on "follow the province": the province's zone (WIB, WITA or WIT).
    data["time_zone"] = data["time_zone"] or time_zone_for_province(data["province"])
    return data


@organizer_admin_page
def venue_create_page(request: HttpRequest) -> HttpResponse:
    form = VenueForm(request.POST or None, brand_choices=vaccine_brand_choices_active())
    if request.method == "POST" and form.is_valid():
        try:
            venue = venue_create(**_venue_fields(form))
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is saved. Platform staff review new venues before they take bookings.")
                % {"name": venue.name},
            )
            return redirect("venue_list")
    return render(request, "public_site/kelola/venue_form.html", {"form": form, "venue": None})


@organizer_admin_page
def venue_edit_page(request: HttpRequest, venue_id: int) -> HttpResponse:
    with not_found_is_404():
        venue = access_venue_by_id(venue_id=venue_id)
    follows_province = venue.time_zone == time_zone_for_province(venue.province)
    initial = {
        "name": venue.name,
        "address": venue.address,
        "province": venue.province,
        "city": venue.city,
        "latitude": venue.latitude,
        "longitude": venue.longitude,
        "time_zone": "" if follows_province else venue.time_zone,
        "facility_code": venue.facility_code,
        "vaccine_brands": venue.vaccine_brands,
        "contact_name": venue.contact_name,
        "contact_phone": venue.contact_phone,
    }
    choices = _brand_choices_keeping(venue.vaccine_brands)
    form = VenueForm(request.POST or None, initial=initial, brand_choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            venue_update(venue=venue, **_venue_fields(form))
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": venue.name})
            return redirect("venue_list")
    return render(request, "public_site/kelola/venue_form.html", {"form": form, "venue": venue})


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
        "public_site/kelola/slot_template_form.html",
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
        "public_site/kelola/slot_template_detail.html",
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
        "public_site/kelola/venue_calendar.html",
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
            "public_site/kelola/slot_form.html",
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


# Days off


@organizer_admin_page
def blackout_day_list_page(request: HttpRequest) -> HttpResponse:
    venues = venue_list()
    form = BlackoutDayForm(request.POST or None, venues=venues)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            blackout = blackout_day_create(
                day=data["day"], venue=data["venue"], reason=data["reason"]
            )
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            existing = slot_count_on_day(day=blackout.day, venue=blackout.venue)
            messages.success(request, _("The day off is saved."))
            if existing:
                messages.warning(
                    request,
                    ngettext(
                        "%(count)s slot already exists on that day. It stays open until you "
                        "close it in the calendar.",
                        "%(count)s slots already exist on that day. They stay open until you "
                        "close them in the calendar.",
                        existing,
                    )
                    % {"count": existing},
                )
            return redirect("blackout_day_list")
    return render(
        request,
        "public_site/kelola/blackout_day_list.html",
        {"form": form, "blackout_days": blackout_day_list(since=timezone.localdate())},
    )


# Programmes


@organizer_admin_page
def programme_list_page(request: HttpRequest) -> HttpResponse:
    names = vaccine_brand_names()
    rows = [
        {
            "programme": programme,
            "vaccines": [names.get(code, code) for code in programme.vaccine_brands],
            "doses": [Dose(number).label for number in programme.doses],
        }
        for programme in programme_list()
    ]
    return render(request, "public_site/kelola/programme_list.html", {"rows": rows})


@organizer_admin_page
def programme_create_page(request: HttpRequest) -> HttpResponse:
    form = ProgrammeForm(
        request.POST or None,
        initial={"kind": Programme.Kind.PUBLIC, "is_active": True},
        brand_choices=vaccine_brand_choices_active(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            programme = programme_create(**form.cleaned_data)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": programme.name})
            return redirect("programme_list")
    return render(
        request, "public_site/kelola/programme_form.html", {"form": form, "programme": None}
    )


@organizer_admin_page
def programme_edit_page(request: HttpRequest, programme_id: int) -> HttpResponse:
    with not_found_is_404():
        programme = access_programme_by_id(programme_id=programme_id)
    initial = {
        "name": programme.name,
        "kind": programme.kind,
        "vaccine_brands": programme.vaccine_brands,
        "doses": programme.doses,
        "is_active": programme.is_active,
    }
    choices = _brand_choices_keeping(programme.vaccine_brands)
    form = ProgrammeForm(request.POST or None, initial=initial, brand_choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            programme_update(programme=programme, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": programme.name})
            return redirect("programme_list")
    return render(
        request, "public_site/kelola/programme_form.html", {"form": form, "programme": programme}
    )
