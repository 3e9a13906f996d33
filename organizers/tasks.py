"""Celery tasks that run inside an organiser's schema (tenant-schemas-celery switches to the
schema stamped on the message when it was sent).

Beat's jobs (`*_all`, config.settings CELERY_BEAT_SCHEDULE) run in the public schema and only
fan out: one task per organiser, pinned to its schema, which does the work there."""

from __future__ import annotations

from typing import TYPE_CHECKING

from celery import shared_task

if TYPE_CHECKING:
    from celery import Task


def _fan_out(task: Task, *args: object) -> int:
    """Send `task` once per organiser, pinned to that organiser's schema: each runs, retries
    and fails on its own, so one organiser's broken row never stops the others' work, and a
    slow organiser does not hold a worker for everyone. Returns how many were sent."""
    from tenants.context import enqueue_in_schema
    from tenants.selectors import tenant_list_organizers

    organisers = tenant_list_organizers()
    for tenant in organisers:
        enqueue_in_schema(tenant.schema_name, task, *args)
    return len(organisers)


@shared_task(bind=True, max_retries=5, default_retry_delay=30, acks_late=True)
def owner_welcome_email_send(self, user_id: int) -> str:
    """Email the new organiser's owner the address of their workspace. Tenant schema."""
    from organizers.services.messages.staff import owner_welcome_email_deliver

    try:
        return owner_welcome_email_deliver(user_id=user_id)
    except OSError as exc:  # the mail server is down: try again later, with backoff
        raise self.retry(exc=exc, countdown=30 * (2**self.request.retries)) from exc


@shared_task
def waitlist_offers_expire_all() -> int:
    """Run by beat every minute: in every organiser's schema, an expired waitlist offer passes
    its held seat to the next person waiting, or back to the pool. Returns the organisers sent."""
    return _fan_out(waitlist_offers_expire)


@shared_task
def waitlist_offers_expire() -> int:
    """One organiser's expired offers (sent by waitlist_offers_expire_all). Tenant schema."""
    from organizers.services.waitlist.offers import waitlist_offers_expire as expire
    from tenants.context import require_current_tenant

    require_current_tenant()  # sent without a schema (by hand): none of its tables
    return expire()


@shared_task
def idempotency_records_purge_all() -> int:
    """Run by beat hourly: Idempotency-Key records older than a day are not kept."""
    return _fan_out(idempotency_records_purge)


@shared_task
def idempotency_records_purge() -> int:
    """One organiser's old Idempotency-Key records. Tenant schema."""
    from organizers.services.housekeeping import idempotency_records_purge as purge
    from tenants.context import require_current_tenant

    require_current_tenant()  # sent without a schema (by hand): none of its tables
    return purge()


@shared_task(bind=True, max_retries=8, acks_late=True)
def message_deliver(self, message_id: int, sent_at: float | None = None) -> str:
    """Deliver one outbox message (organizers.services.messages.outbox). Tenant schema. The service
    counts attempts in the row and marks the message failed after the last one; beat's sweep
    re-sends one whose retry was lost. A database out of reach (a restart, a failover) is tried
    again after DATABASE_RETRY_SECONDS: nothing was sent or counted, and the sweep would take
    two to three minutes (measured by ./sentra reliability, PostgreSQL restarted). A message the
    mail server took just before the database went away is recorded sent when the task runs
    again (`sent_at`), not sent again."""
    from common.database_outage import retry_after
    from organizers.services.messages import outbox

    try:
        if sent_at is not None:
            outbox.messages_sent_record(sent={message_id: sent_at})
            return "sent"
        return outbox.message_deliver(message_id=message_id)
    except outbox.MessageDeliveryError as exc:  # the mail server is down: try again, with backoff
        # The delay follows the message's own count of attempts, so a chain the sweep started
        # again keeps the same backoff.
        raise self.retry(exc=exc, countdown=exc.countdown) from exc
    except outbox.MessageSentUnrecordedError as exc:
        raise self.retry(
            exc=exc.cause,
            args=(message_id,),
            kwargs={"sent_at": exc.sent[message_id]},
            countdown=SENT_UNRECORDED_RETRY_SECONDS,
            max_retries=MAX_DATABASE_RETRIES,
        ) from exc
    except Exception as exc:
        if retry_after(exc) is None:
            raise
        raise self.retry(exc=exc, countdown=DATABASE_RETRY_SECONDS) from exc


DATABASE_RETRY_SECONDS = 10
# Sooner than any other retry: until it is recorded, a sent message looks pending, and the
# sweep could hand it over again (it waits LOST_WHEN_IDLE_AFTER, 30 s, at the least).
SENT_UNRECORDED_RETRY_SECONDS = 2
MAX_DATABASE_RETRIES = 30


