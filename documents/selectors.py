"""Reads of documents (public schema), for the organiser's pages and API, the application
checklist (h-apply) and the review console (h-review)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from documents.models import Document, DocumentType
from tenants.models import Tenant


def document_types_for(*, company_programme: bool = False) -> QuerySet[DocumentType]:
    """The types an organiser may upload, in display order."""
    types = DocumentType.objects.all()
    if not company_programme:
        types = types.filter(company_programmes_only=False)
    return types


def documents_for(tenant: Tenant) -> QuerySet[Document]:
    """Every document of `tenant` that is not an abandoned upload, oldest first, with its
    type. Refused ones are included (the organiser sees why)."""
    return (
        Document.objects.filter(tenant=tenant)
        .exclude(state=Document.State.AWAITING_UPLOAD)
        .select_related("document_type")
    )


def documents_missing(
    tenant: Tenant, *, venue_ids: Iterable[int] = (), company_programme: bool = False
) -> list[str]:
    """The required documents `tenant` has not had received yet: type codes for the
    organiser's own documents, and "<code>@<venue id>" for each venue of `venue_ids` (the
    caller reads them from the tenant's schema) missing a photo. Empty when complete.
    Expired documents do not count. One query for the received, one for the types."""
    received = {
        (code, venue_id)
        for code, venue_id, expires_on in Document.objects.filter(
            tenant=tenant, state=Document.State.RECEIVED
        ).values_list("document_type__code", "venue_id", "expires_on")
        if not _expired(expires_on)
    }
    venues = list(venue_ids)
    missing: list[str] = []
    for document_type in document_types_for(company_programme=company_programme).filter(
        required=True
    ):
        if document_type.scope == DocumentType.Scope.ORGANIZER:
            if (document_type.code, None) not in received:
                missing.append(document_type.code)
            continue
        missing.extend(
            f"{document_type.code}@{venue_id}"
            for venue_id in venues
            if (document_type.code, venue_id) not in received
        )
    return missing


def _expired(expires_on: object) -> bool:
    from django.utils import timezone

    return expires_on is not None and expires_on < timezone.localdate()  # type: ignore[operator]
