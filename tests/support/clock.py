"""A clock tests move by hand, so TTLs, expiry and cool-downs are exercised without waiting."""

from __future__ import annotations


class Clock:
    """Callable like `time.monotonic`; set `now` to move time."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
