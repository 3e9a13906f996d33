"""A task for tests/config/test_worker_liveness.py only: keeps a pool child busy. Loaded into
the test's own worker with `--include`; never part of the platform."""

from __future__ import annotations

import time

from celery import shared_task


@shared_task(name="tests.sleep_for")
def sleep_for(seconds: float) -> None:
    time.sleep(seconds)
