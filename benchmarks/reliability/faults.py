"""The faults, one function each: a web worker killed, Celery pool children killed, PostgreSQL
restarted or frozen, the broker stopped."""

from __future__ import annotations

import os
import random
import signal
import time
from collections.abc import Callable

from benchmarks.reliability.platform import Platform
from benchmarks.reliability.report import Fault

FREEZE_SECONDS = 20.0


BROKER_SECONDS = 20.0


DATABASE_DOWN_SECONDS = 8.0


def kill_web_worker(platform: Platform, fault: Fault) -> None:
    workers = platform.children("web")
    os.kill(random.choice(workers), signal.SIGKILL)
    fault.note = "one of 2 web workers SIGKILLed"


def kill_pool_children(platform: Platform, fault: Fault) -> None:
    killed = 0
    for _time in range(3):
        children = platform.children("worker")
        if children:
            os.kill(random.choice(children), signal.SIGKILL)
            killed += 1
        time.sleep(4)
    fault.note = f"{killed} Celery pool children SIGKILLed, 4 s apart"


def restart_postgres(platform: Platform, fault: Fault) -> None:
    platform.postgres.stop(mode="fast")
    time.sleep(DATABASE_DOWN_SECONDS)
    platform.postgres.start()
    fault.note = f"PostgreSQL stopped (fast) for {DATABASE_DOWN_SECONDS:.0f} s, started again"


def freeze_postgres(platform: Platform, fault: Fault) -> None:
    platform.postgres.freeze()
    time.sleep(FREEZE_SECONDS)
    platform.postgres.thaw()
    fault.note = f"PostgreSQL SIGSTOPped for {FREEZE_SECONDS:.0f} s, then SIGCONT"


def stop_broker(platform: Platform, fault: Fault) -> None:
    platform.redis.stop()
    time.sleep(BROKER_SECONDS)
    platform.redis.start()
    fault.note = f"Redis stopped for {BROKER_SECONDS:.0f} s, started again (append-only file)"


SCENARIOS: dict[str, Callable[[Platform, Fault], None]] = {
    "web worker killed": kill_web_worker,
    "pool children killed": kill_pool_children,
    "PostgreSQL restarted": restart_postgres,
    "PostgreSQL frozen": freeze_postgres,
    "broker stopped": stop_broker,
}
