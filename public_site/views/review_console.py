"""The staff review console on the root domain (issue #12, item 4): the queue of organisers
and venues waiting, an organiser's page with its history and the decisions. Platform staff
with TOTP only (tenants.access.access_review_console); everyone else gets the site's 404, the
anonymous the sign-in page. Thin: the rules are in tenants.services.review_queue and
tenants.services.lifecycle."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from applications.areas import area_name
from applications.selectors import application_get
from documents.selectors import documents_for
from documents.services import document_view_link
from organizers.geography import PROVINCE_CHOICES
from public_site.views.not_found import not_found_is_404
from tenants.access import access_organiser_by_uid, access_review_console
from tenants.errors import ApplicationError, NotFoundError
from tenants.models import OrganizerSignup, ReviewItem, Tenant, User
from tenants.review_selectors import (
    ORGANISER_VIEWED,
    TARGET_WORKING_DAYS,
    review_items_for_tenant,
    review_queue_list,
    review_rounds_for_tenant,
)
from tenants.selectors import tenant_primary_host
from tenants.services.audit import audit_record
from tenants.services.review_queue import (
    review_item_claim,
    review_item_decide,
    review_item_release,
)

DOCUMENT_VIEWED = "console.document_view"

STATE_CHOICES = [
    ("", _("Waiting for staff")),
    *Tenant.ReviewStatus.choices,
    ("pending", _("Venue waiting for review")),
]


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, required=False)
    province = forms.ChoiceField(
        label=_("Province"), choices=[("", _("All")), *PROVINCE_CHOICES], required=False
    )
    kind = forms.ChoiceField(
        label=_("Item"), choices=[("", _("All")), *ReviewItem.Kind.choices], required=False
    )
    organisation_kind = forms.ChoiceField(
        label=_("Kind of organisation"),
        choices=[("", _("All")), *OrganizerSignup.ProgrammeKind.choices],
        required=False,
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approve", _("Approve")),
            ("request_changes", _("Request changes")),
            ("reject", _("Reject")),
            ("suspend", _("Suspend")),
            ("reinstate", _("Reinstate")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason (the organiser reads it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


def staff_console_page(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """The console's gate, on every view: the anonymous are sent to sign in (allauth, with
    its TOTP step); a signed-in user who is not platform staff with TOTP gets the 404 of a
    page that does not exist (access_review_console)."""

    @functools.wraps(view)
    def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        with not_found_is_404():
            staff = access_review_console(user=request.user)
            return view(request, staff, *args, **kwargs)

    return gated


@staff_console_page
def review_queue(request: HttpRequest, staff: User) -> HttpResponse:
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    state = filters.get("state", "")
    rows = review_queue_list(
        states=frozenset({state}) if state else None,
        province=filters.get("province", ""),
        kind=filters.get("kind", ""),
        organisation_kind=filters.get("organisation_kind", ""),
    )
    return render(
        request,
        "public_site/review/queue.html",
        {"form": form, "rows": rows, "target_days": TARGET_WORKING_DAYS, "staff": staff},
    )


@staff_console_page
def review_organiser(request: HttpRequest, staff: User, uid: uuid.UUID) -> HttpResponse:
    tenant = access_organiser_by_uid(user=staff, uid=uid)
    # Staff look-ups of an organiser's data (its owner's address among it) are recorded.
    audit_record(actor=staff, action=ORGANISER_VIEWED, target=tenant)
    signup = OrganizerSignup.objects.filter(tenant=tenant).select_related("owner").first()
    application = application_get(tenant=tenant)
    return render(
        request,
        "public_site/review/organiser.html",
        {
            "tenant": tenant,
            "signup": signup,
            "host": tenant_primary_host(tenant=tenant),
            "items": review_items_for_tenant(tenant=tenant),
            "application": application,
            "areas": _area_names(application),
            "documents": documents_for(tenant),
            "rounds": review_rounds_for_tenant(tenant=tenant),
            "decision_form": DecisionForm(),
            "staff": staff,
        },
    )


@staff_console_page
def review_document(
    request: HttpRequest, staff: User, uid: uuid.UUID, document_id: int
) -> HttpResponse:
    """A document of the organiser, through a presigned GET that lives minutes (its content
    type and disposition fixed: never rendered as HTML). Each view is in the audit log."""
    tenant = access_organiser_by_uid(user=staff, uid=uid)
    link = document_view_link(tenant=tenant, document_id=document_id)  # 404: not its, not received
    audit_record(
        actor=staff,
        action=DOCUMENT_VIEWED,
        target=tenant,
        after={"document_id": document_id},
    )
    return HttpResponseRedirect(link)


def _area_names(application: Any) -> dict[str, str]:
    if application is None:
        return {}
    codes = (application.province_code, application.regency_code)
    return {code: area_name(code) for code in codes if code}


def _back(item_id: int) -> tuple[ReviewItem, str]:
    item = ReviewItem.objects.select_related("tenant").filter(id=item_id).first()
    if item is None:
        raise NotFoundError(_("Page not found."))
    return item, reverse("review_organiser", args=[item.tenant.uid])


@require_POST
@staff_console_page
def review_claim(request: HttpRequest, staff: User, item_id: int) -> HttpResponse:
    item, back = _back(item_id)
    try:
        if request.POST.get("release"):
            review_item_release(item_id=item.id, by=staff)
        else:
            review_item_claim(item_id=item.id, by=staff)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return HttpResponseRedirect(back)


@require_POST
@staff_console_page
def review_decide(request: HttpRequest, staff: User, item_id: int) -> HttpResponse:
    item, back = _back(item_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision; a reason has at most 2000 characters."))
        return HttpResponseRedirect(back)
    try:
        review_item_decide(
            item_id=item.id,
            by=staff,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Decision recorded; the organiser is emailed."))
    return HttpResponseRedirect(back)
