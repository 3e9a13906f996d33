"""The organiser's pages for who may book a programme, under /kelola/program/<id>/:
eligibility (roster, invites, email domains, employee number, quota; or the age rules of a
public programme), the roster (upload CSV/XLSX, the list), a roster import (its progress while
the background job runs, then the row-by-row report) and invites.

Owners and administrators only (organizer_admin_page: others signed in get 404). Views parse
forms and call organizers.services; they write nothing themselves. Works without JavaScript:
the import's page has a link to look again; with organizer_pages/roster_import.js it asks
the progress endpoint (JSON) and shows the result when the import ends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from organizer_pages.forms import add_service_errors
from organizer_pages.views.access import organizer_admin_page
from organizers.access import (
    access_age_rule_by_id,
    access_invite_by_id,
    access_programme_by_id,
    access_roster_entry_by_id,
    access_roster_import_by_id,
)
from organizers.models import Message, Programme, RosterImport
from organizers.personal_data import mask_sealed_nik
from organizers.selectors import (
    age_rule_list,
    invite_count,
    invite_list_with_email_status,
    roster_entry_list,
    roster_import_list_recent,
)
from organizers.services.eligibility import (
    invites,
    programme_rules,
    roster,
    roster_file,
    roster_imports,
)
from organizers.services.eligibility import rules as eligibility_rules
from organizers.services.eligibility.roster_problems import RosterProblem
from public_site.views.not_found import not_found_is_404
from tenants.errors import ApplicationError

ROSTER_PAGE_SIZE = 100
RECENT_IMPORTS = 5
INVITE_LIST_LIMIT = 500


class CompanyEligibilityForm(forms.Form):
    uses_roster = forms.BooleanField(
        label=gettext_lazy("People on the employee list (roster) may book"),
        required=False,
        help_text=gettext_lazy(
            "Upload the list on the roster page: NIK, employee number, name, email."
        ),
    )
    asks_employee_number = forms.BooleanField(
        label=gettext_lazy("Ask for the employee number too"),
        required=False,
        help_text=gettext_lazy("The number must match the one on the roster."),
    )
    uses_invites = forms.BooleanField(
        label=gettext_lazy("People with an invite link may book"),
        required=False,
        help_text=gettext_lazy("Each link works once, for the person it was sent to."),
    )
    allowed_email_domains = forms.CharField(
        label=gettext_lazy("Email domains that may book"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocapitalize": "none", "spellcheck": "false"}),
        help_text=gettext_lazy(
            "One per line, for example acme.co.id. Anyone with an address at "
            "that domain may book; subdomains only if you list them."
        ),
    )
    quota = forms.IntegerField(
        label=gettext_lazy("Quota (number of people)"),
        required=False,
        min_value=1,
        max_value=10_000_000,
        help_text=gettext_lazy("The most people who may hold a booking. Empty: no limit."),
    )


class AgeRuleForm(forms.Form):
    min_age = forms.IntegerField(label=gettext_lazy("From age"), min_value=0, max_value=130)
    max_age = forms.IntegerField(
        label=gettext_lazy("Up to age"),
        min_value=0,
        max_value=130,
        required=False,
        help_text=gettext_lazy("Empty: no upper limit (for example 60 and older)."),
    )
    opens_on = forms.DateField(
        label=gettext_lazy("May book from"), widget=forms.DateInput(attrs={"type": "date"})
    )


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Roster file"),
        help_text=roster_file.ROSTER_FORMATS_HELP,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    replace = forms.BooleanField(
        label=gettext_lazy("Replace the whole roster"),
        required=False,
        help_text=gettext_lazy(
            "Ticked: people who are not in this file are removed from the "
            "roster. Not ticked: people in the file are added or updated, "
            "everyone else stays."
        ),
    )


class InviteForm(forms.Form):
    emails = forms.CharField(
        label=gettext_lazy("Email addresses"),
        widget=forms.Textarea(attrs={"rows": 6, "autocapitalize": "none", "spellcheck": "false"}),
        help_text=gettext_lazy("One per line. Each person gets their own link, which works once."),
    )


def _programme(programme_id: int) -> Programme:
    with not_found_is_404():
        return access_programme_by_id(programme_id=programme_id)


def _company(programme_id: int) -> Programme:
    with not_found_is_404():
        return access_programme_by_id(programme_id=programme_id, kind=Programme.Kind.COMPANY)


def _save_on_post(
    request: HttpRequest,
    form: forms.Form,
    programme: Programme,
    save: Callable[[], object],
    *,
    error_field: str,
    done: str,
) -> HttpResponse | None:
    """On a valid POST, run `save` (a service call): its refusal is shown on the form (at
    `error_field` unless it names one); success says `done` and goes back to the eligibility
    page. None: show the form (again)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        save()
    except ApplicationError as exc:
        add_service_errors(form, exc, default_field=error_field)
        return None
    messages.success(request, done)
    return redirect("programme_eligibility", programme_id=programme.id)


