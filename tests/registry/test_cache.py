"""The read caches: LRU bounds, TTL expiry, and a single reader refreshing an expired entry."""

from __future__ import annotations

from registry.cache import LruCache, TtlCache
from tests.support.clock import Clock


def test_lru_keeps_the_most_recently_used() -> None:
    cache: LruCache[int, str] = LruCache(2)
    cache.put(1, "a")
    cache.put(2, "b")
    assert cache.get(1) == "a"  # 1 is now the most recent
    cache.put(3, "c")
    assert (cache.get(1), cache.get(2), cache.get(3)) == ("a", None, "c")


def test_an_expired_entry_is_refreshed_by_one_reader_while_others_keep_the_old_value() -> None:
    clock = Clock()
    cache: TtlCache[str, int] = TtlCache(1.0, 10, clock=clock, refresh_grace=5.0)
    cache.put("T", 1)
    clock.now = 0.5
    assert cache.get("T") == 1
    clock.now = 1.5  # expired
    assert cache.get("T") is None  # the first reader is told to refresh
    assert cache.get("T") == 1  # everyone else meanwhile: the previous value, no stampede
    cache.put("T", 2)  # the refresh lands
    assert cache.get("T") == 2


def test_a_failed_refresh_hands_the_refresh_to_someone_else_after_the_grace() -> None:
    clock = Clock()
    cache: TtlCache[str, int] = TtlCache(1.0, 10, clock=clock, refresh_grace=5.0)
    cache.put("T", 1)
    clock.now = 2.0
    assert cache.get("T") is None  # this refresher fails and never puts
    clock.now = 6.9
    assert cache.get("T") == 1
    clock.now = 7.0
    assert cache.get("T") is None  # grace over: the next reader refreshes


def test_invalidation_never_serves_the_old_value() -> None:
    clock = Clock()
    cache: TtlCache[str, int] = TtlCache(1.0, 10, clock=clock)
    cache.put("T", 1)
    clock.now = 1.5
    assert cache.get("T") is None  # a refresh is under way...
    cache.invalidate("T")  # ...when this replica writes
    assert cache.get("T") is None
    assert cache.get("T") is None


def test_ttl_zero_caches_nothing() -> None:
    cache: TtlCache[str, int] = TtlCache(0.0, 10)
    cache.put("T", 1)
    assert cache.get("T") is None
