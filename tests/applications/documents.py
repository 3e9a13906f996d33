"""Licence documents as staff would find them after the worker checked them: received rows
(the S3 upload and verification have tests of their own, tests/documents/)."""

from __future__ import annotations

import uuid

from documents.models import Document, DocumentType
from documents.selectors import documents_missing
from tenants.models import Tenant


def documents_received(tenant: Tenant, *, company: bool = False) -> list[Document]:
    """Every organiser document `tenant` still needs, received; returns them."""
    made = []
    for code in documents_missing(tenant, company_programme=company):
        made.append(
            Document.objects.create(
                tenant=tenant,
                document_type=DocumentType.objects.get(code=code),
                key=f"{tenant.storage_prefix}licence-documents/{uuid.uuid4().hex}.pdf",
                content_type="application/pdf",
                size=1000,
                state=Document.State.RECEIVED,
            )
        )
    return made
