"""In-process caches: immutable schemas by id forever (LRU), a subject's versions briefly (TTL)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
# (on_hit, on_miss): called on every lookup, e.g. to count them (registry.metrics).
Counters = tuple[Callable[[], None], Callable[[], None]]


def _uncounted() -> None:
    return None


_UNCOUNTED: Counters = (_uncounted, _uncounted)


class LruCache(Generic[K, V]):
    """A bounded map for values that never change once written (a schema id's text)."""

    def __init__(self, capacity: int, counters: Counters = _UNCOUNTED) -> None:
        self._capacity = capacity
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()
        self._hit, self._miss = counters

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
        (self._miss if value is None else self._hit)()
        return value

    def put(self, key: K, value: V) -> None:
        if self._capacity == 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class TtlCache(Generic[K, V]):
    """A map whose entries expire: for what another replica may change (a subject's versions).
    This replica's own writes invalidate at once; other replicas' writes show within `ttl` plus
    the time one refresh takes.

    Single-flight refresh: when an entry expires, the first reader gets None and refreshes it;
    until that refresh is `put` (or `refresh_grace` seconds pass, if it failed), other readers
    keep getting the previous value instead of all reading the database at once.
    """

    def __init__(
        self,
        ttl: float,
        capacity: int,
        clock: Callable[[], float] = time.monotonic,
        refresh_grace: float = 5.0,
        counters: Counters = _UNCOUNTED,
    ):
        self._hit, self._miss = counters
        self._ttl = ttl
        self._capacity = capacity
        self._clock = clock
        self._refresh_grace = refresh_grace
        self._items: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._refreshing: dict[K, float] = {}
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        value = self._lookup(key)
        (self._miss if value is None else self._hit)()
        return value

    def _lookup(self, key: K) -> V | None:
        with self._lock:
            entry = self._items.get(key)
            if entry is None:
                return None
            expires, value = entry
            now = self._clock()
            if now < expires:
                return value
            refreshing_until = self._refreshing.get(key)
            if refreshing_until is not None and now < refreshing_until:
                return value  # another reader is refreshing it right now
            self._refreshing[key] = now + self._refresh_grace
            return None  # this reader refreshes

    def put(self, key: K, value: V) -> None:
        if self._ttl <= 0 or self._capacity == 0:
            return
        with self._lock:
            self._items[key] = (self._clock() + self._ttl, value)
            self._items.move_to_end(key)
            self._refreshing.pop(key, None)
            while len(self._items) > self._capacity:
                evicted, _ = self._items.popitem(last=False)
                self._refreshing.pop(evicted, None)

    def invalidate(self, key: K) -> None:
        """Forget `key` entirely: nobody gets the old value after this replica changed it."""
        with self._lock:
            self._items.pop(key, None)
            self._refreshing.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._refreshing.clear()
