"""Whether a Celery worker still finishes tasks, told by the age of a file.

Why a file and not `celery inspect ping`: killing pool children (as the OOM killer does) can
leave billiard's replacements blocked forever on the pool's queue lock. The worker's main
process then still takes messages and answers pings, but finishes nothing: e-vouchers stop.
So liveness is measured through the pool. Every ALIVE_SECONDS the main process sends a task to
its own direct queue (CELERY_WORKER_DIRECT); a pool child runs it and touches the file. While
every pool child is busy with a task that started within the hard time limit, the main process
touches the file itself: busy is not wedged, and a task stuck past the limit is killed by
Celery anyway.

Read by `./sentra run` (config/supervisor.py kills and restarts a wedged worker) and, in
production, by the worker container's health check:

    python -m config.worker_liveness --check     # exit 0: alive; 1: stale or never started

Standard library and Celery only (no Django): the check runs every few seconds.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from celery import shared_task
from celery.signals import worker_ready
from celery.utils import worker_direct

from config.env import VAR_DIR, env_int

ALIVE_SECONDS = env_int("SENTRA_WORKER_ALIVE_SECONDS", 20)
STALE_AFTER = 4 * ALIVE_SECONDS  # three sends lost in a row is not a slow moment


def alive_file() -> Path:
    return Path(os.environ.get("SENTRA_WORKER_ALIVE_FILE") or VAR_DIR / "worker-alive")


def alive_age(path: Path | None = None) -> float | None:
    """Seconds since the worker last showed it finishes tasks; None if it never did."""
    try:
        return max(0.0, time.time() - (path or alive_file()).stat().st_mtime)
    except FileNotFoundError:
        return None


def _touch() -> None:
    path = alive_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


@shared_task(name="config.worker_alive", ignore_result=True, acks_late=False)
def worker_alive() -> None:
    """Run by a pool child: the pool takes work and finishes it."""
    _touch()


def _busy_within_time_limit(time_limit: float) -> bool:
    from celery.worker import state

    now = time.time()
    return any(
        request.time_start and now - request.time_start < time_limit
        for request in list(state.active_requests)
    )


def _keep_telling(consumer: Any) -> None:
    queue = worker_direct(consumer.hostname)
    time_limit = float(consumer.app.conf.task_time_limit or 300)
    while True:
        try:
            worker_alive.apply_async(queue=queue, expires=2 * ALIVE_SECONDS)
            if _busy_within_time_limit(time_limit):
                _touch()
        except Exception as exc:  # the broker may be down for a while; keep trying
            print(f"worker liveness: could not send ({exc!r})", file=sys.stderr, flush=True)
        time.sleep(ALIVE_SECONDS)


@worker_ready.connect
def _start_telling(sender: Any = None, **_: Any) -> None:
    _touch()  # started; from now on only finished tasks keep the file young
    threading.Thread(
        target=_keep_telling, args=(sender,), name="worker-liveness", daemon=True
    ).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m config.worker_liveness")
    parser.add_argument("--check", action="store_true", help="exit 1 unless alive (the default)")
    parser.add_argument("--max-age", type=float, default=STALE_AFTER)
    args = parser.parse_args(argv)
    age = alive_age()
    if age is None:
        print(f"worker: never started ({alive_file()} does not exist)")
        return 1
    alive = age <= args.max_age
    print(f"worker: {'alive' if alive else 'stale'}, last finished a task {age:.0f} s ago")
    return 0 if alive else 1


if __name__ == "__main__":
    sys.exit(main())
