"""When PostgreSQL cannot be reached (down, restarting, frozen past the timeouts), people are told
to try again instead of getting a 500: the API answers 503 `try_again` with Retry-After, the
pages a short page in the person's language. One test of "is this an outage" for both
(api/exception_handlers.py, public_site/views/errors.py), and the body they share.

Two transactions colliding (a deadlock, a serialization failure) are try-again too, sooner:
nothing was written and the next try usually goes through.

The cache's Redis out of reach is an outage too (production keeps the cache, the rate-limit
counters among it, on the broker's Redis): a page that reads the organiser's branding from it
said 500 while Redis restarted (./sentra reliability, "broker stopped").
"""

from __future__ import annotations

from typing import Any

from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

RETRY_AFTER_OUTAGE = 30  # seconds: a restart or a failover takes about that long
RETRY_AFTER_COLLISION = 1
_COLLISIONS = ("40P01", "40001")  # deadlock detected, serialization failure


def retry_after(exc: BaseException | None) -> int | None:
    """Seconds to wait before trying again when `exc` means the database could not do the work
    now (None for any other error)."""
    if isinstance(exc, OperationalError):
        sqlstate = getattr(exc.__cause__, "sqlstate", None)
        return RETRY_AFTER_COLLISION if sqlstate in _COLLISIONS else RETRY_AFTER_OUTAGE
    if isinstance(exc, InterfaceError):  # the connection went away under us
        return RETRY_AFTER_OUTAGE
    if isinstance(exc, RedisConnectionError | RedisTimeoutError):  # the cache's server
        return RETRY_AFTER_OUTAGE
    return None


def try_again_body() -> dict[str, Any]:
    return {"error": {"code": "try_again", "message": str(_("Busy. Please try again."))}}
