"""/healthz: the database and the broker answer, and a Celery worker ran the heartbeat lately.
In common/ because the host middleware (tenants) answers it on any host, before any tenant or
page is chosen.

A stale heartbeat fails the check: a worker that takes tasks and finishes none (a wedged pool)
stops every e-voucher while the pages look fine. No heartbeat at all (a platform just started,
its cache new) is reported but does not fail: the worker's own liveness check
(config/worker_liveness.py) covers a worker that never starts. A load balancer that only needs
to know whether this web process answers probes /livez instead.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from kombu import Connection


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        return False


def _broker_ok() -> bool:
    """Connect to the configured broker (Redis, or the filesystem transport's folders)."""
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=2,
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def _heartbeat_age_seconds() -> float | None:
    try:
        value = caches["global"].get("worker:last-heartbeat")
    except Exception:
        return None
    if not value:
        return None
    return round((timezone.now() - dt.datetime.fromisoformat(value)).total_seconds(), 1)


def _worker_ok() -> bool:
    age = _heartbeat_age_seconds()
    return age is None or age <= settings.WORKER_HEARTBEAT_STALE_SECONDS


def _checks() -> dict[str, bool]:
    return {"database": _database_ok(), "broker": _broker_ok(), "worker": _worker_ok()}


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    # Answered on any host (load balancers probe by IP), so the checks are shared for a few
    # seconds: a flood of probes costs one database query and one broker connection each time.
    checks = cast(
        "dict[str, bool]", caches["global"].get_or_set("healthz:checks", _checks, timeout=5)
    )
    healthy = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            **{name: "ok" if ok else "failing" for name, ok in checks.items()},
            # Beat sends the heartbeat every minute; None before a worker first ran one.
            "worker_heartbeat_age_seconds": _heartbeat_age_seconds(),
        },
        status=200 if healthy else 503,
    )
