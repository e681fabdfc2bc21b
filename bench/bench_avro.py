"""Avro benchmarks: FULL_TRANSITIVE over 1,000 versions, and validate+encode vs raw fastavro."""

from __future__ import annotations

import io
import json
import time
from typing import Any

import fastavro
from _timing import interleaved

from contracts import CompatibilityLevel, VersionedSchema, check_compatibility, parse_schema
from contracts.avro import AvroSchema

TYPES = ["long", "string", ["null", "string"], "double", "int", "boolean", "bytes"]


def version_spec(number: int) -> dict[str, Any]:
    """Version `number` of a 50-field record: each version adds an optional field."""
    fields: list[dict[str, Any]] = [
        {"name": f"f{i}", "type": TYPES[i % len(TYPES)]} for i in range(50)
    ]
    fields += [
        {"name": f"extra{j}", "type": ["null", "long"], "default": None} for j in range(number % 7)
    ]
    fields.append({"name": "revision", "type": "int", "default": number})
    return {"type": "record", "name": "Customer", "namespace": "com.acme.crm", "fields": fields}


def bench_transitive() -> None:
    specs = [version_spec(n) for n in range(1, 1002)]
    history = [
        VersionedSchema(n, parse_schema("AVRO", json.dumps(s))) for n, s in enumerate(specs[:-1], 1)
    ]
    new = parse_schema("AVRO", json.dumps(specs[-1]))
    start = time.perf_counter()
    result = check_compatibility(new, history, CompatibilityLevel.FULL_TRANSITIVE)
    first = time.perf_counter() - start
    start = time.perf_counter()
    check_compatibility(new, history, CompatibilityLevel.FULL_TRANSITIVE)
    again = time.perf_counter() - start
    start = time.perf_counter()
    for spec in specs[:-1]:
        fastavro.parse_schema(spec)
    baseline = time.perf_counter() - start
    assert result.compatible, result.messages()[:3]
    print(f"FULL_TRANSITIVE, 50-field record vs 1,000 versions: {first:.3f} s (goal < 0.5 s)")
    print(f"  baseline, 1,000 fastavro.parse_schema calls:        {baseline:.3f} s")
    print(f"  ratio check / baseline:                              {first / baseline:.2f}x")
    print(f"  repeated check (memoised per fingerprint pair):      {again:.4f} s")


def bench_encode() -> None:
    schema = parse_schema("AVRO", json.dumps(version_spec(3)))
    assert isinstance(schema, AvroSchema)
    samples: dict[str, Any] = {
        "long": 1234567890,
        "string": "jane@example.com",
        "double": 3.14,
        "int": 42,
        "boolean": True,
        "bytes": b"\x00\x01",
    }
    message = {
        f"f{i}": samples[kind] if isinstance(kind, str) else "nick"
        for i, kind in ((i, TYPES[i % len(TYPES)]) for i in range(50))
    }
    raw_schema = schema.fastavro_schema

    def raw(item: dict[str, Any]) -> bytes:
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, raw_schema, item)
        return buffer.getvalue()

    assert raw(message) == schema.encode(message)
    # Interleaved rounds in thread CPU time, best of 30 (bench/_timing.py).
    best = interleaved(
        {"raw": raw, "ours": schema.encode, "check": schema.is_valid}, [message] * 2000, rounds=30
    )
    raw_t, ours_t, check_t = best["raw"], best["ours"], best["check"]
    print(f"validate+encode, 50-field record: {ours_t * 1e6:.2f} us per message (CPU)")
    print(f"  baseline, raw fastavro.schemaless_writer: {raw_t * 1e6:.2f} us")
    print(f"  the compiled check alone: {check_t * 1e6:.2f} us")
    print(f"  ratio: {ours_t / raw_t:.2f}x (goal <= 1.2x)")


if __name__ == "__main__":
    bench_transitive()
    bench_encode()
