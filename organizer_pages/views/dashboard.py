"""The organiser's dashboard (/kelola/): for every member of this host's organiser, check-in
staff too; the links to the pages only owners and administrators may open are shown to them
only."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

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
    return render(
        request,
        "organizer_pages/dashboard.html",
        {
            "membership": membership,
            "summary": dashboard_summary(),
            "review": organiser_review_notice(tenant=membership.tenant),
        },
    )
