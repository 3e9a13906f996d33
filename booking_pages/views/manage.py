"""Managing a booking without an account (/janji/...): see it, cancel it, move it to another
day or time at the same place, send the e-voucher again.

Access is proven once, by the one-time link from the e-voucher email or by the voucher code
plus the date of birth (with organizers.access's limits on wrong tries), and then kept in the
session for that booking on this organiser's host only (`manage_access`, keyed by the
organiser). Any other booking id is "not found", the same answer as for one that does not
exist. The one-time link spends itself only when the person presses the button on its page
(a POST): mail scanners that open links (GET) do not use it up.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from booking_pages.forms import ManageAccessForm, SlotChoiceForm
from booking_pages.views.labels import map_url, slot_labels, zone_label
from booking_pages.views.month_calendar import month_calendar, parse_day
from booking_pages.views.wizard import grant_manage_access
from organizers.access import access_booking_by_id, access_booking_by_voucher
from organizers.models import Booking
from organizers.personal_data import mask_sealed_nik
from organizers.selectors import slot_list_bookable_for_day, vaccine_brand_names
from organizers.services.booking.changes import (
    booking_can_change,
    booking_cancel_with_notice,
    booking_reschedule_with_notice,
)
from organizers.services.booking.place import booking_voucher_resend
from public_site.views.not_found import not_found_is_404
from tenants.errors import ApplicationError, NotFoundError
from tenants.requests import request_tenant


def _booking(request: HttpRequest, booking_id: int) -> Booking:
    """The booking, if this browser proved it may manage it on this organiser's host."""
    proven = (request.session.get("manage_access") or {}).get(str(request_tenant(request).uid), [])
    with not_found_is_404():
        booking = access_booking_by_id(booking_id=booking_id, proven_ids=proven)
    slot_labels(booking.slot)
    return booking


