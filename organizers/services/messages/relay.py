"""The outbox relay: new outbox messages reach Celery in batches, not one task per booking.

A booking (or any event with a message) records its message in its own transaction; what the
request does after that is only to say "this organiser has new messages": one `pg_notify` on
the channel `sentra_outbox` with the schema's name, after the commit. The rush front gathers
its bookings' wakes over a few milliseconds and sends one per organiser (api/front/booking.py);
Django's path sends one per transaction (`outbox_wake_after_commit`). The relay process
(`python -m config.outbox_relay`) listens on the channel and, per organiser woken, claims the
messages not handed yet (`queued_at` NULL) and publishes one Celery task per batch of them
(organizers.tasks.messages_deliver). Publishing a task per booking cost the booking request
1.4-2 ms of CPU, more than the booking itself (issue #11); a NOTIFY is a few microseconds on a
connection the request holds anyway, and PostgreSQL's NOTIFY queue lock is taken by one
connection a few times a second instead of by every booking.

Nothing is lost when a wake is: the relay claims every message not handed yet in the schema it
was woken for (a later booking's wake carries an earlier one's message along), it looks at
every organiser when it starts or reconnects, and beat's sweep (organizers.services.messages.
outbox.messages_sweep) hands over any pending message left behind. Sending twice cannot follow:
delivery locks the row and re-checks its status (outbox.message_deliver).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Iterable, Sequence

from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from organizers.models import Message
from tenants.context import current_schema_name

logger = logging.getLogger(__name__)

CHANNEL = "sentra_outbox"
# Messages per Celery task: one task delivers them over one mail-server connection. Small
# enough that a rush's e-vouchers spread over every worker process (60 tasks for 3,000).
BATCH = 50

Publish = Callable[[str, Sequence[int]], None]


# --- Waking the relay ----------------------------------------------------------------------------


def outbox_wake_after_commit() -> None:
    """Tell the relay, once the current transaction commits, that this organiser has new
    messages: once per transaction, however many it records (a day's reminders). Outside a
    transaction it is told at once. Tenant schema."""
    schema = current_schema_name()
    if connection.in_atomic_block and any(
        getattr(pending[1], "outbox_wake_for", None) == schema  # (savepoints, callback, robust)
        for pending in connection.run_on_commit
    ):
        return  # this transaction wakes the relay for the organiser already
    wake = functools.partial(outbox_wake, schemas=(schema,))
    wake.outbox_wake_for = schema  # type: ignore[attr-defined]
    transaction.on_commit(wake)


def outbox_wake(*, schemas: Iterable[str]) -> None:
    """NOTIFY the relay for each of `schemas` (one round trip). Never raises: the booking is
    committed already, and a lost wake only delays its message until the next wake for the
    same organiser, the relay's start-up, or beat's sweep."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(outbox_wake_statement(), [list(schemas)])
    except DatabaseError as exc:
        logger.warning("outbox relay not woken (the sweep sends the message): %r", exc)


def outbox_wake_statement(placeholder: str = "%s") -> str:
    """The one statement that wakes the relay for an array of schema names: the same for
    Django (psycopg, `%s`) and the rush front (asyncpg, `$1`)."""
    # CHANNEL and the placeholder are this module's constants, never a request's text.
    return f"SELECT pg_notify('{CHANNEL}', name) FROM unnest({placeholder}::text[]) AS name"  # noqa: S608


# --- Handing messages to Celery --------------------------------------------------------------


def outbox_relay_pass(*, publish: Publish | None = None, batch: int = BATCH) -> int:
    """Hand every message of this organiser not handed yet to Celery (the relay's work when it
    is woken for this schema). Returns how many. Tenant schema."""
    unqueued = Message.objects.filter(status=Message.Status.PENDING, queued_at__isnull=True)
    return messages_hand_over(unqueued, publish=publish, batch=batch)


def messages_hand_over(
    messages: QuerySet[Message],
    *,
    publish: Publish | None = None,
    batch: int = BATCH,
    now: dt.datetime | None = None,
) -> int:
    """Hand `messages` to Celery, `batch` ids per task: each batch is claimed (FOR UPDATE SKIP
    LOCKED, so two relays, or the relay and the sweep, never take the same message) and
    stamped `queued_at` in its own transaction, then published. If publishing fails (the
    broker is down) the stamp is taken back, so that the next pass tries again, and the error
    is raised. `now` is the stamp (the sweep's clock). Returns the number of messages handed
    over. Tenant schema."""
    publish = publish or messages_publish
    schema = current_schema_name()
    handed = 0
    while True:
        with transaction.atomic():
            ids = list(
                messages.order_by("id")
                .select_for_update(skip_locked=True)
                .values_list("id", flat=True)[:batch]
            )
            if not ids:
                return handed
            Message.objects.filter(id__in=ids).update(queued_at=now or timezone.now())
        try:
            publish(schema, ids)
        except Exception:
            Message.objects.filter(id__in=ids, status=Message.Status.PENDING).update(queued_at=None)
            raise
        handed += len(ids)
        if len(ids) < batch:
            return handed


def messages_publish(schema: str, message_ids: Sequence[int]) -> None:
    """One Celery task delivering `message_ids` in `schema` (organizers.tasks.messages_deliver)."""
    from organizers.tasks import messages_deliver
    from tenants.context import enqueue_in_schema

    enqueue_in_schema(schema, messages_deliver, list(message_ids))
