"""The organiser's dashboard (/kelola/): for every member of this host's organiser, check-in
staff too; the links to the pages only owners and administrators may open are shown to them
only, and so is the checklist of what is left before the organiser is live
(applications.selectors.organiser_checklist), each step linked to its page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from applications.selectors import ChecklistItem, organiser_checklist
from organizer_pages.views.access import ADMIN_ROLES
from organizers.selectors import dashboard_summary
from tenants.access import access_membership_by_tenant
from tenants.errors import NotFoundError
from tenants.requests import request_tenant
from tenants.review_selectors import organiser_review_notice


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        membership = access_membership_by_tenant(user=request.user, tenant=request_tenant(request))
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    context: dict[str, object] = {
        "membership": membership,
        "summary": dashboard_summary(),
        "review": organiser_review_notice(tenant=membership.tenant),
    }
    if membership.role in ADMIN_ROLES:
        checklist = organiser_checklist(tenant=membership.tenant)
        if checklist.shown:
            context["checklist"] = checklist
            context["checklist_links"] = [(item, _link(item)) for item in checklist.items]
    return render(request, "organizer_pages/dashboard.html", context)


# Where each step of the checklist is done.
_STEP_PAGES = {
    "application": "application",
    "documents": "document_list",
    "venue": "venue_list",
    "schedule": "venue_list",
    "vaccine": "programme_list",
    "eligibility": "programme_list",
    "branding": "branding_edit",
    "submitted": "application",
}


def _link(item: ChecklistItem) -> str:
    return reverse(_STEP_PAGES[item.key])