@shared_task(bind=True, acks_late=True)
def messages_deliver(
    self, message_ids: list[int], sent_unrecorded: dict[str, float] | None = None
) -> dict[str, int]:
    """Deliver a batch of outbox messages handed over by the relay or the sweep
    (organizers.services.messages.relay) over one mail-server connection. A message the mail
    server refused for now goes on alone (message_deliver, with its backoff); a database out of
    reach sends the batch again after DATABASE_RETRY_SECONDS (messages sent before it are
    skipped then: delivery re-checks each one's status). A message the mail server took just
    before the database went away is in `sent_unrecorded` (its id and when it went): recorded
    first when the task runs again, never sent again. Tenant schema."""
    from common.database_outage import retry_after
    from organizers.services.messages import outbox
    from tenants.context import current_schema_name

    unrecorded = {int(key): at for key, at in (sent_unrecorded or {}).items()}
    try:
        if unrecorded:
            outbox.messages_sent_record(sent=unrecorded)
            unrecorded = {}
        retries = outbox.messages_deliver(message_ids=message_ids)
    except outbox.MessageSentUnrecordedError as exc:
        unrecorded.update(exc.sent)
        raise self.retry(
            exc=exc.cause,
            args=(message_ids,),
            kwargs={"sent_unrecorded": {str(key): at for key, at in unrecorded.items()}},
            countdown=SENT_UNRECORDED_RETRY_SECONDS,
            max_retries=MAX_DATABASE_RETRIES,
        ) from exc
    except Exception as exc:  # the database out of reach: the batch again, soon (as one)
        if retry_after(exc) is None:
            raise
        raise self.retry(
            exc=exc,
            args=(message_ids,),
            kwargs={"sent_unrecorded": {str(key): at for key, at in unrecorded.items()}},
            countdown=SENT_UNRECORDED_RETRY_SECONDS if unrecorded else DATABASE_RETRY_SECONDS,
            max_retries=MAX_DATABASE_RETRIES,
        ) from exc
    schema = current_schema_name()
    for message_id, countdown in retries.items():
        message_deliver.apply_async(
            args=(message_id,), countdown=countdown, headers={"_schema_name": schema}
        )
    return {"messages": len(message_ids), "to_retry": len(retries)}


@shared_task
def messages_sweep_all() -> int:
    """Run by beat every minute: in every organiser's schema, a pending message whose task was
    lost is handed over again (organizers.services.messages.outbox.messages_sweep). Whether the
    broker's queue is empty is asked once here, for all of them."""
    from tenants.context import broker_queue_empty

    return _fan_out(messages_sweep, broker_queue_empty())


@shared_task
def messages_sweep(broker_idle: bool = False) -> int:
    """One organiser's lost messages, handed over again. Tenant schema."""
    from organizers.services.messages.outbox import messages_sweep as sweep
    from tenants.context import require_current_tenant

    require_current_tenant()  # sent without a schema (by hand): none of its tables
    return sweep(broker_idle=broker_idle)


@shared_task
def reminders_record_all() -> int:
    """Run by beat every 15 minutes: in every organiser's schema, record the reminders due (the
    day before a slot; the dose-2 window opening). Each goes out once (its event_key)."""
    return _fan_out(reminders_record)


@shared_task
def reminders_record() -> int:
    """One organiser's reminders due. Tenant schema."""
    from organizers.services.messages.reminders import reminders_record as record
    from tenants.context import require_current_tenant

    require_current_tenant()  # sent without a schema (by hand): none of its tables
    return record()


@shared_task
def roster_import_run(import_id: int) -> str:
    """Import one uploaded roster file (organizers.services.eligibility.roster_imports). Tenant
    schema. Acknowledged on receipt, not retried: a job whose worker died is noticed by its
    stale progress and the organiser asked to upload again."""
    from organizers.services.eligibility.roster_imports import roster_import_run as run
    from tenants.context import require_current_tenant

    require_current_tenant()  # sent without a schema (by hand): none of its tables
    return run(import_id=import_id)


@shared_task
def roster_imports_expire_all() -> int:
    """Run by beat every 5 minutes: in every organiser's schema, a roster import whose worker
    died is marked failed and its stored file deleted, even if nobody opens its page."""
    return _fan_out(roster_imports_expire)


@shared_task
def roster_imports_expire() -> int:
    """One organiser's stale roster imports. Tenant schema."""
    from organizers.services.eligibility.roster_imports import roster_imports_expire_stale
    from tenants.context import require_current_tenant

    require_current_tenant()  # sent without a schema (by hand): none of its tables
    return roster_imports_expire_stale()
