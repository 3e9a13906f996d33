"""The organiser's days off (/kelola/libur/): for every venue or one, listed from today on.
Schedules skip them; slots that already exist on such a day stay open until closed in the
calendar, and the page says so.

Owners and administrators only (organizer_admin_page). Views parse forms and call
organizers.services; they write nothing themselves.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from organizer_pages.forms import BlackoutDayForm, add_service_errors
from organizer_pages.views.access import organizer_admin_page
from organizers.selectors import blackout_day_list, slot_count_on_day, venue_list
from organizers.services.blackout_days import blackout_day_create
from tenants.errors import ApplicationError


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
        "organizer_pages/blackout_day_list.html",
        {"form": form, "blackout_days": blackout_day_list(since=timezone.localdate())},
    )