def manage_start_page(request: HttpRequest) -> HttpResponse:
    """Open a booking with its voucher code and date of birth."""
    form = ManageAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and form.cleaned_data["date_of_birth"]:
        try:
            booking = access_booking_by_voucher(
                voucher_code=form.cleaned_data["voucher_code"],
                date_of_birth=form.cleaned_data["date_of_birth"],
                address=request.META.get("REMOTE_ADDR", ""),
            )
        except NotFoundError:
            form.add_error(
                None,
                _(
                    "We found no booking with this voucher code and date of birth. Check both "
                    "against the e-voucher and the KTP."
                ),
            )
        except ApplicationError as exc:  # too many wrong tries
            form.add_error(None, str(exc.message))
        else:
            grant_manage_access(request, [booking.id])
            return redirect("manage_booking", booking.id)
    return render(
        request,
        "booking_pages/manage_start.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def manage_link_page(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time link from the e-voucher email: a button that opens the booking."""
    if request.method == "POST":
        from organizers.services.manage_links import manage_link_consume

        try:
            booking = manage_link_consume(token)
        except ApplicationError as exc:
            return render(
                request,
                "booking_pages/manage_link.html",
                {"problem": str(exc.message), "code": exc.code},
                status=404,
            )
        grant_manage_access(request, [booking.id])
        return redirect("manage_booking", booking.id)
    return render(request, "booking_pages/manage_link.html", {"problem": ""})


def manage_page(request: HttpRequest, booking_id: int) -> HttpResponse:
    booking = _booking(request, booking_id)
    venue = booking.slot.venue
    return render(
        request,
        "booking_pages/manage.html",
        {
            "booking": booking,
            "venue": venue,
            "map_url": map_url(venue),
            "nik_masked": mask_sealed_nik(booking.nik_sealed),
            "brand": vaccine_brand_names().get(booking.vaccine_brand, booking.vaccine_brand),
            "is_active": booking.status == Booking.Status.ACTIVE,
            "can_change": booking_can_change(booking=booking, now=timezone.now()),
        },
    )


def manage_cancel_page(request: HttpRequest, booking_id: int) -> HttpResponse:
    """Ask first; cancel on the button. The seat goes to the next person."""
    booking = _booking(request, booking_id)
    if booking.status != Booking.Status.ACTIVE:
        return redirect("manage_booking", booking.id)
    if request.method == "POST":
        try:
            booking_cancel_with_notice(booking_id=booking.id)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Your booking is cancelled. The seat is free for others."))
        return redirect("manage_booking", booking.id)
    return render(request, "booking_pages/manage_cancel.html", {"booking": booking})


def manage_reschedule_page(request: HttpRequest, booking_id: int) -> HttpResponse:
    """Another day at the same place: the month calendar."""
    booking = _booking(request, booking_id)
    if booking.status != Booking.Status.ACTIVE:
        return redirect("manage_booking", booking.id)
    venue = booking.slot.venue
    month = month_calendar(
        request,
        venue=venue,
        programme_id=booking.programme_id,
        dose=booking.dose,
        day_url=lambda day: reverse("manage_reschedule_day", args=[booking.id, day.isoformat()]),
    )
    return render(
        request,
        "booking_pages/calendar.html",
        {
            "programme": booking.programme,
            "venue": venue,
            "calendar": month,
            "zone": zone_label(venue),
            "booking": booking,
            "back_url": reverse("manage_booking", args=[booking.id]),
        },
    )


def manage_reschedule_day_page(request: HttpRequest, booking_id: int, day: str) -> HttpResponse:
    """The arrival times of the new day; choosing one moves the booking there (the service
    decides whether it may: same venue, not after the booking's time, a seat free)."""
    booking = _booking(request, booking_id)
    if booking.status != Booking.Status.ACTIVE:
        return redirect("manage_booking", booking.id)
    venue = booking.slot.venue
    chosen_day = parse_day(day)
    now = timezone.now()
    error = ""
    if request.method == "POST":
        form = SlotChoiceForm(request.POST)
        if not form.is_valid():
            error = _("Choose an arrival time.")
        else:
            try:
                moved = booking_reschedule_with_notice(
                    booking_id=booking.id, new_slot_id=form.cleaned_data["slot"], now=now
                )
            except ApplicationError as exc:
                error = str(exc.message)
            else:
                if moved.slot_id == booking.slot_id:
                    messages.info(request, _("Your booking is already at this time."))
                else:
                    slot = slot_labels(moved.slot)
                    messages.success(
                        request,
                        _("Your new time: %(day)s, %(time)s. We sent a new e-voucher.")
                        % {"day": slot.day_label, "time": slot.time_label},
                    )
                return redirect("manage_booking", booking.id)
    slots = [
        slot_labels(slot)
        for slot in slot_list_bookable_for_day(
            venue=venue,
            programme_id=booking.programme_id,
            dose=booking.dose,
            day=chosen_day,
            now=now,
        )
    ]
    return render(
        request,
        "booking_pages/times.html",
        {
            "programme": booking.programme,
            "venue": venue,
            "slots": slots,
            "error": error,
            "day_label": date_format(chosen_day, "l, j F Y"),
            "zone": zone_label(venue),
            "chosen_slot_id": booking.slot_id,
            "booking": booking,
            "action": request.path,
            "back_url": f"{reverse('manage_reschedule', args=[booking.id])}"
            f"?bulan={chosen_day:%Y-%m}",
        },
        status=400 if error else 200,
    )


def manage_resend_page(request: HttpRequest, booking_id: int) -> HttpResponse:
    """Send the e-voucher again (the service allows one every few minutes per booking)."""
    booking = _booking(request, booking_id)
    if request.method != "POST":
        return redirect("manage_booking", booking.id)
    try:
        sent = booking_voucher_resend(booking_id=booking.id)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        if sent:
            messages.success(
                request,
                _("We are sending the e-voucher again to %(email)s.") % {"email": booking.email},
            )
        else:
            messages.info(
                request,
                _("We sent the e-voucher a few minutes ago. Check your inbox and spam folder."),
            )
    return redirect("manage_booking", booking.id)
