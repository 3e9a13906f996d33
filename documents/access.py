"""Access gateway for documents: one NotFoundError for "does not exist" and "another
organiser's", so an id never tells a stranger what exists."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from documents.models import Document
from tenants.errors import NotFoundError
from tenants.models import Tenant


def access_document_by_id(*, tenant: Tenant, document_id: int) -> Document:
    """The document `document_id` of `tenant`, or NotFoundError. Public schema."""
    document = (
        Document.objects.filter(id=document_id, tenant=tenant)
        .select_related("document_type")
        .first()
    )
    if document is None:
        raise NotFoundError(_("Document not found."))
    return document
