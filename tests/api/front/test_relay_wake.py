"""The rush front hands its bookings' e-vouchers to the outbox relay with a wake, gathered:
one NOTIFY per organiser for the bookings of a few milliseconds, none for a booking with no
e-mail address, and a booking that cannot wake the relay is still booked."""

from __future__ import annotations

import asyncio

import pytest

from api.front import booking as front_booking
from tests.api.front.conftest import Harness


def test_the_wakes_of_bookings_made_together_go_out_as_one(harness: Harness) -> None:
    schema = harness.tenant.schema_name

    async def three_bookings_then_a_later_one() -> None:
        for _booking in range(3):
            harness.app._wake_relay(schema)
        await asyncio.sleep(front_booking.WAKE_GATHER_SECONDS * 5)
        harness.app._wake_relay(schema)
        await asyncio.sleep(front_booking.WAKE_GATHER_SECONDS * 5)

    harness.loop.run(three_bookings_then_a_later_one())

    assert harness.wakes.received() == [schema, schema]


def test_a_booking_without_an_email_address_does_not_wake_the_relay(harness: Harness) -> None:
    harness.warm()
    assert harness.wakes.received(wait=0.5) == []  # the person of these tests gives none

    assert harness.book(1).status == 201
    assert harness.book(2, email="siti@example.id").status == 201

    assert harness.wakes.received() == [harness.tenant.schema_name]


def test_a_booking_is_made_even_when_the_relay_cannot_be_woken(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    harness.warm()

    async def database_gone(*_args: object) -> None:
        raise ConnectionResetError(104, "Connection reset by peer")

    monkeypatch.setattr(harness.app.database, "execute_anywhere", database_gone)
    answer = harness.book(1, email="siti@example.id")
    harness.loop.run(asyncio.sleep(front_booking.WAKE_GATHER_SECONDS * 5))

    assert answer.status == 201
    assert harness.counters() == (2, 2)
    assert "outbox relay not woken (the sweep sends)" in caplog.text
