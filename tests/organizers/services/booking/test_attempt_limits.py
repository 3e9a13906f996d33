"""Booking attempts per client and per NIK (organizers/services/booking/attempt_limits.py): the
limits, the window's end as Retry-After, each person of a party counting for their NIK, a new
window starting afresh, and no NIK kept in clear."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from organizers.nik import nik_compose
from organizers.personal_data import person_key
from organizers.services.booking import attempt_limits
from organizers.services.booking.attempt_limits import (
    BookingAttemptsLimitedError,
    booking_attempt_count,
)

SITI_BORN = dt.date(1958, 3, 14)
WINDOW_START = 1_800_000_000.0  # a multiple of 10 and of 60
SITI = nik_compose(SITI_BORN, sex="F", serial=1)
BUDI = nik_compose(SITI_BORN, sex="M", serial=2)


@override_settings(SENTRA_BOOKING_ATTEMPTS_PER_CLIENT=3)
def test_a_client_is_limited_until_its_window_ends() -> None:
    for second in range(3):
        booking_attempt_count(client="10.0.0.1", niks=[], now=WINDOW_START + second)
    with pytest.raises(BookingAttemptsLimitedError) as refused:
        booking_attempt_count(client="10.0.0.1", niks=[], now=WINDOW_START + 3.5)

    assert refused.value.status_code == 429
    assert refused.value.code == "too_many_booking_attempts"
    assert refused.value.retry_after == 7  # 6.5 s left in the 10 s window, rounded up
    booking_attempt_count(client="10.0.0.2", niks=[], now=WINDOW_START + 4)  # another client
    booking_attempt_count(client="10.0.0.1", niks=[], now=WINDOW_START + 10)  # a new window


@override_settings(SENTRA_BOOKING_ATTEMPTS_PER_NIK=2)
def test_a_nik_is_limited_from_any_client_and_each_person_of_a_party_counts() -> None:
    booking_attempt_count(client="10.0.0.1", niks=[SITI], now=WINDOW_START)
    booking_attempt_count(client="10.0.0.2", niks=[SITI, BUDI], now=WINDOW_START + 1)
    with pytest.raises(BookingAttemptsLimitedError) as refused:
        booking_attempt_count(client="10.0.0.3", niks=[BUDI, SITI], now=WINDOW_START + 30)

    assert refused.value.retry_after == 30
    with pytest.raises(BookingAttemptsLimitedError):
        booking_attempt_count(client="10.0.0.4", niks=[BUDI], now=WINDOW_START + 31)
    booking_attempt_count(client="10.0.0.4", niks=[SITI, BUDI], now=WINDOW_START + 60)


def test_a_nik_is_counted_by_its_blind_index_never_in_clear() -> None:
    booking_attempt_count(client="10.0.0.1", niks=[SITI], now=WINDOW_START)

    kept = attempt_limits._BY_NIK.counts
    assert list(kept) == [bytes.fromhex(person_key(SITI))[:16]]  # the blind index, in part
