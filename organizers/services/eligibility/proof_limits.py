"""Limits on proving a booking is yours (voucher code + date of birth).

A voucher code is printed on the e-voucher and shown at the venue; a date of birth has only
about 36,000 possible values. Without a limit, whoever saw a voucher could try them all and
then read, cancel or move the booking. So: a few wrong tries per voucher, and per address,
counted in the global cache (the same count on every process and every host)."""

from __future__ import annotations

from django.core.cache import caches
from django.utils.translation import gettext_lazy as _

from tenants.context import require_current_tenant
from tenants.errors import ApplicationError

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
    return (f"proof:{tenant.uid}:{voucher_code.upper()}", f"proof-ip:{address}")


def proof_allowed(*, voucher_code: str, address: str) -> None:
    """Raise TooManyAttemptsError when this voucher or this address failed too often."""
    cache = caches["global"]
    by_voucher, by_address = _keys(voucher_code, address)
    if (cache.get(by_voucher) or 0) >= FAILURES_PER_VOUCHER:
        raise TooManyAttemptsError()
    if (cache.get(by_address) or 0) >= FAILURES_PER_ADDRESS:
        raise TooManyAttemptsError()


def proof_failed(*, voucher_code: str, address: str) -> None:
    for key in _keys(voucher_code, address):
        failure_count_add(key, window_seconds=WINDOW_SECONDS)


def failure_count_add(key: str, *, window_seconds: int) -> None:
    """Count one more failure under `key` in the global cache; the count lasts the window
    from its first failure."""
    cache = caches["global"]
    cache.add(key, 0, window_seconds)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window_seconds)
