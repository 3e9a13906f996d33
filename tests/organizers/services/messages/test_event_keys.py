"""organizers.services.messages.event_keys: one event, one message. The outbox's key is written once
and built alike in Python, in SQL (the booking statement) and in the ORM (the reminder sweep)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import OuterRef, Subquery, Value

from organizers.models import Booking, Message, Programme
from organizers.services.booking.engine import booking_create
from organizers.services.messages import outbox
from organizers.services.messages.event_keys import (
    event_key,
    event_key_expression,
    event_key_parts,
    event_key_sql,
)
from tests.conftest import OrganizerFixture
from tests.organizers.factories import a_person, a_programme, a_slot, a_venue

EXAMPLES = [
    (Message.Kind.VOUCHER, (42,)),
    (Message.Kind.REMINDER, (42, 7)),
    (Message.Kind.WAITLIST_OFFER, (9, "aB-3_xYz")),
    (Message.Kind.RESCHEDULED, (42, 8, 1764756000)),
    (Message.Kind.EMAIL_CODE, ("k7Qm-Zr_2",)),
]


@pytest.mark.parametrize(("kind", "parts"), EXAMPLES, ids=[kind for kind, _ in EXAMPLES])
def test_python_sql_and_the_orm_build_the_same_key(
    alpha: OrganizerFixture, kind: str, parts: tuple
) -> None:
    by_python = event_key(kind, *parts)
    with connection.cursor() as cursor:
        placeholders = [f"%(p{n})s::text" for n in range(len(parts))]
        cursor.execute(
            f"SELECT {event_key_sql(kind, *placeholders)}",
            {f"p{n}": str(part) for n, part in enumerate(parts)},
        )
        by_sql = cursor.fetchone()[0]
    a_programme()
    by_orm = (
        Programme.objects.annotate(
            key=event_key_expression(kind, *(Value(str(part)) for part in parts))
        )
        .values_list("key", flat=True)
        .first()
    )

    assert by_python == by_sql == by_orm
    assert event_key_parts(by_python, kind=kind) == [str(part) for part in parts]


def test_a_key_is_read_back_only_as_its_own_kind() -> None:
    with pytest.raises(ValueError, match="not a email_code event key"):
        event_key_parts(event_key(Message.Kind.INVITE, 3), kind=Message.Kind.EMAIL_CODE)


def test_the_voucher_the_booking_statement_records_is_the_event_the_outbox_knows(
    alpha: OrganizerFixture,
) -> None:
    programme, venue = a_programme(), a_venue()
    slot = a_slot(venue=venue, programme=programme)
    booking = booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())

    recorded = Message.objects.get(booking=booking)
    again = outbox.message_record(kind=Message.Kind.VOUCHER, booking=booking)

    assert recorded.event_key == event_key(Message.Kind.VOUCHER, booking.id)
    assert again is None  # the same event: no second voucher
    assert Message.objects.filter(booking=booking).count() == 1


def test_the_reminder_sweep_finds_a_reminder_recorded_in_python(alpha: OrganizerFixture) -> None:
    programme, venue = a_programme(), a_venue()
    slot = a_slot(venue=venue, programme=programme)
    booking = booking_create(programme_id=programme.id, slot_id=slot.id, dose=1, person=a_person())
    outbox.message_record(
        kind=Message.Kind.REMINDER,
        booking=booking,
        event_key=event_key(Message.Kind.REMINDER, booking.id, booking.slot_id),
    )
    found = Booking.objects.filter(id=booking.id).annotate(
        reminder=Subquery(
            Message.objects.filter(
                event_key=event_key_expression(
                    Message.Kind.REMINDER, OuterRef("pk"), OuterRef("slot_id")
                )
            ).values("id")[:1]
        )
    )

    assert found.values_list("reminder", flat=True).get() is not None
