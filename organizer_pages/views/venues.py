"""The organiser's venue pages under /kelola/lokasi/: the list, adding a venue (it waits for
platform staff's review before it takes bookings) and editing one.

Owners and administrators only (organizer_admin_page). Views parse forms and call
organizers.services; they write nothing themselves.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from organizer_pages.forms import VenueForm, add_service_errors
from organizer_pages.views.access import organizer_admin_page
from organizer_pages.views.vaccine_choices import brand_choices_keeping
from organizers.access import access_venue_by_id
from organizers.geography import time_zone_for_province
from organizers.selectors import vaccine_brand_choices_active, venue_list
from organizers.services.venues import venue_create, venue_update
from public_site.views.not_found import not_found_is_404
from tenants.errors import ApplicationError
from tenants.requests import request_tenant
from tenants.review_selectors import venue_review_reason


@organizer_admin_page
def venue_list_page(request: HttpRequest) -> HttpResponse:
    return render(request, "organizer_pages/venue_list.html", {"venues": venue_list()})


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
    return render(request, "organizer_pages/venue_form.html", {"form": form, "venue": None})


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
    choices = brand_choices_keeping(venue.vaccine_brands)
    form = VenueForm(request.POST or None, initial=initial, brand_choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            venue_update(venue=venue, **_venue_fields(form))
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": venue.name})
            return redirect("venue_list")
    reason = venue_review_reason(tenant=request_tenant(request), venue_id=venue.id)
    return render(
        request,
        "organizer_pages/venue_form.html",
        {"form": form, "venue": venue, "review_reason": reason},
    )
