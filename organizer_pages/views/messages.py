"""The organiser's outbox page (/kelola/pesan/): every message to people who booked, whether
it went out, and "send again" for one that failed. Owners and administrators only (the same
gateway as the other /kelola/ pages); another organiser's messages do not exist here."""

from __future__ import annotations

from django.contrib import messages as flash
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organizer_pages.views.access import organizer_admin_page
from organizers.models import Message
from organizers.services.messages.outbox import message_list, message_send_again
from tenants.errors import NotFoundError

BADGES = {"pending": "status-pending", "sent": "status-active", "failed": "status-suspended"}
PAGE_SIZE = 50


def masked_address(address: str) -> str:
    """si••••@example.id: enough for staff to recognise, not to copy."""
    local, _at, domain = address.partition("@")
    return f"{local[:2]}{'•' * max(len(local) - 2, 1)}@{domain}"


@organizer_admin_page
def message_list_page(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Message.Status.values:
        status = ""
    page = Paginator(message_list(status=status or None), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [
        {
            "message": message,
            "to": masked_address(message.to_email),
            "badge": BADGES[message.status],
        }
        for message in page
    ]
    filters = [("", _("All"))] + [(value, label) for value, label in Message.Status.choices]
    return render(
        request,
        "organizer_pages/messages.html",
        {"rows": rows, "page": page, "status": status, "filters": filters},
    )


@organizer_admin_page
@require_POST
def message_send_again_page(request: HttpRequest, message_id: int) -> HttpResponse:
    try:
        message_send_again(message_id=message_id)
    except NotFoundError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, _("The message is queued to be sent again."))
    return redirect(f"{reverse('message_list')}?status=failed")
