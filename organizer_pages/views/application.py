"""The organiser's application (/kelola/pengajuan/): a draft saved as far as it goes and
resumed later, then submitted for review when complete. Owners and administrators
(organizer_pages.views.access). The rules are applications.services'; this page parses, calls,
and puts refusals back next to the fields in the person's language."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from applications import areas
from applications.identifiers import npwp_display
from applications.models import OrganiserApplication
from applications.selectors import (
    application_documents_missing,
    application_editable,
    application_for_company,
    application_get,
    application_missing,
)
from applications.services import application_draft_save, application_submit
from organizer_pages.application_forms import ApplicationForm
from organizer_pages.forms import add_service_errors
from organizer_pages.views.access import organizer_admin_page
from organizers.phone import phone_display
from tenants.errors import ApplicationError
from tenants.models import Tenant, User
from tenants.requests import request_tenant

TEMPLATE = "organizer_pages/application_form.html"


def _summary(application: OrganiserApplication) -> list[tuple[str, str]]:
    """The submitted application as staff will read it."""
    form = ApplicationForm()
    values = {
        "legal_name": application.legal_name,
        "kind": application.get_kind_display(),
        "npwp": npwp_display(application.npwp),
        "nib": application.nib,
        "address": application.address,
        "province_code": areas.area_name(application.province_code),
        "regency_code": areas.area_name(application.regency_code),
        "contact_name": application.contact_name,
        "contact_phone": phone_display(application.contact_phone),
        "partner_facility_name": application.partner_facility_name,
        "partner_facility_address": application.partner_facility_address,
    }
    return [(str(form.fields[name].label), value) for name, value in values.items() if value]


def _page(
    request: HttpRequest,
    tenant: Tenant,
    form: ApplicationForm,
    application: OrganiserApplication | None,
    *,
    status: int = 200,
) -> HttpResponse:
    editable = application_editable(tenant=tenant, application=application)
    missing = application_missing(application)
    context = {
        "form": form,
        "application": application,
        "editable": editable,
        "summary": [] if editable or application is None else _summary(application),
        "missing_labels": [str(form.fields[name].label) for name in missing],
        "documents_missing": application_documents_missing(
            tenant=tenant, company=application_for_company(application)
        ),
    }
    return render(request, TEMPLATE, context, status=status)


@organizer_admin_page
def application_page(request: HttpRequest) -> HttpResponse:
    tenant = request_tenant(request)
    application = application_get(tenant=tenant)
    if request.method != "POST":
        form = ApplicationForm(initial=ApplicationForm.initial_from(application))
        return _page(request, tenant, form, application)
    form = ApplicationForm(request.POST)
    if not form.is_valid():
        return _page(request, tenant, form, application)
    # The organiser's pages are behind sign-in: the user is a User.
    user: User = request.user  # type: ignore[assignment]
    try:
        application = application_draft_save(tenant=tenant, by=user, changes=form.changes())
    except ApplicationError as exc:
        add_service_errors(form, exc)
        return _page(request, tenant, form, application)
    if request.POST.get("action") != "submit":
        messages.success(request, _("Your application is saved as a draft."))
        return redirect("application")
    try:
        application_submit(tenant=tenant, by=user)
    except ApplicationError as exc:
        # The draft is saved; what submission still needs is shown next to its fields.
        add_service_errors(form, exc)
        return _page(request, tenant, form, application)
    messages.success(request, _("Your application is submitted. Platform staff will review it."))
    return redirect("application")
