"""Interleaved best-of-N timing in thread CPU time, so that a noisy shared machine moves every candidate alike."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def interleaved(
    candidates: dict[str, Callable[[T], object]],
    inputs: Sequence[T],
    *,
    rounds: int,
    clock: Callable[[], float] = time.thread_time,
) -> dict[str, float]:
    """Best-of-`rounds` CPU seconds per input for each candidate.

    Each round runs every candidate once over all `inputs`, one after the other (in reversed order
    every other round), so a burst of load
    or a frequency change hits baseline and candidate alike; `time.thread_time` leaves out the time
    the machine spends on other processes. The minimum over rounds is the least disturbed figure.
    Work that runs on other threads of this process (an in-process server's worker threads) needs
    `clock=time.process_time`, which counts every thread of the process.
    """
    best = dict.fromkeys(candidates, float("inf"))
    order = list(candidates.items())
    for _ in range(rounds):
        order.reverse()  # alternate the order too: no candidate always runs first or last
        for name, work in order:
            start = clock()
            for item in inputs:
                work(item)
            best[name] = min(best[name], (clock() - start) / len(inputs))
    return best
