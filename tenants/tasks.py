"""Celery tasks of the control plane: thin interfaces that take ids and call services."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import caches
from django.utils import timezone

from tenants.context import current_schema_name


@shared_task(bind=True, max_retries=4, acks_late=True)
def organizer_signup_provision(self, signup_id: str) -> str:
    """Provision the tenant of a web sign-up (public schema), then welcome its owner. An
    unexpected error is retried with backoff; after the last try the sign-up is marked failed
    (it shows on the owner's page, and in the admin for platform staff)."""
    from tenants.services.onboarding import organizer_signup_complete
    from tenants.services.provisioning import organizer_signup_fail

    try:
        return organizer_signup_complete(signup_id=signup_id).status
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            organizer_signup_fail(signup_id=signup_id, code="provisioning_failed")
            raise
        raise self.retry(exc=exc, countdown=10 * 2**self.request.retries) from exc


@shared_task
def worker_heartbeat() -> str:
    """Run by beat every minute; /healthz reports how long ago a worker last ran it."""
    now = timezone.now().isoformat()
    caches["global"].set("worker:last-heartbeat", now, timeout=None)
    return now


@shared_task
def report_schema() -> str:
    """Which schema the worker ran this task in: `manage.py check_worker` sends it from each
    tenant to prove that tasks carry their tenant."""
    return current_schema_name()


@shared_task(bind=True, max_retries=6, acks_late=True)
def lifecycle_email_send(self, entry_id: int) -> list[str]:
    """Email the owners of an organiser about a review decision (its audit entry's id).
    Public tables only: runs in whichever schema it was sent from."""
    from tenants.services.lifecycle_emails import lifecycle_email_deliver

    try:
        return lifecycle_email_deliver(entry_id=entry_id)
    except OSError as exc:  # the mail server is down: try again later, with backoff
        raise self.retry(exc=exc, countdown=30 * (2**self.request.retries)) from exc
