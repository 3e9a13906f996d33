"""Celery tasks that run inside an organiser's schema (tenant-schemas-celery switches to the
schema stamped on the message when it was sent)."""

from __future__ import annotations

from config.celery import app


@app.task(bind=True, max_retries=5, default_retry_delay=30, acks_late=True)
def owner_welcome_email_send(self, user_id: int) -> str:
    """Email the new organiser's owner the address of their workspace. Tenant schema."""
    from organizers.services.notifications import owner_welcome_email_deliver

    try:
        return owner_welcome_email_deliver(user_id=user_id)
    except OSError as exc:  # the mail server is down: try again later, with backoff
        raise self.retry(exc=exc, countdown=30 * (2**self.request.retries)) from exc
