"""Run one piece of work in many threads at once, each with its own PostgreSQL connection."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

from django.db import connections

from organizers.services.booking.refusals import BookingRefusedError


def run_at_once(count: int, work: Callable[[int], str]) -> Counter[str]:
    """Start `count` threads that call `work(index)` together (behind a barrier) and count what
    they return; a refusal counts as its code. Each thread closes its connections."""
    results: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(count)

    def runner(index: int) -> None:
        try:
            barrier.wait()
            outcome = work(index)
        except BookingRefusedError as exc:
            outcome = exc.code
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return Counter(results)
