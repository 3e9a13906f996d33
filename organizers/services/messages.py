"""The outbox: messages to people who book. Tenant schema.

A message is recorded in the same transaction as the event that causes it (a booking, a new
time, a waitlist offer, ...), with a unique `event_key` so one event never yields two
messages. After the commit a Celery task delivers it (retries with backoff); beat sweeps up
any message whose task was lost. A booking never fails because email is down.
"""

from __future__ import annotations

from django.utils import timezone

from organizers.models import Booking, Invite, Message, WaitlistEntry
from tenants.context import enqueue_after_commit


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
        event_key = f"{kind}:{type(subject).__name__.lower()}:{subject.pk}"
        if booking is not None:
            event_key = f"{kind}:{booking.pk}"
    message, created = Message.objects.get_or_create(
        event_key=event_key,
        defaults={
            "kind": kind, "booking": booking, "waitlist_entry": waitlist_entry, "invite": invite,
            "to_email": to_email, "language": language, "created_at": timezone.now(),
        },
    )  # fmt: skip
    if not created:
        return None
    message_deliver_after_commit(message_id=message.id)
    return message


def message_deliver_after_commit(*, message_id: int) -> None:
    from organizers.tasks import message_deliver

    enqueue_after_commit(message_deliver, message_id)


class MessageDeliveryError(Exception):
    """Delivery failed in a way worth retrying (the mail server is down)."""


def message_deliver(*, message_id: int) -> str:
    """Send one message if it is still pending; returns its status. TODO(#4): render and send."""
    return "pending"  # H1 replaces this
