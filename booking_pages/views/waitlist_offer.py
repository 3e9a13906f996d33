"""A seat offered from the waitlist: the page behind the link in the waitlist email, which turns
the held seat into a booking."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from booking_pages.views.labels import map_url, slot_labels, zone_label
from booking_pages.views.wizard import DONE, grant_manage_access
from organizers.selectors import waitlist_offer_get
from organizers.services.waitlist.offers import waitlist_offer_accept_checked
from tenants.errors import ApplicationError


def waitlist_offer_page(request: HttpRequest, token: str) -> HttpResponse:
    """/daftar/tawaran/<token>/: the link in the waitlist email. Shows the held seat and until
    when it is held; the button turns it into a booking (and its e-voucher)."""
    now = timezone.now()
    entry = waitlist_offer_get(token=token, now=now)
    # An open offer has its slot and expiry (the offer sets them together).
    if entry is None or entry.offered_slot is None or entry.offer_expires_at is None:
        return render(request, "booking_pages/offer.html", {"entry": None}, status=404)
    if request.method == "POST":
        try:
            booking = waitlist_offer_accept_checked(token=token, now=now)
        except ApplicationError as exc:
            return render(
                request,
                "booking_pages/offer.html",
                {"entry": None, "problem": str(exc.message)},
                status=409,
            )
        grant_manage_access(request, [booking.id])
        request.session[DONE] = {"ids": [booking.id]}
        return redirect("booking_done")
    slot = slot_labels(entry.offered_slot)
    zone = ZoneInfo(slot.venue.time_zone)
    return render(
        request,
        "booking_pages/offer.html",
        {
            "entry": entry,
            "slot": slot,
            "venue": slot.venue,
            "held_until": (
                f"{entry.offer_expires_at.astimezone(zone):%H:%M} {zone_label(slot.venue)}"
            ),
            "map_url": map_url(slot.venue),
        },
    )
