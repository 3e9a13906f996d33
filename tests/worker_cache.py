"""The suite's Redis cache: every key starts with the pytest-xdist worker's name, and clear()
deletes that worker's keys only.

Django's RedisCache.clear() is FLUSHDB: the harness clears the caches at the start of a run
and some tests clear them, which would wipe the other worker's rate-limit counters and cached
values, and the broker's queues that live in the same Redis database.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.cache.backends.redis import RedisCache


def worker_key_prefix() -> str:
    return f"{os.environ.get('SENTRA_TEST_WORKER') or 'main'}|"


class WorkerRedisCache(RedisCache):
    def make_key(self, key: Any, version: int | None = None) -> str:
        return worker_key_prefix() + super().make_key(key, version)

    def clear(self) -> bool:
        client = self._cache.get_client(write=True)
        keys = list(client.scan_iter(match=worker_key_prefix() + "*", count=1000))
        if keys:
            client.delete(*keys)
        return True