@organizer_admin_page
def eligibility_page(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _programme(programme_id)
    context: dict[str, Any] = {"programme": programme}
    if programme.kind == Programme.Kind.COMPANY:
        initial = {
            "uses_roster": programme.uses_roster,
            "uses_invites": programme.uses_invites,
            "allowed_email_domains": "\n".join(programme.allowed_email_domains),
            "quota": programme.quota,
            "asks_employee_number": programme.asks_employee_number,
        }
        form: CompanyEligibilityForm | AgeRuleForm = CompanyEligibilityForm(
            request.POST or None, initial=initial
        )
        saved = _save_on_post(
            request,
            form,
            programme,
            lambda: programme_rules.programme_eligibility_update(
                programme=programme, **form.cleaned_data
            ),
            error_field="allowed_email_domains",
            done=_("Saved: who may book %(name)s.") % {"name": programme.name},
        )
        if saved is not None:
            return saved
        context.update(
            form=form,
            roster_count=roster_entry_list(programme=programme).count(),
            invite_count=invite_count(programme=programme),
        )
        return render(request, "organizer_pages/eligibility_company.html", context)
    form = AgeRuleForm(request.POST or None)
    saved = _save_on_post(
        request,
        form,
        programme,
        lambda: programme_rules.age_rule_create(programme=programme, **form.cleaned_data),
        error_field="min_age",
        done=_("The age group is added."),
    )
    if saved is not None:
        return saved
    rules = [
        (rule, eligibility_rules.age_group_label(rule))
        for rule in age_rule_list(programme=programme)
    ]
    context.update(form=form, rules=rules)
    return render(request, "organizer_pages/eligibility_public.html", context)


@organizer_admin_page
@require_POST
def age_rule_delete_page(request: HttpRequest, programme_id: int, rule_id: int) -> HttpResponse:
    programme = _programme(programme_id)
    with not_found_is_404():
        access_age_rule_by_id(programme=programme, rule_id=rule_id)
    programme_rules.age_rule_delete(programme=programme, rule_id=rule_id)
    messages.success(request, _("The age group is removed."))
    return redirect("programme_eligibility", programme_id=programme.id)


def _roster_context(request: HttpRequest, programme: Programme) -> dict[str, Any]:
    page = Paginator(roster_entry_list(programme=programme), ROSTER_PAGE_SIZE).get_page(
        request.GET.get("halaman")
    )
    return {
        "programme": programme,
        "page": page,
        "entries": [(entry, mask_sealed_nik(entry.nik_sealed)) for entry in page],
    }


@organizer_admin_page
def roster_page(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _company(programme_id)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:  # reading one byte past the limit lets the service refuse a file too large
                job = roster_imports.roster_import_start(
                    programme,
                    content=form.cleaned_data["file"].read(roster_file.MAX_BYTES + 1),
                    replace=form.cleaned_data["replace"],
                    started_by_id=request.user.pk,
                    started_by_email=getattr(request.user, "email", ""),
                )
            except ApplicationError as exc:
                form.add_error("file", exc.message)
                status = exc.status_code
            else:
                return redirect(
                    "programme_roster_import", programme_id=programme.id, import_id=job.id
                )
        else:
            status = 400
    else:
        roster_imports.roster_imports_expire_stale(programme=programme)
    context = _roster_context(request, programme)
    context.update(
        form=form,
        imports=roster_import_list_recent(programme=programme, limit=RECENT_IMPORTS),
    )
    return render(request, "organizer_pages/roster.html", context, status=status)


def _roster_import(programme_id: int, import_id: int) -> tuple[Programme, RosterImport]:
    programme = _company(programme_id)
    roster_imports.roster_imports_expire_stale(programme=programme)
    with not_found_is_404():
        job = access_roster_import_by_id(programme=programme, import_id=import_id)
    return programme, job


def _progress_summary(job: RosterImport) -> str:
    if job.status == RosterImport.Status.QUEUED:
        return _("Waiting for its turn to start.")
    return _("Rows read so far: %(count)s.") % {"count": job.rows_read}


@organizer_admin_page
def roster_import_page(request: HttpRequest, programme_id: int, import_id: int) -> HttpResponse:
    programme, job = _roster_import(programme_id, import_id)
    refused = [
        (
            item["row"],
            " ".join(RosterProblem.from_json(problem).text for problem in item["problems"]),
        )
        for item in job.refused_rows
    ]
    failure = RosterProblem(job.failure_code, job.failure_params).text if job.failure_code else ""
    return render(
        request,
        "organizer_pages/roster_import.html",
        {
            "programme": programme,
            "job": job,
            "summary": _progress_summary(job),
            "refused": refused,
            "refused_not_shown": job.rows_refused - len(refused),
            "failure": failure,
            "progress_url": reverse(
                "programme_roster_import_progress",
                kwargs={"programme_id": programme.id, "import_id": job.id},
            ),
        },
    )


@organizer_admin_page
def roster_import_progress(request: HttpRequest, programme_id: int, import_id: int) -> JsonResponse:
    """How far the import is, for organizer_pages/roster_import.js: polled while it runs."""
    _programme, job = _roster_import(programme_id, import_id)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "finished": job.is_finished,
            "rows_read": job.rows_read,
            "summary": _progress_summary(job),
        }
    )


