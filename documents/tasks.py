"""Celery interfaces of documents.services: ids in, the service does the work."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from documents.clamd import ScanFailedError


@shared_task(bind=True, acks_late=True, max_retries=5)
def document_verify_task(self: Any, document_id: int) -> str:
    """Verify an uploaded document (documents.services.document_verify). A configured clamd
    that does not answer is tried again a minute later; the document stays "being checked"."""
    from documents.services import document_verify

    try:
        return document_verify(document_id=document_id).state
    except ScanFailedError as exc:
        raise self.retry(exc=exc, countdown=60) from exc


@shared_task
def documents_sweep() -> int:
    from documents.services import documents_sweep as sweep

    return sweep()
