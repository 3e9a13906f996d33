"""Pages of the root domain."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenants.links import absolute_url
from tenants.models import OrganizerSignup
from tenants.selectors import membership_list_for_user, tenant_primary_host


def landing(request: HttpRequest) -> HttpResponse:
    workspaces = []
    signups = []
    if request.user.is_authenticated:
        for membership in membership_list_for_user(user=request.user):
            host = tenant_primary_host(tenant=membership.tenant)
            workspaces.append(
                {"membership": membership, "url": absolute_url(host=host, path="/kelola/")}
            )
        signups = list(
            OrganizerSignup.objects.filter(owner=request.user)
            .exclude(status=OrganizerSignup.Status.READY)
            .order_by("-created_at")
        )
    return render(
        request, "public_site/landing.html", {"workspaces": workspaces, "signups": signups}
    )
