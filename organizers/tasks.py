"""Celery tasks that run inside an organiser's schema (tenant-schemas-celery switches to the
schema stamped on the message when it was sent)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import shared_task

logger = logging.getLogger(__name__)


def _in_every_organiser(work: Callable[[], int]) -> int:
    """Run a beat job in each organiser's schema; one organiser failing (logged) does not stop
    the others. Returns the sum of what the job counted."""
    from tenants.context import tenant_scope
    from tenants.selectors import tenant_list_organizers

    total = 0
    for tenant in tenant_list_organizers():
        try:
            with tenant_scope(tenant):
                total += work()
        except Exception:
            logger.exception("%s failed for organiser %s", work.__name__, tenant.schema_name)
    return total


@shared_task(bind=True, max_retries=5, default_retry_delay=30, acks_late=True)
def owner_welcome_email_send(self, user_id: int) -> str:
    """Email the new organiser's owner the address of their workspace. Tenant schema."""
    from organizers.services.notifications import owner_welcome_email_deliver

    try:
        return owner_welcome_email_deliver(user_id=user_id)
    except OSError as exc:  # the mail server is down: try again later, with backoff
        raise self.retry(exc=exc, countdown=30 * (2**self.request.retries)) from exc


@shared_task
def waitlist_offers_expire_all() -> int:
    """Run by beat every minute: in every organiser's schema, an expired waitlist offer passes
    its held seat to the next person waiting, or back to the pool."""
    from organizers.services.capacity import waitlist_offers_expire

    return _in_every_organiser(waitlist_offers_expire)


@shared_task
def idempotency_records_purge_all() -> int:
    """Run by beat hourly: Idempotency-Key records older than a day are not kept."""
    from organizers.services.housekeeping import idempotency_records_purge

    return _in_every_organiser(idempotency_records_purge)


@shared_task(bind=True, max_retries=8, acks_late=True)
def message_deliver(self, message_id: int) -> str:
    """Deliver one outbox message (organizers.services.messages). Tenant schema. The service
    counts attempts in the row and marks the message failed after the last one; beat's sweep
    re-sends one whose retry was lost."""
    from organizers.services.messages import MessageDeliveryError
    from organizers.services.messages import message_deliver as deliver

    try:
        return deliver(message_id=message_id)
    except MessageDeliveryError as exc:  # the mail server is down: try again, with backoff
        # The delay follows the message's own count of attempts, so a chain the sweep started
        # again keeps the same backoff.
        raise self.retry(exc=exc, countdown=exc.countdown) from exc


@shared_task
def messages_sweep_all() -> int:
    """Run by beat every minute: in every organiser's schema, a pending message whose task was
    lost is sent again (organizers.services.messages.messages_sweep)."""
    from organizers.services.messages import messages_sweep

    return _in_every_organiser(messages_sweep)


@shared_task
def reminders_record_all() -> int:
    """Run by beat every 15 minutes: in every organiser's schema, record the reminders due (the
    day before a slot; the dose-2 window opening). Each goes out once (its event_key)."""
    from organizers.services.messages import reminders_record

    return _in_every_organiser(reminders_record)
