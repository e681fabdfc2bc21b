"""Counterexamples: a message the producer schema allows and a consumer's contract rejects, proven.

Candidates are generated from the producer schema (a base message, then one deviation at a time:
each union branch, enum symbol, optional property left out, and — for open JSON models — values of
every JSON type at the paths the contract reads). A candidate is only returned once it has been
verified: the producer schema validates it, and the contract rejects it (Avro: the payload the
producer writes fails to decode with the contract as reader schema; JSON Schema: the contract's
validator reports errors). No counterexample is ever a guess.
"""

from __future__ import annotations

import copy
import decimal
import json
from collections.abc import Iterator, Mapping
from typing import Any

from contracts.errors import ContractsError
from contracts.fields import (
    AVRO_PRIMITIVES,
    MAX_DEPTH,
    AvroNames,
    field_paths,
    resolve_json_ref,
)
from contracts.formats import ParsedSchema, SchemaType
from contracts.report import Counterexample

# Enough to cover every single deviation of a large schema; the first verified candidate wins.
MAX_CANDIDATES = 2000
_JSON_PROBES: tuple[object, ...] = (None, 0, 1.5, "", "example", True, [], {})


def find_counterexample(
    producer: ParsedSchema, contract: ParsedSchema, *, limit: int = MAX_CANDIDATES
) -> Counterexample | None:
    """A verified message the producer allows and the contract rejects; None if none was found
    (which proves nothing: the compatibility finding still stands)."""
    if producer.schema_type is not contract.schema_type:
        return None
    if producer.schema_type is SchemaType.AVRO:
        candidates: Iterator[object] = avro_candidates(json.loads(producer.text))
    else:
        candidates = json_candidates(producer, contract)
    seen: set[str] = set()
    for count, message in enumerate(candidates):
        if count >= limit:
            break
        key = repr(message)
        if key in seen:
            continue
        seen.add(key)
        reason = rejection(producer, contract, message)
        if reason is not None:
            return Counterexample(message=message, reason=reason)
    return None


def rejection(producer: ParsedSchema, contract: ParsedSchema, message: object) -> str | None:
    """Why the contract rejects a message the producer allows; None if the producer does not
    allow it or the contract accepts it."""
    try:
        if producer.validate(message):
            return None
    except ContractsError:
        return None
    if producer.schema_type is SchemaType.AVRO:
        try:
            data = producer.encode(message)
        except ContractsError:
            return None
        try:
            producer.decode(data, reader=contract)
        except Exception as exc:
            # Any decoding failure (EncodingError, or a raw resolution error) is the rejection.
            return f"the producer schema encodes it; decoding it with the contract fails: {exc}"
        return None
    problems = contract.validate(message)
    if not problems:
        return None
    first = problems[0]
    return f"valid under the producer schema; the contract rejects it at {first.where}: {first.message}"


# --- Avro -----------------------------------------------------------------------------------


def avro_candidates(schema: Any) -> Iterator[object]:
    """Values of an Avro schema: the base value first, then every single deviation from it."""
    yield from _avro_values(schema, AvroNames(), None, 0)


def _avro_primitive(kind: str, logical: object) -> object:
    if logical == "decimal":
        return decimal.Decimal(0)
    if logical == "uuid":
        return "00000000-0000-4000-8000-000000000000"
    return {
        "null": None,
        "boolean": True,
        "int": 1,
        "long": 1,
        "float": 0.5,
        "double": 0.5,
        "bytes": b"x",
        "string": "example",
    }[kind]


def _avro_values(
    schema: Any, names: AvroNames, namespace: str | None, depth: int
) -> Iterator[object]:
    if depth > MAX_DEPTH:
        return
    if isinstance(schema, str):
        if schema in AVRO_PRIMITIVES:
            yield _avro_primitive(schema, None)
            return
        target = names.resolve(schema, namespace)
        if target is not None:
            yield from _avro_values(target, names, namespace, depth + 1)
        return
    if isinstance(schema, list):
        for branch in schema:
            yield from _avro_values(branch, names, namespace, depth + 1)
        return
    if not isinstance(schema, Mapping):
        return
    kind = schema.get("type")
    if isinstance(kind, str) and kind in AVRO_PRIMITIVES:
        yield _avro_primitive(kind, schema.get("logicalType"))
        return
    if kind in ("record", "error", "enum", "fixed"):
        namespace = names.define(schema, namespace)
    if kind == "enum":
        yield from schema.get("symbols", [])
    elif kind == "fixed":
        yield b"\0" * int(schema.get("size", 0))
    elif kind == "array":
        items = list(_take(_avro_values(schema.get("items"), names, namespace, depth + 1)))
        yield from ([item] for item in items)
        yield []
    elif kind == "map":
        values = list(_take(_avro_values(schema.get("values"), names, namespace, depth + 1)))
        yield from ({"key": value} for value in values)
        yield {}
    elif kind in ("record", "error"):
        fields = [f for f in schema.get("fields", []) if isinstance(f, Mapping)]
        options = [
            list(_take(_avro_values(f.get("type"), names, namespace, depth + 1))) for f in fields
        ]
        if any(not o for o in options):
            return  # a field with no value (a recursion cut short): no message of this record
        base = {f["name"]: o[0] for f, o in zip(fields, options, strict=True)}
        yield base
        for f, values in zip(fields, options, strict=True):
            for value in values[1:]:
                yield {**base, f["name"]: value}
    elif isinstance(kind, (list, Mapping, str)):
        yield from _avro_values(kind, names, namespace, depth + 1)


def _take(values: Iterator[object], limit: int = 200) -> Iterator[object]:
    for count, value in enumerate(values):
        if count >= limit:
            return
        yield value


