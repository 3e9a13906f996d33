"""Celery interfaces of documents.services: ids in, the service does the work."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, max_retries=3)
def document_verify_task(document_id: int) -> str:
    from documents.services import document_verify

    return document_verify(document_id=document_id).state


@shared_task
def documents_sweep() -> int:
    from documents.services import documents_sweep as sweep

    return sweep()
