"""The outbox: messages to people who book. Tenant schema.

A message is recorded in the same transaction as the event that causes it (a booking, a new
time, a waitlist offer, ...), with a unique `event_key` so one event never yields two
messages. After the commit the outbox relay is woken (organizers.services.messages.relay) and
hands new messages to Celery in batches; a Celery task delivers them (retries with backoff);
beat sweeps up any message whose task was lost. A booking never fails because email is down.

What a message says is organizers.services.messages.content; the email it becomes is
organizers.services.messages.mime.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time

from django.core.mail.backends.base import BaseEmailBackend
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
from organizers.services.messages.relay import messages_hand_over, outbox_wake_after_commit
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
    outbox_wake_after_commit()
    return message


# --- Delivery --------------------------------------------------------------------------------

# Attempts before a message is marked failed (the task retries with backoff in between: 30 s,
# 1, 2, 4, 8, 16, 32 minutes: about an hour of mail server trouble is ridden out).
MESSAGE_MAX_ATTEMPTS = 8
RETRY_FIRST_SECONDS = 30
RETRY_MAX_SECONDS = 3600
# A pending message this long past its expected (re)try is looked at by the sweep.
SWEEP_AFTER = dt.timedelta(minutes=1)
# A message handed to Celery and still pending this long after is handed over again even when
# the broker's queue holds tasks (they could be a backlog: handing every message of a backlog
# over again every minute once gave 522 tasks for 42 messages).
LOST_AFTER = dt.timedelta(minutes=15)
# ... and this long after when the broker's queue is empty: no task can be waiting for it (the
# broker lost it: a restart that kept nothing, a worker killed with it).
LOST_WHEN_IDLE_AFTER = dt.timedelta(seconds=30)


class MessageDeliveryError(Exception):
    """Delivery failed in a way worth retrying (the mail server is down); `countdown` is the
    number of seconds until the next try is due (stored on the message too)."""

    def __init__(self, message: str, *, countdown: int) -> None:
        super().__init__(message)
        self.countdown = countdown


class MessageSentUnrecordedError(Exception):
    """The mail server took the message, then the database went away before its status was
    written (a restart, a failover): it must not be sent again. `sent`: the messages in that
    state, with the moment each was handed to the mail server (epoch seconds); the task keeps
    them and records them first when it runs again (messages_sent_record)."""

    def __init__(self, sent: dict[int, float], cause: BaseException) -> None:
        super().__init__(f"{len(sent)} message(s) sent, not recorded: {cause!r}")
        self.sent = sent
        self.cause = cause


def messages_sent_record(*, sent: dict[int, float]) -> int:
    """Write down messages the mail server took while the database was away (their ids, and
    when each went): sent, one attempt more, unless something else decided them meanwhile.
    Returns how many were still pending. Tenant schema."""
    recorded = 0
    for message_id, at in sent.items():
        recorded += Message.objects.filter(id=message_id, status=Message.Status.PENDING).update(
            status=Message.Status.SENT,
            sent_at=dt.datetime.fromtimestamp(at, tz=dt.UTC),
            attempts=F("attempts") + 1,
        )
    return recorded


def retry_countdown(*, attempt: int) -> int:
    """Seconds before retry number `attempt` + 1 (attempt counts from 0)."""
    return min(RETRY_FIRST_SECONDS * (2**attempt), RETRY_MAX_SECONDS)


def message_deliver(*, message_id: int, mail: BaseEmailBackend | None = None) -> str:
    """Send one pending message; returns its status afterwards ("sent", "failed", "pending").

    Never twice: the row is locked (FOR UPDATE SKIP LOCKED) from the claim until the status is
    written, so a second worker holding the same id skips it, and a later one finds it sent.
    The database going away between the mail server's hand-off and the commit raises
    MessageSentUnrecordedError: the task records it sent when it runs again instead of sending
    it again. Only the worker itself dying in that moment can send twice.
    `mail`: an open mail-server connection to send through (a batch shares one).
    A mail server error counts an attempt, keeps the error and raises MessageDeliveryError (the
    task retries with backoff); the last attempt marks the message failed instead. A message
    that can no longer be rendered or makes no sense is marked failed at once. Tenant schema.
    """
    retry: Exception | None = None
    handed_at: float | None = None  # when the mail server took it, once it has
    try:
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
                    email = message_email(message)
                    if mail is not None:
                        email.connection = mail
                    email.send()
                    handed_at = time.time()
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
    except Exception as exc:
        if handed_at is not None and retry_after(exc) is not None:
            raise MessageSentUnrecordedError({message_id: handed_at}, exc) from exc
        raise
    if retry is not None:
        countdown = retry_countdown(attempt=message.attempts - 1)
        raise MessageDeliveryError(message.last_error, countdown=countdown) from retry
    return message.status


def messages_deliver(*, message_ids: list[int]) -> dict[int, int]:
    """Send a batch of messages (the relay's, organizers.services.messages.relay) over one
    mail-server connection, each as message_deliver does. Returns the messages to try again
    later, with the seconds until each is due; a failed send closes the connection and the
    next message opens a new one. Tenant schema."""
    from django.core.mail import get_connection

    retries: dict[int, int] = {}
    mail = _opened(get_connection())
    try:
        for message_id in message_ids:
            try:
                message_deliver(message_id=message_id, mail=mail)
            except MessageDeliveryError as exc:
                retries[message_id] = exc.countdown
                _close_quietly(mail)
                mail = _opened(get_connection())
    finally:
        _close_quietly(mail)
    return retries


def _opened(mail: BaseEmailBackend) -> BaseEmailBackend:
    """The backend with its connection open, so that each send uses it and leaves it open
    (a backend opened by send() itself closes it after). If the mail server does not answer,
    the first send tries again and records the failure as every attempt does."""
    with contextlib.suppress(OSError):
        mail.open()
    return mail


def _close_quietly(mail: BaseEmailBackend) -> None:
    # The mail server went away mid-batch: the connection is dropped anyway.
    with contextlib.suppress(OSError):
        mail.close()


# --- Beat: lost messages ----------------------------------------------------------------------


def messages_sweep(*, broker_idle: bool = False, now: dt.datetime | None = None) -> int:
    """Run by beat: hand over again the pending messages whose task was lost (a worker died,
    the broker dropped it, the relay was never woken): pending for SWEEP_AFTER past their due
    try (`next_attempt_at`, or the moment they were recorded) and not handed to Celery since
    they fell due; or handed over once and still pending LOST_AFTER later, or
    LOST_WHEN_IDLE_AFTER later when the broker's queue is empty (`broker_idle`, measured once
    per sweep by the caller), since then no task can be waiting for them. Once per due time
    otherwise: a backlog in the broker is not multiplied. Sending twice cannot follow:
    message_deliver locks and re-checks the status. Returns the messages handed over. Tenant
    schema."""
    now = now or timezone.now()
    due = Coalesce("next_attempt_at", "created_at")
    looks_lost = Q(queued_at__lte=now - LOST_AFTER)
    if broker_idle:
        looks_lost |= Q(queued_at__lte=now - LOST_WHEN_IDLE_AFTER)
    lost = (
        Message.objects.alias(due=due)
        .filter(status=Message.Status.PENDING, due__lte=now - SWEEP_AFTER)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=F("due")) | looks_lost)
    )
    return messages_hand_over(lost, now=now)


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
            status=Message.Status.PENDING,
            attempts=0,
            created_at=timezone.now(),
            next_attempt_at=None,
            queued_at=None,
        )
        if not updated:
            raise NotFoundError(
                gettext_lazy("Only a message that failed can be sent again."),
                code="message_not_failed",
            )
        outbox_wake_after_commit()
    return Message.objects.get(id=message_id)
