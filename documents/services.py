"""Writes of documents: start an upload (a presigned POST), confirm it, verify the stored
object (the worker), delete while the organiser may still edit, and sweep what was abandoned.

All of it runs on the public schema's tables (Document rows carry their tenant); S3 calls go
through documents.object_store. Interfaces (organiser pages, API, tasks) call these only.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents import object_store
from documents.access import access_document_by_id
from documents.clamd import clamd_infected
from documents.models import Document, DocumentType
from documents.verification import Refused, file_verify
from tenants.errors import ApplicationError, ConflictError, NotFoundError
from tenants.models import Tenant, User
from tenants.storage import object_key_for

logger = logging.getLogger(__name__)

# The organiser's states in which it may still change its documents: today's review statuses,
# and the "draft" of the lifecycle (tenants.services.lifecycle, issue #12).
EDITABLE_STATES = frozenset({"draft", "pending", "changes_requested"})
# An upload not confirmed this long after its link expired is abandoned (the sweep).
ABANDONED_AFTER = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class UploadStarted:
    document: Document
    upload: object_store.PresignedPost
    expires_in: int


def _category(document_type: DocumentType) -> str:
    if document_type.scope == DocumentType.Scope.VENUE:
        return "venue-photos"
    return "licence-documents"


def document_upload_start(
    *,
    tenant: Tenant,
    by: User | None,
    type_code: str,
    content_type: str,
    size: int,
    venue_id: int | None = None,
    number: str = "",
    issuer: str = "",
    issued_on: dt.date | None = None,
    expires_on: dt.date | None = None,
) -> UploadStarted:
    """Record a document awaiting its upload and sign the POST the browser sends its bytes
    with. Public schema, one INSERT. The key is built here from the tenant's identity; the
    policy fixes it, the declared content type and the size (1 byte to the type's maximum),
    for SENTRA_DOCUMENT_UPLOAD_SECONDS. Raises ApplicationError for a type, size or content
    type the document type does not take, or a missing venue for a venue photo. Open in every
    state: an approved organiser renews an expiring licence and photographs a new venue."""
    document_type = DocumentType.objects.filter(code=type_code).first()
    if document_type is None:
        raise ApplicationError(_("Unknown document type."), code="unknown_document_type")
    if content_type not in document_type.allowed_types:
        raise ApplicationError(
            _("This kind of file is not accepted for this document type."),
            code="content_type_not_allowed",
        )
    if size < 1 or size > document_type.max_bytes:
        raise ApplicationError(
            _("The file must be at most %(megabytes)d MB.")
            % {"megabytes": document_type.max_bytes // (1024 * 1024)},
            code="too_large",
        )
    if document_type.scope == DocumentType.Scope.VENUE and venue_id is None:
        raise ApplicationError(_("Choose the venue of this photo."), code="venue_required")
    if document_type.scope == DocumentType.Scope.ORGANIZER:
        venue_id = None
    elif not _venue_exists(tenant, venue_id):
        raise ApplicationError(_("Choose the venue of this photo."), code="venue_required")
    if issued_on and expires_on and expires_on < issued_on:
        raise ApplicationError(_("The expiry date is before the issue date."), code="dates_invalid")
    key = object_key_for(
        tenant=tenant, category=_category(document_type), content_type=content_type
    )
    document = Document.objects.create(
        tenant=tenant,
        document_type=document_type,
        venue_id=venue_id,
        number=number.strip(),
        issuer=issuer.strip(),
        issued_on=issued_on,
        expires_on=expires_on,
        key=key,
        content_type=content_type,
        uploaded_by=by,
    )
    seconds = settings.SENTRA_DOCUMENT_UPLOAD_SECONDS
    upload = object_store.presigned_post(
        key=key, content_type=content_type, max_bytes=document_type.max_bytes, seconds=seconds
    )
    return UploadStarted(document=document, upload=upload, expires_in=seconds)


def _venue_exists(tenant: Tenant, venue_id: int | None) -> bool:
    """Whether `venue_id` is a venue of `tenant` (read in its schema: another organiser's
    venue ids do not exist there)."""
    if venue_id is None:
        return False
    from organizers.models import Venue
    from tenants.context import tenant_scope

    with tenant_scope(tenant):
        return Venue.objects.filter(id=venue_id).exists()


def document_upload_confirm(*, tenant: Tenant, document_id: int) -> Document:
    """The browser says the upload finished: the document is VERIFYING and the worker checks
    the object after commit. Public schema; idempotent for a document already past its upload.
    Another tenant's id is NotFoundError (a key or id reused across tenants changes nothing)."""
    from documents.tasks import document_verify_task

    with transaction.atomic():
        document = access_document_by_id(tenant=tenant, document_id=document_id)
        document = Document.objects.select_for_update().get(id=document.id)
        if document.state != Document.State.AWAITING_UPLOAD:
            return document
        document.state = Document.State.VERIFYING
        document.confirmed_at = timezone.now()
        document.save(update_fields=("state", "confirmed_at"))
        transaction.on_commit(lambda: document_verify_task.delay(document.id))
    return document


def document_verify(*, document_id: int) -> Document:
    """Check the stored object of a VERIFYING document (the worker; public schema): its size
    before downloading, then documents.verification, then clamd when configured. A verified
    image replaces the upload (re-encoded, no metadata). A refusal records its reason and
    deletes the object. Idempotent: any other state is left as it is."""
    document = Document.objects.select_related("document_type").get(id=document_id)
    if document.state != Document.State.VERIFYING:
        return document
    document_type = document.document_type
    try:
        size = object_store.object_size(key=document.key)
        if size is None:
            raise Refused("not_uploaded")
        if size > document_type.max_bytes:
            raise Refused("too_large")
        data = object_store.object_read(key=document.key)
        verified = file_verify(
            data,
            declared_type=document.content_type,
            allowed_types=document_type.allowed_types,
            max_bytes=document_type.max_bytes,
        )
        if clamd_infected(verified.content):
            raise Refused("infected")
    except Refused as refused:
        return _refuse(document, code=refused.code)
    if verified.rewritten:
        object_store.object_write(
            key=document.key, content=verified.content, content_type=verified.content_type
        )
    document.state = Document.State.RECEIVED
    document.size = len(verified.content)
    document.verified_at = timezone.now()
    document.save(update_fields=("state", "size", "verified_at"))
    return document


def _refuse(document: Document, *, code: str) -> Document:
    document.state = Document.State.REFUSED
    document.refusal = code
    document.verified_at = timezone.now()
    document.save(update_fields=("state", "refusal", "verified_at"))
    logger.info("document %s refused: %s", document.id, code)
    _object_delete(document)
    return document


def _object_delete(document: Document) -> None:
    try:
        object_store.object_delete(key=document.key)
    except Exception:  # the sweep tries again
        logger.warning("could not delete the object of document %s", document.id, exc_info=True)
        return
    document.object_deleted_at = timezone.now()
    document.save(update_fields=("object_deleted_at",))


def _editable_check(tenant: Tenant) -> None:
    if tenant.review_status not in EDITABLE_STATES:
        raise ConflictError(
            _("Documents can only be changed while the application is a draft."),
            code="not_editable",
        )


def document_delete(*, tenant: Tenant, document_id: int) -> None:
    """Delete a document of `tenant` and its object, while the organiser may still edit its
    application (EDITABLE_STATES): ConflictError otherwise, NotFoundError for another
    tenant's id. Public schema."""
    document = access_document_by_id(tenant=tenant, document_id=document_id)
    _editable_check(tenant)
    object_store.object_delete(key=document.key)
    document.delete()


def document_view_link(*, tenant: Tenant, document_id: int) -> str:
    """A presigned GET of a received document that lives SENTRA_DOCUMENT_VIEW_SECONDS, with a
    fixed content type and disposition (object_store.presigned_get). NotFoundError for another
    tenant's id or a document that is not received."""
    document = access_document_by_id(tenant=tenant, document_id=document_id)
    if document.state != Document.State.RECEIVED:
        raise NotFoundError(_("Document not found."))
    extension = document.key.rsplit(".", 1)[-1]
    return object_store.presigned_get(
        key=document.key,
        filename=f"{document.document_type.code}-{document.id}.{extension}",
        content_type=document.content_type,
        seconds=settings.SENTRA_DOCUMENT_VIEW_SECONDS,
    )


def documents_sweep(*, now: dt.datetime | None = None) -> int:
    """Delete the objects of uploads never confirmed (and their rows) once their link has long
    expired, and the objects of refused documents still stored. Public schema; returns how
    many objects were deleted. Safe to run again at any time."""
    now = now or timezone.now()
    abandoned_before = now - dt.timedelta(seconds=settings.SENTRA_DOCUMENT_UPLOAD_SECONDS)
    abandoned_before -= ABANDONED_AFTER
    deleted = 0
    for document in Document.objects.filter(
        state=Document.State.AWAITING_UPLOAD, created_at__lt=abandoned_before
    ):
        object_store.object_delete(key=document.key)
        document.delete()
        deleted += 1
    for document in Document.objects.filter(
        state=Document.State.REFUSED, object_deleted_at__isnull=True
    ):
        _object_delete(document)
        deleted += 1
    return deleted
