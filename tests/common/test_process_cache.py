"""The per-process cache: entries expire on their own time, within a size budget."""

from __future__ import annotations

from common.process_cache import ProcessCache


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_entry_is_kept_for_its_own_seconds_and_then_forgotten() -> None:
    clock = Clock()
    cache: ProcessCache[str] = ProcessCache(max_size=10, timer=clock)
    cache.put("short", "a", seconds=2)
    cache.put("long", "b", seconds=30)

    clock.now += 1.5
    assert cache.get("short") == "a"
    assert cache.get_with_seconds_left("short") == ("a", 0.5)

    clock.now += 1
    assert cache.get("short") is None
    assert cache.get_with_seconds_left("short") is None
    assert cache.get("long") == "b"
    assert len(cache) == 1


def test_zero_seconds_keeps_nothing_and_forgets_an_older_value() -> None:
    cache: ProcessCache[str] = ProcessCache(max_size=10)
    cache.put("k", "old", seconds=60)
    cache.put("k", "new", seconds=0)
    assert cache.get("k") is None


def test_the_byte_budget_drops_the_least_recently_used_first() -> None:
    clock = Clock()
    cache: ProcessCache[bytes] = ProcessCache(max_size=10, size_of=len, timer=clock)
    cache.put("a", b"1234", seconds=60)
    cache.put("b", b"1234", seconds=60)
    assert cache.get("a") == b"1234"  # a is now the most recently used
    cache.put("c", b"1234", seconds=60)
    assert cache.get("b") is None
    assert cache.get("a") == b"1234"
    assert cache.get("c") == b"1234"


def test_a_value_larger_than_the_budget_is_not_kept_and_replaces_nothing_stale() -> None:
    cache: ProcessCache[bytes] = ProcessCache(max_size=4, size_of=len)
    cache.put("k", b"12", seconds=60)
    cache.put("k", b"123456", seconds=60)
    assert cache.get("k") is None


def test_pop_and_clear_forget() -> None:
    cache: ProcessCache[int] = ProcessCache(max_size=10)
    cache.put("a", 1, seconds=60)
    cache.put("b", 2, seconds=60)
    cache.pop("a")
    assert cache.get("a") is None
    cache.clear()
    assert cache.get("b") is None
