"""Reads about organiser applications.

`application_get` and `application_missing` read the public schema only. `organiser_checklist`
also reads the organiser's own tables (venues, schedules, programmes, branding): call it with
the organiser's schema current (a request on its host, or inside tenants.context.tenant_scope).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from applications.models import OrganiserApplication
from organizers.models import Branding, Programme, RosterEntry, Slot, SlotTemplate, Venue
from tenants.errors import UserText
from tenants.models import Tenant

Kind = OrganiserApplication.Kind
# Kinds that are no business and so have no NIB (Nomor Induk Berusaha).
NIB_OPTIONAL_KINDS = frozenset({Kind.LOCAL_GOVERNMENT, Kind.PUSKESMAS})
NEEDED = _("This is needed before you submit.")


def application_get(*, tenant: Tenant) -> OrganiserApplication | None:
    """The tenant's application, or None before its first save."""
    return OrganiserApplication.objects.filter(tenant=tenant).first()


def application_required_fields(*, kind: str) -> tuple[str, ...]:
    """The fields a submitted application must have, for an organisation of `kind`."""
    fields = [
        "legal_name",
        "kind",
        "npwp",
        "address",
        "province_code",
        "regency_code",
        "contact_name",
        "contact_phone",
    ]
    if kind not in NIB_OPTIONAL_KINDS:
        fields.insert(3, "nib")
    if kind == Kind.COMPANY:
        fields += ["partner_facility_name", "partner_facility_address"]
    return tuple(fields)


def application_missing(application: OrganiserApplication | None) -> dict[str, UserText]:
    """Each field still empty that submission needs, with the message to show next to it."""
    kind = application.kind if application is not None else ""
    return {
        field: NEEDED
        for field in application_required_fields(kind=kind)
        if application is None or not getattr(application, field)
    }


def application_editable(*, tenant: Tenant, application: OrganiserApplication | None) -> bool:
    """A draft, or an application staff sent back for changes, may be edited; a submitted one
    waits for its review as it was sent (tenants.services.lifecycle's states)."""
    if application is None or application.submitted_at is None:
        return True
    return tenant.review_status in EDITABLE_STATES


# The organiser's states in which its application may change and be submitted again.
EDITABLE_STATES = (Tenant.ReviewStatus.DRAFT, Tenant.ReviewStatus.CHANGES_REQUESTED)


def application_for_company(application: OrganiserApplication | None) -> bool:
    """A company programme's application (Gotong Royong): it needs a partner agreement too."""
    return application is not None and application.kind == Kind.COMPANY


def application_documents_missing(*, tenant: Tenant, company: bool = False) -> list[str]:
    """The names (in the active language) of the organiser's own licence documents still to
    be received: not uploaded, refused, still being checked or expired
    (documents.selectors.documents_missing). `company`: a company programme (Gotong Royong)
    also needs its partner agreement. Venue photos are the venues' own review."""
    from documents.models import DocumentType
    from documents.selectors import documents_missing

    codes = documents_missing(tenant, company_programme=company)
    names = {t.code: t.name for t in DocumentType.objects.filter(code__in=codes)}
    return [names.get(code, code) for code in codes]


@dataclass(frozen=True)
class ChecklistItem:
    key: str  # application, documents, venue, schedule, vaccine, eligibility, branding, submitted
    label: UserText
    done: bool


@dataclass(frozen=True)
class Checklist:
    items: tuple[ChecklistItem, ...]
    shown: bool  # until the organiser is live: approved, and nothing left to do

    @property
    def left(self) -> int:
        return sum(not item.done for item in self.items)


def _company_programmes_ready() -> bool:
    """At least one active company programme, and each says who may book it: its roster (with
    people on it), invites, or email domains."""
    programmes = Programme.objects.filter(is_active=True, kind=Programme.Kind.COMPANY)
    if not programmes.exists():
        return False
    has_roster = Exists(RosterEntry.objects.filter(programme=OuterRef("pk")))
    undecided = programmes.annotate(has_roster=has_roster).exclude(
        Q(uses_roster=True, has_roster=True)
        | Q(uses_invites=True)
        | Q(allowed_email_domains__len__gt=0)
    )
    return not undecided.exists()


def organiser_checklist(*, tenant: Tenant) -> Checklist:
    """What the owner still has to do before the organiser is live, in the order to do it.
    Runs in the organiser's schema (see the module's docstring); a handful of EXISTS queries."""
    application = application_get(tenant=tenant)
    # Approved: staff accepted the details, the documents and the submission as they were.
    approved = tenant.review_status == Tenant.ReviewStatus.APPROVED
    company = (application is not None and application.kind == Kind.COMPANY) or (
        Programme.objects.filter(is_active=True, kind=Programme.Kind.COMPANY).exists()
    )
    items = [
        ChecklistItem(
            "application",
            _("Your organisation's details"),
            approved or not application_missing(application),
        ),
        ChecklistItem(
            "documents",
            _("Licence documents received"),
            approved or not application_documents_missing(tenant=tenant, company=company),
        ),
        ChecklistItem("venue", _("A venue"), Venue.objects.exists()),
        ChecklistItem(
            "schedule",
            _("A schedule of slots"),
            SlotTemplate.objects.exists() or Slot.objects.exists(),
        ),
        ChecklistItem(
            "vaccine",
            _("A vaccine chosen"),
            Programme.objects.filter(is_active=True, vaccine_brands__len__gt=0).exists()
            or Venue.objects.filter(vaccine_brands__len__gt=0).exists(),
        ),
    ]
    if company:
        items.append(
            ChecklistItem(
                "eligibility", _("Who may book your company programme"), _company_programmes_ready()
            )
        )
    items += [
        ChecklistItem("branding", _("Your booking page's look"), Branding.objects.exists()),
        ChecklistItem(
            "submitted",
            _("Application submitted for review"),
            approved or (application is not None and application.submitted_at is not None),
        ),
    ]
    return Checklist(items=tuple(items), shown=not all(item.done for item in items))
