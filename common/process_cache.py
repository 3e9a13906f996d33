"""Per-process caches: the one way a process remembers something for a few seconds.

Every web worker keeps a few answers it would otherwise ask PostgreSQL for on each request at
a drop (a host's tenant, a programme's age rules, a venue-day's rendered slot list). They are
cachetools caches behind one lock: the web server's Django threads and the rush front's event
loop share them. Each entry carries its own expiry, so callers can ask how long an entry has
left (the rush front refreshes a programme's facts in their last second) and a cache can hold
entries kept for different times. A size budget bounds each cache (entries, or bytes when
`size_of` is given): a crawler asking for every day or every host cannot grow the process.

What a cache may hold is the caller's decision, and so is its key: tenant-scoped data must be
keyed by the tenant (a schema name or the tenant's uid).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from cachetools import TLRUCache

V = TypeVar("V")


def _expires_at(_key: Hashable, entry: tuple[float, object], _now: float) -> float:
    return entry[0]


class ProcessCache(Generic[V]):
    """Entries that expire after their own number of seconds, within a size budget."""

    def __init__(
        self,
        *,
        max_size: int,
        size_of: Callable[[V], int] | None = None,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        getsizeof = (lambda entry: size_of(entry[1])) if size_of is not None else None
        self._entries: TLRUCache[Hashable, tuple[float, V]] = TLRUCache(
            maxsize=max_size, ttu=_expires_at, timer=timer, getsizeof=getsizeof
        )
        self._timer = timer
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> V | None:
        """The value kept for key, or None when there is none or it has expired."""
        with self._lock:
            entry = self._entries.get(key)
        return None if entry is None else entry[1]

    def get_with_seconds_left(self, key: Hashable) -> tuple[V, float] | None:
        """The value kept for key and the seconds it has left, or None."""
        with self._lock:
            entry = self._entries.get(key)
            now = self._timer()
        if entry is None:
            return None
        return entry[1], entry[0] - now

    def put(self, key: Hashable, value: V, *, seconds: float) -> None:
        """Keep value for key for `seconds`; nothing is kept for zero or fewer seconds, nor
        a value larger than the whole budget."""
        if seconds <= 0:
            self.pop(key)
            return
        with self._lock:
            expires = self._timer() + seconds
            try:
                self._entries[key] = (expires, value)
            except ValueError:  # larger than the whole budget
                self._entries.pop(key, None)

    def pop(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            self._entries.expire()
            return len(self._entries)
