"""Pages of the root domain."""

from __future__ import annotations

from allauth.account import views as allauth_views
from django import forms
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tenants.errors import ConflictError
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


class SignupView(allauth_views.SignupView):
    """allauth's sign-up, in one transaction: the account and the organiser sign-up are saved
    together or not at all. A subdomain taken by a concurrent sign-up re-shows the form with the
    reason instead of failing."""

    def form_valid(self, form: forms.Form) -> HttpResponse:
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ConflictError as exc:
            form.add_error("slug", exc.message)
            return self.form_invalid(form)


signup = SignupView.as_view()
