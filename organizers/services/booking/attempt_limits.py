"""Limits on booking attempts per client and per NIK (issue #11, a drop far past capacity): one
client (its address, as the web server's trusted-proxy setting reads it) may try to book at most
SENTRA_BOOKING_ATTEMPTS_PER_CLIENT times in CLIENT_WINDOW_SECONDS, one NIK at most
SENTRA_BOOKING_ATTEMPTS_PER_NIK times in NIK_WINDOW_SECONDS. A script that books for a list of
NIKs, or one NIK hammered from many phones, cannot take the seats of the people queueing by
hand; past a limit the answer is 429 `too_many_booking_attempts` with Retry-After (the end of the
window).

One rule for every booking path: the API's bookings on the rush front (api/front/booking.py) and
through Django (api/v1/views.py), and the booking pages' last step (booking_pages/views/review.py,
each person of a party counting for their NIK). An attempt is a valid booking body, counted
before anything touches the database; a body refused as invalid costs no database work and is
not counted. When the front hands a counted request to the full path, it marks it
(ATTEMPT_COUNTED in the scope, passed on in the WSGI environ) and Django does not count it again.

Counters per worker process, in memory: the rush front checks them on every booking, and a
round trip to Redis (about 100-200 µs, on the event loop's critical path) would cost more than
the booking's own validation. Per worker is acceptable here because the limits are against
abuse, not accounting: a client or a NIK gets at most the limit on each of a handful of workers
(connections stay with one worker while they are kept alive), still far from what a script
would need, and the seats themselves are guarded by the database (one active booking per NIK per
dose). A NIK is kept by its blind index (personal_data.person_key's HMAC, 16 bytes of it),
never in clear. Fixed
windows: each window's counts are dropped whole when it ends, so memory is bounded by the
distinct keys of one window (and by MAX_KEYS: past it, the window starts afresh).
"""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections.abc import Iterable

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from organizers.personal_data import keyring
from tenants.errors import ApplicationError

CLIENT_WINDOW_SECONDS = 10
NIK_WINDOW_SECONDS = 60
MAX_KEYS = 200_000
ATTEMPT_COUNTED = "sentra.booking_attempt_counted"  # scope / environ key (see above)


class BookingAttemptsLimitedError(ApplicationError):
    status_code = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            _("Too many booking attempts. Wait a moment, then try again."),
            code="too_many_booking_attempts",
        )
        self.retry_after = retry_after


class _Window:
    """Counts per key in fixed windows of `seconds`."""

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        self.number = -1
        self.counts: dict[str | bytes, int] = {}

    def add(self, key: str | bytes, now: float) -> int:
        """Count one for `key`: its count in this window."""
        number = int(now // self.seconds)
        if number != self.number or len(self.counts) >= MAX_KEYS:
            self.number, self.counts = number, {}
        count = self.counts.get(key, 0) + 1
        self.counts[key] = count
        return count

    def left(self, now: float) -> int:
        """Whole seconds until this window ends (at least 1): the answer's Retry-After."""
        return max(1, math.ceil((int(now // self.seconds) + 1) * self.seconds - now))


_LIMITS: list[tuple[int, int, bytes]] = []  # read once: a Django setting costs a few look-ups


def _limits() -> tuple[int, int, bytes]:
    """(attempts per client, attempts per NIK, the blind index's key)."""
    if not _LIMITS:
        per_client = settings.SENTRA_BOOKING_ATTEMPTS_PER_CLIENT
        _LIMITS.append((per_client, settings.SENTRA_BOOKING_ATTEMPTS_PER_NIK, keyring().index_key))
    return _LIMITS[0]


@receiver(setting_changed)
def _settings_changed(**_kwargs: object) -> None:
    _LIMITS.clear()  # override_settings in tests


_LOCK = threading.Lock()  # the front's event loop and Django's threads share the counters
_BY_CLIENT = _Window(CLIENT_WINDOW_SECONDS)
_BY_NIK = _Window(NIK_WINDOW_SECONDS)


def booking_attempt_count(*, client: str, niks: Iterable[str], now: float | None = None) -> None:
    """Count one booking attempt for `client` and for each NIK (a party: one each); raise
    BookingAttemptsLimitedError when any is past its limit. Per process, no I/O."""
    moment = time.time() if now is None else now
    per_client, per_nik, index_key = _limits()
    # The blind index (personal_data.person_key: HMAC-SHA256 with the index key), its first
    # 16 bytes, through the one-shot hmac.digest: a third of person_key's time.
    keys = [hmac.digest(index_key, nik.encode(), "sha256")[:16] for nik in niks]
    wait = 0
    with _LOCK:
        if _BY_CLIENT.add(client, moment) > per_client:
            wait = _BY_CLIENT.left(moment)
        for key in keys:
            if _BY_NIK.add(key, moment) > per_nik:
                wait = max(wait, _BY_NIK.left(moment))
    if wait:
        raise BookingAttemptsLimitedError(wait)


def booking_attempts_forget() -> None:
    """Start every window afresh (tests)."""
    with _LOCK:
        _BY_CLIENT.number = _BY_NIK.number = -1
