"""Contracts over time: 100 contracts against 100 live versions of a 50-field schema (every
contract must read every version), against one contract x one version in the same run; and the
same matrix with the verdict memo cold versus warm."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from bench_check import FIELDS, TYPES, contract

from contracts import VersionedSchema, parse_schema
from contracts.consumers import VerdictCache, check_consumer_contract

CONTRACTS = 100
VERSIONS = 100
ROUNDS = 3


def version(n: int) -> VersionedSchema:
    """Version n: the 50 fields plus n optional extras (each version is a distinct schema)."""
    spec: list[dict[str, object]] = [
        {"name": f"f{i}", "type": TYPES[i % len(TYPES)]} for i in range(FIELDS)
    ]
    spec += [{"name": f"x{k}", "type": ["null", "long"], "default": None} for k in range(n)]
    return VersionedSchema(
        n, parse_schema("AVRO", json.dumps({"type": "record", "name": "Event", "fields": spec}))
    )


def best(action: Callable[[], object]) -> float:
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main() -> None:
    versions = [version(n) for n in range(1, VERSIONS + 1)]
    contracts = [contract(t) for t in range(CONTRACTS)]

    def one() -> object:
        return check_consumer_contract("EVENT", contracts[0], versions[:1], cache=VerdictCache())

    def matrix(cache: VerdictCache) -> Callable[[], object]:
        return lambda: [
            check_consumer_contract("EVENT", c, versions, cache=cache) for c in contracts
        ]

    baseline = best(one)

    def cold_matrix() -> object:
        return matrix(VerdictCache(capacity=CONTRACTS * VERSIONS))()

    cold = best(cold_matrix)
    warm_cache = VerdictCache(capacity=CONTRACTS * VERSIONS)
    matrix(warm_cache)()
    warm = best(matrix(warm_cache))
    pairs = CONTRACTS * VERSIONS
    print(f"baseline: 1 contract x 1 version: {baseline * 1e3:.2f} ms")
    print(
        f"{CONTRACTS} contracts x {VERSIONS} versions, memo cold: {cold / baseline:.0f}x baseline "
        f"({pairs} pairs; {cold / baseline / pairs:.2f}x per pair)"
    )
    print(
        f"{CONTRACTS} contracts x {VERSIONS} versions, memo warm: {warm / baseline:.0f}x baseline "
        f"({warm / cold:.2f} of cold; {len(warm_cache)} pairs memoised)"
    )


if __name__ == "__main__":
    main()
