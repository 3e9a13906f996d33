"""The organiser's programme pages under /kelola/program/: the list, adding a programme and
editing (or deactivating) one. Who may book one: views/eligibility.py.

Owners and administrators only (organizer_admin_page). Views parse forms and call
organizers.services; they write nothing themselves.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from organizer_pages.forms import ProgrammeForm, add_service_errors
from organizer_pages.views.access import organizer_admin_page
from organizer_pages.views.vaccine_choices import brand_choices_keeping
from organizers.access import access_programme_by_id
from organizers.models import Dose, Programme
from organizers.selectors import programme_list, vaccine_brand_choices_active, vaccine_brand_names
from organizers.services.programmes import programme_create, programme_update
from public_site.views.not_found import not_found_is_404
from tenants.errors import ApplicationError


@organizer_admin_page
def programme_list_page(request: HttpRequest) -> HttpResponse:
    names = vaccine_brand_names()
    rows = [
        {
            "programme": programme,
            "vaccines": [names.get(code, code) for code in programme.vaccine_brands],
            "doses": [Dose(number).label for number in programme.doses],
        }
        for programme in programme_list()
    ]
    return render(request, "organizer_pages/programme_list.html", {"rows": rows})


@organizer_admin_page
def programme_create_page(request: HttpRequest) -> HttpResponse:
    form = ProgrammeForm(
        request.POST or None,
        initial={"kind": Programme.Kind.PUBLIC, "is_active": True},
        brand_choices=vaccine_brand_choices_active(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            programme = programme_create(**form.cleaned_data)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": programme.name})
            return redirect("programme_list")
    return render(request, "organizer_pages/programme_form.html", {"form": form, "programme": None})


@organizer_admin_page
def programme_edit_page(request: HttpRequest, programme_id: int) -> HttpResponse:
    with not_found_is_404():
        programme = access_programme_by_id(programme_id=programme_id)
    initial = {
        "name": programme.name,
        "kind": programme.kind,
        "vaccine_brands": programme.vaccine_brands,
        "doses": programme.doses,
        "is_active": programme.is_active,
    }
    choices = brand_choices_keeping(programme.vaccine_brands)
    form = ProgrammeForm(request.POST or None, initial=initial, brand_choices=choices)
    if request.method == "POST" and form.is_valid():
        try:
            programme_update(programme=programme, **form.cleaned_data)
        except ApplicationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": programme.name})
            return redirect("programme_list")
    return render(
        request, "organizer_pages/programme_form.html", {"form": form, "programme": programme}
    )
