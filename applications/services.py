"""Writes of organiser applications (public schema).

- application_draft_save: the owner's draft, saved as far as it goes and resumed later.
- application_submit: the complete application, with every licence document received, goes to
  staff for review.

Both are for owners and administrators of the tenant: the interfaces check that
(organizer_pages.views.access, the API's access_membership_by_tenant) before calling.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applications import areas
from applications.identifiers import nib_clean, npwp_clean, phone_clean
from applications.models import OrganiserApplication
from applications.selectors import (
    EDITABLE_STATES,
    application_documents_missing,
    application_editable,
    application_for_company,
    application_missing,
)
from tenants.errors import ApplicationError, ConflictError
from tenants.models import Tenant, User
from tenants.services.lifecycle import organiser_submit

# The fields the organiser edits, each with the longest text it takes.
EDITABLE_FIELDS: dict[str, int] = {
    "legal_name": 200,
    "kind": 20,
    "npwp": 40,
    "nib": 40,
    "address": 1000,
    "province_code": 2,
    "regency_code": 5,
    "contact_name": 200,
    "contact_phone": 30,
    "partner_facility_name": 200,
    "partner_facility_address": 1000,
}
_CLEANERS: dict[str, Callable[[str], str]] = {
    "npwp": npwp_clean,
    "nib": nib_clean,
    "contact_phone": phone_clean,
}


def _clean(changes: Mapping[str, str], current: OrganiserApplication | None) -> dict[str, str]:
    """The changed fields in their stored form, or ApplicationError naming every wrong one.
    Empty values are kept (a draft may be incomplete); what is given must be right."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, str] = {}
    for field, raw in changes.items():
        if field not in EDITABLE_FIELDS:
            errors.setdefault(field, []).append(str(_("This field does not exist.")))
            continue
        value = (raw or "").strip()
        if len(value) > EDITABLE_FIELDS[field]:
            errors.setdefault(field, []).append(
                str(_("At most %(limit)d characters.") % {"limit": EDITABLE_FIELDS[field]})
            )
            continue
        if value and field in _CLEANERS:
            try:
                value = _CLEANERS[field](value)
            except ValidationError as exc:
                errors.setdefault(field, []).extend(str(m) for m in exc.messages)
                continue
        cleaned[field] = value
    kind = cleaned.get("kind", "")
    if kind and kind not in OrganiserApplication.Kind.values:
        errors.setdefault("kind", []).append(str(_("Choose one of the kinds listed.")))
    # The province and regency are checked together, as they will be stored.
    province = cleaned.get("province_code", current.province_code if current else "")
    regency = cleaned.get("regency_code", current.regency_code if current else "")
    if "province_code" in cleaned and province and not areas.is_province(province):
        errors.setdefault("province_code", []).append(str(_("Choose a province from the list.")))
    elif ("regency_code" in cleaned or "province_code" in cleaned) and regency:
        if not areas.area_name(regency):
            errors.setdefault("regency_code", []).append(
                str(_("Choose a regency or city from the list."))
            )
        elif not areas.regency_in_province(regency_code=regency, province_code=province):
            errors.setdefault("regency_code", []).append(
                str(_("This regency or city is not in the chosen province."))
            )
    if errors:
        raise ApplicationError(_("Please check the fields marked."), code="invalid", extra=errors)
    return cleaned


def _refuse_unless_editable(tenant: Tenant, application: OrganiserApplication | None) -> None:
    if not application_editable(tenant=tenant, application=application):
        raise ConflictError(
            _("Your application is submitted and waits for review; it cannot be changed now."),
            code="application_submitted",
        )


def application_draft_save(
    *, tenant: Tenant, by: User, changes: Mapping[str, str]
) -> OrganiserApplication:
    """Save the given fields of the tenant's application (created on the first save); fields
    not given keep their values. Refuses, changing nothing, when any given value is wrong
    (ApplicationError code "invalid", `extra` = {field: [messages]}) or when the application
    waits for review (ConflictError "application_submitted"). Public schema, one transaction."""
    with transaction.atomic():
        application = OrganiserApplication.objects.select_for_update().filter(tenant=tenant).first()
        _refuse_unless_editable(tenant, application)
        cleaned = _clean(changes, application)
        if application is None:
            # The first save. Two at once (two tabs): the second waits on the one-per-tenant
            # constraint, then finds the row and saves into it like any later save.
            try:
                with transaction.atomic():
                    application = OrganiserApplication.objects.create(tenant=tenant)
            except IntegrityError:
                application = OrganiserApplication.objects.select_for_update().get(tenant=tenant)
                _refuse_unless_editable(tenant, application)
                cleaned = _clean(changes, application)
        for field, value in cleaned.items():
            setattr(application, field, value)
        application.updated_at = timezone.now()
        application.updated_by = by
        application.save(update_fields=[*cleaned, "updated_at", "updated_by"])
    return application


def application_submit(*, tenant: Tenant, by: User) -> OrganiserApplication:
    """Send the application to staff. Refuses, changing nothing, when a needed field is empty
    (ConflictError "application_incomplete", `extra` = {field: [message]}), when a licence
    document is not received yet ("documents_missing", `extra` = {"documents": [names]}), or
    when it already waits for review ("application_submitted"). Public schema, one
    transaction; the lifecycle's transition (and its audit and email) happens inside it."""
    with transaction.atomic():
        application = OrganiserApplication.objects.select_for_update().filter(tenant=tenant).first()
        _refuse_unless_editable(tenant, application)
        missing = application_missing(application)
        if application is None or missing:
            raise ConflictError(
                _("Some details are still missing: complete the fields marked, then submit."),
                code="application_incomplete",
                extra={field: [str(message)] for field, message in missing.items()},
            )
        documents = application_documents_missing(
            tenant=tenant, company=application_for_company(application)
        )
        if documents:
            raise ConflictError(
                _("Some licence documents are not received yet: %(documents)s.")
                % {"documents": ", ".join(documents)},
                code="documents_missing",
                extra={"documents": documents},
            )
        application.submitted_at = timezone.now()
        application.submitted_by = by
        application.save(update_fields=["submitted_at", "submitted_by"])
        if tenant.review_status in EDITABLE_STATES:
            # Draft or changes requested -> submitted (its audit entry, the owner's email). An
            # organiser approved before applications existed keeps its state: its details are
            # recorded for staff, nothing is taken from it.
            organiser_submit(tenant=tenant, by=by)
    tenant.refresh_from_db(fields=["review_status"])
    return application
