"""Pages of an organiser's host."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from organizers.selectors import dashboard_summary, programme_list_active
from public_site.views.booking import step_context
from tenants.access import access_membership_by_tenant
from tenants.errors import NotFoundError
from tenants.requests import request_tenant


def home(request: HttpRequest) -> HttpResponse:
    """The organiser's public front page: step 1 of booking (choose a programme), and the way
    to manage a booking already made."""
    return render(
        request,
        "public_site/tenant_home.html",
        {"programmes": programme_list_active(), **step_context(1)},
    )


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