@organizer_admin_page
@require_POST
def roster_entry_delete_page(
    request: HttpRequest, programme_id: int, entry_id: int
) -> HttpResponse:
    programme = _company(programme_id)
    with not_found_is_404():
        entry = access_roster_entry_by_id(programme=programme, entry_id=entry_id)
    roster.roster_entry_delete(programme, entry.id)
    messages.success(request, _("%(name)s is removed from the roster.") % {"name": entry.full_name})
    return redirect("programme_roster", programme_id=programme.id)


@organizer_admin_page
def invites_page(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _company(programme_id)
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = invites.invites_create(programme, form.cleaned_data["emails"])
            except ApplicationError as exc:
                form.add_error("emails", exc.message)
            else:
                messages.success(
                    request, _("Invites on their way: %(count)d.") % {"count": len(created)}
                )
                return redirect("programme_invites", programme_id=programme.id)
        status = 400
    # The invite email's delivery (the outbox): waiting, sent or failed.
    rows = [
        (
            invite,
            invites.invite_status(invite),
            Message.Status(email_status).label if email_status else "",
        )
        for invite, email_status in invite_list_with_email_status(
            programme=programme, limit=INVITE_LIST_LIMIT
        )
    ]
    return render(
        request,
        "organizer_pages/invites.html",
        {"programme": programme, "form": form, "rows": rows},
        status=status,
    )


@organizer_admin_page
@require_POST
def invite_revoke_page(request: HttpRequest, programme_id: int, invite_id: int) -> HttpResponse:
    programme = _company(programme_id)
    with not_found_is_404():
        invite = access_invite_by_id(programme=programme, invite_id=invite_id)
    try:
        invites.invite_revoke(programme, invite.id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The invite for %(email)s is revoked: its link no longer works.")
            % {"email": invite.email},
        )
    return redirect("programme_invites", programme_id=programme.id)
