"""The organiser's dashboard (/kelola/) on the organiser's host."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from organizers.selectors import dashboard_summary
from tenants.access import access_membership_by_tenant
from tenants.errors import NotFoundError
from tenants.requests import request_tenant


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        membership = access_membership_by_tenant(user=request.user, tenant=request_tenant(request))
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    return render(
        request,
        "public_site/dashboard.html",
        {"membership": membership, "summary": dashboard_summary()},
    )
