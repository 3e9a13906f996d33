"""Limits on proving a booking is yours (voucher code + date of birth).

A voucher code is printed on the e-voucher and shown at the venue; a date of birth has only
about 36,000 possible values. Without a limit, whoever saw a voucher could try them all and
then read, cancel or move the booking. So: a few wrong tries per voucher, and per address,
counted in the global cache (the same count on every process and every host).

Each try is counted before it is checked (an atomic increment), and given back when it proves
the booking: of 100 guesses sent at once, no more than the limit are ever checked. The voucher
code is counted in its canonical form (booking.rows.voucher_code_canonical), the form the
look-up uses, so spelling it with spaces or in lower case is the same voucher."""

from __future__ import annotations

import contextlib
import threading

from django.core.cache import caches
from django.utils.translation import gettext_lazy as _

from tenants.context import require_current_tenant
from tenants.errors import ApplicationError

_COUNT_LOCK = threading.Lock()
FAILURES_PER_VOUCHER = 10
FAILURES_PER_ADDRESS = 50
WINDOW_SECONDS = 3600


class TooManyAttemptsError(ApplicationError):
    status_code = 429

    def __init__(self) -> None:
        super().__init__(
            _("Too many wrong attempts. Try again in an hour, or ask the organiser for help."),
            code="too_many_attempts",
        )


def _keys(voucher_code: str, address: str) -> tuple[str, str]:
    tenant = require_current_tenant()
    return (f"proof:{tenant.uid}:{voucher_code}", f"proof-ip:{address}")


def proof_attempt_reserve(*, voucher_code: str, address: str) -> None:
    """Count this try for the voucher (canonical code) and the address before it is checked;
    TooManyAttemptsError when either is past its limit. A try that proves the booking is given
    back with proof_attempt_release."""
    by_voucher, by_address = _keys(voucher_code, address)
    if failure_count_add(by_voucher, window_seconds=WINDOW_SECONDS) > FAILURES_PER_VOUCHER:
        raise TooManyAttemptsError()
    if failure_count_add(by_address, window_seconds=WINDOW_SECONDS) > FAILURES_PER_ADDRESS:
        raise TooManyAttemptsError()


def proof_attempt_release(*, voucher_code: str, address: str) -> None:
    """The try proved the booking: it does not count against the voucher or the address."""
    cache = caches["global"]
    for key in _keys(voucher_code, address):
        with contextlib.suppress(ValueError):  # the window ended meanwhile
            cache.decr(key)


def failure_count_add(key: str, *, window_seconds: int) -> int:
    """Count one more failure under `key` in the global cache and return the count; the count
    lasts the window from its first failure. Atomic across processes on Redis (INCR, what
    production runs); the file cache of a laptop run reads and writes back, so the lock keeps
    at least one process's threads in line."""
    cache = caches["global"]
    with _COUNT_LOCK:
        cache.add(key, 0, window_seconds)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window_seconds)
            return 1
