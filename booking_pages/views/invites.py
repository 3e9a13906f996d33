"""Invite links (/undangan/<token>/): a one-time invite to a company programme, kept in the
session until the booking spends it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from booking_pages.views.wizard import INVITE


def invite_page(request: HttpRequest, token: str) -> HttpResponse:
    """/undangan/<token>/: a one-time invite to a company programme. A valid one is kept in the
    session for the booking (which spends it) and leads to the programme's places."""
    from organizers.services.eligibility.invites import invite_find

    invite = invite_find(token)
    problem = ""
    if invite is None or not invite.programme.is_active:
        problem = _("This invite link is not valid. Check that you opened the whole link.")
    elif invite.revoked_at is not None:
        problem = _("This invite link has been withdrawn by the organiser.")
    elif invite.used_at is not None:
        problem = _(
            "This invite link has already been used for a booking. To change that booking, use "
            "the link in its e-voucher email."
        )
    if problem or invite is None:
        return render(
            request, "booking_pages/invite_invalid.html", {"problem": problem}, status=404
        )
    request.session[INVITE] = {
        "token": token,
        "programme_id": invite.programme_id,
        "email": invite.email,
    }
    return redirect("booking_programme", invite.programme_id)