# --- JSON Schema ----------------------------------------------------------------------------


def json_candidates(producer: ParsedSchema, contract: ParsedSchema) -> Iterator[object]:
    """Instances of the producer schema (base, then deviations), then the full instance with each
    field the contract reads removed or replaced by a value of every JSON type."""
    root = json.loads(producer.text)
    values = list(_take(_json_values(root, root, 0), MAX_CANDIDATES // 2))
    yield from values
    if not values:
        return
    full = values[0]
    for read in field_paths(contract):
        steps = _steps(read.path)
        if steps is None:
            continue
        for base in (full, _minimal(root)):
            if not isinstance(base, dict):
                continue
            yield _without(base, steps)
            for probe in _JSON_PROBES:
                replaced = _with(base, steps, probe)
                if replaced is not None:
                    yield replaced


def _steps(path: str) -> list[str] | None:
    """Object keys along a dotted path; None when it goes through arrays or maps."""
    if "[]" in path or "{}" in path:
        return None
    return path.split(".")


def _without(message: dict[str, Any], steps: list[str]) -> object:
    out = copy.deepcopy(message)
    node: Any = out
    for step in steps[:-1]:
        if not isinstance(node, dict) or not isinstance(node.get(step), dict):
            return out
        node = node[step]
    node.pop(steps[-1], None)
    return out


def _with(message: dict[str, Any], steps: list[str], value: object) -> object | None:
    out = copy.deepcopy(message)
    node: Any = out
    for step in steps[:-1]:
        child = node.get(step)
        if child is None:
            child = node[step] = {}
        if not isinstance(child, dict):
            return None
        node = child
    node[steps[-1]] = copy.deepcopy(value)
    return out


def _minimal(root: Any) -> object:
    """The producer's base instance with required properties only."""
    return next(iter(_json_values(root, root, 0, required_only=True)), None)


def _json_string(schema: Mapping[str, Any]) -> str:
    fmt = schema.get("format")
    text = {
        "email": "someone@example.com",
        "date-time": "2024-01-01T00:00:00Z",
        "date": "2024-01-01",
        "time": "00:00:00Z",
        "uuid": "00000000-0000-4000-8000-000000000000",
        "uri": "https://example.com/",
    }.get(fmt if isinstance(fmt, str) else "", "example")
    low = schema.get("minLength", 0)
    high = schema.get("maxLength")
    if isinstance(low, int) and len(text) < low:
        text = text + "x" * (low - len(text))
    if isinstance(high, int) and len(text) > high:
        text = text[:high]
    return text


def _json_number(schema: Mapping[str, Any], integer: bool) -> int | float:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    value: int | float = 1 if integer else 1.5
    if isinstance(low, (int, float)) and not isinstance(low, bool) and value <= low:
        value = int(low) + 1 if integer else low + 1.5
    return value


def _json_values(
    schema: Any, root: Any, depth: int, *, required_only: bool = False
) -> Iterator[object]:
    if depth > MAX_DEPTH:
        return
    if schema is True or schema == {}:
        yield "example"
        return
    if not isinstance(schema, Mapping):
        return
    if isinstance(schema.get("$ref"), str):
        target = resolve_json_ref(root, schema["$ref"])
        if target is not None:
            yield from _json_values(target, root, depth + 1, required_only=required_only)
        return
    if "const" in schema:
        yield schema["const"]
        return
    if isinstance(schema.get("enum"), list):
        yield from schema["enum"]
        return
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            if isinstance(part, Mapping):
                for key, value in part.items():
                    if key == "properties" and isinstance(value, Mapping):
                        merged["properties"] = {**merged.get("properties", {}), **value}
                    elif key == "required" and isinstance(value, list):
                        merged["required"] = [*merged.get("required", []), *value]
                    else:
                        merged.setdefault(key, value)
        yield from _json_values(merged, root, depth + 1, required_only=required_only)
        return
    for combinator in ("anyOf", "oneOf"):
        if isinstance(schema.get(combinator), list):
            for branch in schema[combinator]:
                yield from _json_values(branch, root, depth + 1, required_only=required_only)
            return
    kinds = schema.get("type")
    if kinds is None:
        kinds = "object" if "properties" in schema else ["string", "integer", "boolean", "null"]
    for kind in [kinds] if isinstance(kinds, str) else list(kinds):
        if kind == "null":
            yield None
        elif kind == "boolean":
            yield True
        elif kind in ("integer", "number"):
            yield _json_number(schema, kind == "integer")
        elif kind == "string":
            yield _json_string(schema)
        elif kind == "array":
            items = list(_take(_json_values(schema.get("items", {}), root, depth + 1), 50))
            low = schema.get("minItems", 0)
            size = max(1, low if isinstance(low, int) else 1)
            yield from ([item] * size for item in items)
            if not low:
                yield []
        elif kind == "object":
            yield from _json_objects(schema, root, depth, required_only)


def _json_objects(
    schema: Mapping[str, Any], root: Any, depth: int, required_only: bool
) -> Iterator[object]:
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))
    if not isinstance(properties, Mapping):
        properties = {}
    names = [n for n in properties if n in required or not required_only]
    options = {
        n: list(
            _take(_json_values(properties[n], root, depth + 1, required_only=required_only), 50)
        )
        for n in names
    }
    if any(not options[n] for n in names if n in required):
        return
    base = {n: options[n][0] for n in names if options[n]}
    yield base
    for name in names:
        if name not in required:
            yield {k: v for k, v in base.items() if k != name}
        for value in options[name][1:]:
            yield {**base, name: value}
