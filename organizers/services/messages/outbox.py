"""The outbox: messages to people who book. Tenant schema.

A message is recorded in the same transaction as the event that causes it (a booking, a new
time, a waitlist offer, ...), with a unique `event_key` so one event never yields two
messages. After the commit a Celery task delivers it (retries with backoff); beat sweeps up
any message whose task was lost. A booking never fails because email is down.

What a message says is organizers.services.messages.content; the email it becomes is
organizers.services.messages.mime.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from common.database_outage import retry_after
from organizers.models import Booking, Invite, Message, WaitlistEntry
from organizers.services.messages import event_keys as keys
from organizers.services.messages.content import MessageNotSendableError
from organizers.services.messages.mime import message_email
from tenants.context import enqueue_after_commit
from tenants.errors import NotFoundError

logger = logging.getLogger(__name__)


def message_record(
    *,
    kind: str,
    booking: Booking | None = None,
    waitlist_entry: WaitlistEntry | None = None,
    invite: Invite | None = None,
    event_key: str | None = None,
    to_email: str | None = None,
    language: str | None = None,
) -> Message | None:
    """Record a message for an event inside the caller's transaction and deliver it after the
    commit. Returns None when there is nobody to write to, or the event already has its message.
    `event_key` defaults to "<kind>:<booking id>" (or the waitlist entry's / invite's id)."""
    subject = booking or waitlist_entry or invite
    if subject is None:
        raise ValueError("a message needs a booking, a waitlist entry or an invite")
    to_email = to_email if to_email is not None else subject.email
    if not to_email:
        return None
    if language is None:
        language = getattr(subject, "language", "id") or "id"
    if event_key is None:
        event_key = (
            keys.event_key(kind, booking.pk)
            if booking is not None
            else keys.event_key(kind, type(subject).__name__.lower(), subject.pk)
        )
    message, created = Message.objects.get_or_create(
        event_key=event_key,
        defaults={
            "kind": kind,
            "booking": booking,
            "waitlist_entry": waitlist_entry,
            "invite": invite,
            "to_email": to_email,
            "language": language,
            "created_at": timezone.now(),
        },
    )
    if not created:
        return None
    message_deliver_after_commit(message_id=message.id)
    return message


def message_deliver_after_commit(*, message_id: int) -> None:
    from organizers.tasks import message_deliver

    enqueue_after_commit(message_deliver, message_id)


# --- Delivery --------------------------------------------------------------------------------

# Attempts before a message is marked failed (the task retries with backoff in between: 30 s,
# 1, 2, 4, 8, 16, 32 minutes: about an hour of mail server trouble is ridden out).
MESSAGE_MAX_ATTEMPTS = 8
RETRY_FIRST_SECONDS = 30
RETRY_MAX_SECONDS = 3600
# A pending message this long past its expected (re)try is taken as lost and sent again.
SWEEP_AFTER = dt.timedelta(minutes=2)
# A message the sweep queued again and that is still pending this long after is queued again
# (its second task was lost too); shorter waits are a backlog, not a loss.
LOST_AFTER = dt.timedelta(minutes=15)


class MessageDeliveryError(Exception):
    """Delivery failed in a way worth retrying (the mail server is down); `countdown` is the
    number of seconds until the next try is due (stored on the message too)."""

    def __init__(self, message: str, *, countdown: int) -> None:
        super().__init__(message)
        self.countdown = countdown


def retry_countdown(*, attempt: int) -> int:
    """Seconds before retry number `attempt` + 1 (attempt counts from 0)."""
    return min(RETRY_FIRST_SECONDS * (2**attempt), RETRY_MAX_SECONDS)


def message_deliver(*, message_id: int) -> str:
    """Send one pending message; returns its status afterwards ("sent", "failed", "pending").

    Never twice: the row is locked (FOR UPDATE SKIP LOCKED) from the claim until the status is
    written, so a second worker holding the same id skips it, and a later one finds it sent.
    A crash between the SMTP hand-off and the commit is the one case that can send again.
    A mail server error counts an attempt, keeps the error and raises MessageDeliveryError (the
    task retries with backoff); the last attempt marks the message failed instead. A message
    that can no longer be rendered or makes no sense is marked failed at once. Tenant schema.
    """
    retry: Exception | None = None
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related(
                "booking__slot__venue",
                "booking__programme",
                "waitlist_entry__offered_slot__venue",
                "waitlist_entry__venue",
                "invite__programme",
            )
            .filter(id=message_id, status=Message.Status.PENDING)
            .first()
        )
        if message is None:  # sent or failed already, or another worker is sending it now
            status = Message.objects.filter(id=message_id).values_list("status", flat=True)
            return status.first() or "missing"
        message.attempts += 1
        try:
            with transaction.atomic():  # a failed send leaves no manage link behind
                message_email(message).send()
        except MessageNotSendableError as exc:
            message.status = Message.Status.FAILED
            message.last_error = str(exc)[:300]
        except OSError as exc:  # smtplib.SMTPException is an OSError too
            message.last_error = f"{type(exc).__name__}: {exc}"[:300]
            if message.attempts >= MESSAGE_MAX_ATTEMPTS:
                message.status = Message.Status.FAILED
            else:
                retry = exc
                message.next_attempt_at = timezone.now() + dt.timedelta(
                    seconds=retry_countdown(attempt=message.attempts - 1)
                )
        except Exception as exc:  # a bug or missing data: tell the organiser, do not loop
            if retry_after(exc) is not None:
                # The cache's or the database's server out of reach while rendering (the
                # branding is cached): nothing was sent; the task tries again shortly.
                raise
            logger.exception("message %s could not be rendered", message_id)
            message.status = Message.Status.FAILED
            message.last_error = f"{type(exc).__name__}: {exc}"[:300]
        else:
            message.status = Message.Status.SENT
            message.sent_at = timezone.now()
        message.save(
            update_fields=["status", "attempts", "last_error", "sent_at", "next_attempt_at"]
        )
    if retry is not None:
        countdown = retry_countdown(attempt=message.attempts - 1)
        raise MessageDeliveryError(message.last_error, countdown=countdown) from retry
    return message.status


# --- Beat: lost messages ----------------------------------------------------------------------


def messages_sweep(*, now: dt.datetime | None = None) -> int:
    """Run by beat: queue again the pending messages whose task was lost (a worker died, the
    broker dropped it): pending for SWEEP_AFTER past their due try (`next_attempt_at`, or the
    moment they were recorded). Once per due time: a message the sweep already queued since it
    fell due is left alone (its task may only be waiting behind a backlog) until LOST_AFTER has
    passed; before, every sweep queued every such message again, and after a rush the queue
    held 522 tasks for 42 messages. Sending twice cannot follow: message_deliver locks and
    re-checks the status. Tenant schema."""
    now = now or timezone.now()
    due = Coalesce("next_attempt_at", "created_at")
    lost = (
        Message.objects.alias(due=due)
        .filter(status=Message.Status.PENDING, due__lte=now - SWEEP_AFTER)
        .filter(
            Q(swept_at__isnull=True) | Q(swept_at__lt=F("due")) | Q(swept_at__lte=now - LOST_AFTER)
        )
    )
    with transaction.atomic():
        message_ids = list(
            lost.select_for_update(skip_locked=True).values_list("id", flat=True).order_by("id")
        )
        Message.objects.filter(id__in=message_ids).update(swept_at=now)
        for message_id in message_ids:
            message_deliver_after_commit(message_id=message_id)
    return len(message_ids)


# --- The organiser's view: delivery status, send again -------------------------------------


def message_list(*, status: str | None = None) -> QuerySet[Message]:
    """The outbox, newest first, for the organiser's page (reads only). Tenant schema."""
    messages = Message.objects.select_related("booking").order_by("-created_at", "-id")
    if status:
        messages = messages.filter(status=status)
    return messages


def message_send_again(*, message_id: int) -> Message:
    """Put a failed message back in the queue (attempts start again). Raises NotFoundError
    (`message_not_failed`) for any other message. Tenant schema."""
    with transaction.atomic():
        # created_at restarts too: the sweep reckons the expected retries from it.
        updated = Message.objects.filter(id=message_id, status=Message.Status.FAILED).update(
            status=Message.Status.PENDING, attempts=0, created_at=timezone.now()
        )
        if not updated:
            raise NotFoundError(
                gettext_lazy("Only a message that failed can be sent again."),
                code="message_not_failed",
            )
        message_deliver_after_commit(message_id=message_id)
    return Message.objects.get(id=message_id)
