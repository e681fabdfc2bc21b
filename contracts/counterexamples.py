"""Counterexamples: a message the producer schema allows and a consumer's contract rejects, proven.

Candidates are generated from the producer's parsed model (a base message, then one deviation at
a time: each union branch, enum symbol, optional property left out, and — for open JSON models —
values of every JSON type at the paths the contract reads). A candidate is only returned once it
has been verified: the producer schema validates it, and the contract rejects it (Avro: the
payload the producer writes fails to decode with the contract as reader schema; JSON Schema: the
contract's validator reports errors). No counterexample is ever a guess.

Examples are small by construction (contracts/limits.py): a generator never builds a value larger
than its limit. Where the producer schema demands one (``"minLength": 100000000``, a fixed of a
megabyte), the generator puts an `Oversized` description in its place, and a counterexample made
of such parts is described in words rather than built.
"""

from __future__ import annotations

import copy
import decimal
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import referencing.exceptions
from referencing._core import Resolver

from contracts import patterns
from contracts.avro import Array, AvroSchema, AvroType, Enum, Fixed, Map, Primitive, Record, Union
from contracts.errors import ContractsError
from contracts.fields import field_paths
from contracts.formats import ParsedSchema
from contracts.json_schema import JsonSchema
from contracts.limits import (
    MAX_EXAMPLE_BYTES,
    MAX_EXAMPLE_DEPTH,
    MAX_EXAMPLE_DIGITS,
    MAX_EXAMPLE_ITEMS,
    MAX_EXAMPLE_PROPERTIES,
    MAX_EXAMPLE_SIZE,
    MAX_EXAMPLE_STRING,
    MAX_GENERATED_VALUES,
)
from contracts.report import Counterexample

# Enough to cover every single deviation of a large schema; the first verified candidate wins.
MAX_CANDIDATES = 2000
_JSON_PROBES: tuple[object, ...] = (None, 0, 1.5, "", "example", True, [], {})
# Values tried per field (union branches, enum symbols, nested deviations): search breadth, not
# example size; the budget bounds the total.
_AVRO_TRIES, _JSON_TRIES = 200, 50


@dataclass(frozen=True, slots=True)
class Oversized:
    """Stands in a candidate for a value the producer demands but no example may hold:
    `description` says which values (``any string of at least 100000000 characters``)."""

    description: str


class _Budget:
    """The values a whole search may still build; generators stop once it is spent."""

    def __init__(self, values: int = MAX_GENERATED_VALUES) -> None:
        self.left = values

    def spend(self, values: int = 1) -> bool:
        self.left -= values
        return self.left >= 0


def find_counterexample(
    producer: ParsedSchema,
    contract: ParsedSchema,
    *,
    limit: int = MAX_CANDIDATES,
    budget: int = MAX_GENERATED_VALUES,
) -> Counterexample | None:
    """A verified message the producer allows and the contract rejects; or, when every candidate
    needs a part too large to build, that message described; None if none was found (which
    proves nothing: the compatibility finding still stands)."""
    spend = _Budget(budget)
    candidates: Iterator[object]
    if isinstance(producer, AvroSchema) and isinstance(contract, AvroSchema):
        candidates = avro_candidates(producer, spend)
    elif isinstance(producer, JsonSchema) and isinstance(contract, JsonSchema):
        candidates = json_candidates(producer, contract, spend)
    else:
        return None
    seen: set[str] = set()
    described: str | None = None
    # One pattern budget for the whole search: candidates never multiply what patterns may cost.
    with patterns.budget():
        for count, message in enumerate(candidates):
            if count >= limit:
                break
            size, parts = _inspect(message, MAX_EXAMPLE_SIZE)
            if parts:
                described = described or "; ".join(
                    f"{path or 'the message'} is {part.description}" for path, part in parts
                )
                continue
            if size > MAX_EXAMPLE_SIZE:
                described = described or (
                    f"a message of more than {MAX_EXAMPLE_SIZE} characters as JSON"
                )
                continue
            key = repr(message)
            if key in seen:
                continue
            seen.add(key)
            reason = rejection(producer, contract, message)
            if reason is not None:
                return Counterexample(message=message, reason=reason)
    if described is None:
        return None
    return Counterexample(
        message=None,
        description=f"any message the producer schema allows where {described}",
        reason=(
            "too large to build as an example (contracts/limits.py bounds examples); the "
            "findings above say why the contract rejects it"
        ),
    )


def rejection(producer: ParsedSchema, contract: ParsedSchema, message: object) -> str | None:
    """Why the contract rejects a message the producer allows; None if the producer does not
    allow it or the contract accepts it."""
    try:
        if producer.validate(message):
            return None
    except ContractsError:
        return None
    if isinstance(producer, AvroSchema):
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


def _inspect(message: object, cap: int) -> tuple[int, list[tuple[str, Oversized]]]:
    """Roughly the characters of a candidate as JSON, and its oversized parts with the dotted field
    path of each; the walk stops once the size passes `cap`, so a list repeating one item is never
    expanded beyond it."""
    total = 0
    parts: list[tuple[str, Oversized]] = []
    stack: list[tuple[str, object]] = [("", message)]
    while stack and total <= cap:
        path, value = stack.pop()
        if isinstance(value, Oversized):
            parts.append((path, value))
            total += 4
        elif isinstance(value, Mapping):
            total += 2
            for key, child in reversed(list(value.items())):
                total += len(str(key)) + 4
                stack.append((f"{path}.{key}" if path else str(key), child))
        elif isinstance(value, list):
            total += 2 + len(value)
            stack.extend((f"{path}[]", item) for item in reversed(value))
        elif isinstance(value, (str, bytes)):
            total += len(value) + 2
        elif isinstance(value, (int, float, decimal.Decimal)):
            total += len(str(value))
        else:
            total += 4
    return total, parts


def _take(values: Iterator[object], limit: int) -> Iterator[object]:
    for count, value in enumerate(values):
        if count >= limit:
            return
        yield value


# --- Avro: over the parsed model (contracts.avro) --------------------------------------------


def avro_candidates(schema: AvroSchema, budget: _Budget | None = None) -> Iterator[object]:
    """Values of an Avro schema: the base value first, then every single deviation from it."""
    yield from _avro_values(schema.root, budget or _Budget(), 0)


_AVRO_PRIMITIVE_VALUES: dict[str, object] = {
    "null": None,
    "boolean": True,
    "int": 1,
    "long": 1,
    "float": 0.5,
    "double": 0.5,
    "bytes": b"x",
    "string": "example",
}


def _avro_primitive(node: Primitive) -> object:
    if node.logical == "decimal":
        return decimal.Decimal(0)
    if node.logical == "uuid":
        return "00000000-0000-4000-8000-000000000000"
    return _AVRO_PRIMITIVE_VALUES[node.kind]


def _avro_values(node: AvroType, budget: _Budget, depth: int) -> Iterator[object]:
    if depth > MAX_EXAMPLE_DEPTH or not budget.spend():
        return
    if isinstance(node, Primitive):
        yield _avro_primitive(node)
    elif isinstance(node, Enum):
        yield from node.symbols
    elif isinstance(node, Fixed):
        if node.size > MAX_EXAMPLE_BYTES:
            yield Oversized(f"any {node.size}-byte value of the fixed {node.name}")
        elif budget.spend(node.size):
            yield b"\0" * node.size
    elif isinstance(node, Union):
        for branch in node.branches:
            yield from _avro_values(branch, budget, depth + 1)
    elif isinstance(node, Array):
        items = _take(_avro_values(node.items, budget, depth + 1), _AVRO_TRIES)
        yield from ([item] for item in items)
        yield []
    elif isinstance(node, Map):
        values = _take(_avro_values(node.values, budget, depth + 1), _AVRO_TRIES)
        yield from ({"key": value} for value in values)
        yield {}
    else:
        yield from _avro_records(node, budget, depth)


def _avro_records(node: Record, budget: _Budget, depth: int) -> Iterator[object]:
    if len(node.fields) > MAX_EXAMPLE_PROPERTIES:
        yield Oversized(f"a record {node.name} of {len(node.fields)} fields")
        return
    options = [
        list(_take(_avro_values(f.type, budget, depth + 1), _AVRO_TRIES)) for f in node.fields
    ]
    if any(not o for o in options):
        return  # a field with no value (a recursion cut short): no message of this record
    base = {f.name: o[0] for f, o in zip(node.fields, options, strict=True)}
    yield base
    for f, values in zip(node.fields, options, strict=True):
        for value in values[1:]:
            if not budget.spend(len(base)):
                return
            yield {**base, f.name: value}


# --- JSON Schema: over the parsed document and its resolver (contracts.json_schema) ----------


def json_candidates(
    producer: JsonSchema, contract: ParsedSchema, budget: _Budget | None = None
) -> Iterator[object]:
    """Instances of the producer schema (base, then deviations), then the full instance with each
    field the contract reads removed or replaced by a value of every JSON type."""
    walk = _JsonWalk(producer, budget or _Budget())
    values = list(_take(walk.values(producer.schema, walk.root, 0), MAX_CANDIDATES // 2))
    yield from values
    if not values or _inspect(values[0], MAX_EXAMPLE_SIZE)[0] > MAX_EXAMPLE_SIZE:
        return
    full = values[0]
    minimal = next(iter(walk.values(producer.schema, walk.root, 0, required_only=True)), None)
    for read in field_paths(contract):
        steps = _steps(read.path)
        if steps is None:
            continue
        for base in (full, minimal):
            if not isinstance(base, dict) or not walk.budget.spend(len(_PROBES_AND_REMOVAL)):
                continue
            yield _without(base, steps)
            for probe in _JSON_PROBES:
                replaced = _with(base, steps, probe)
                if replaced is not None:
                    yield replaced


_PROBES_AND_REMOVAL = (None, *_JSON_PROBES)


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


_FORMAT_EXAMPLES = {
    "email": "someone@example.com",
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "00:00:00Z",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "uri": "https://example.com/",
}


def _json_string(schema: Mapping[str, Any]) -> object:
    fmt = schema.get("format")
    text = _FORMAT_EXAMPLES.get(fmt if isinstance(fmt, str) else "", "example")
    low = schema.get("minLength", 0)
    high = schema.get("maxLength")
    if isinstance(low, int) and low > MAX_EXAMPLE_STRING:
        return Oversized(f"any string of at least {low} characters")
    if isinstance(low, int) and len(text) < low:
        text = text + "x" * (low - len(text))
    if isinstance(high, int) and len(text) > high:
        text = text[:high]
    return text


def _number_text(value: float) -> str:
    """A bound as a person reads it, however many digits it has."""
    if isinstance(value, float):
        return repr(value)
    digits = len(str(abs(value))) if value.bit_length() < 20_000 else None
    if digits is not None and digits <= MAX_EXAMPLE_DIGITS:
        return str(value)
    return f"an integer of about {int(value.bit_length() * math.log10(2)) + 1} digits"


def _json_number(schema: Mapping[str, Any], integer: bool) -> object:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    value: int | float = 1 if integer else 1.5
    if not isinstance(low, (int, float)) or isinstance(low, bool) or value > low:
        return value
    what = "integer" if integer else "number"
    if isinstance(low, float) and not math.isfinite(low):
        return Oversized(f"any {what} above {low!r}")
    if isinstance(low, int) and low.bit_length() > MAX_EXAMPLE_DIGITS * 4:
        return Oversized(f"any {what} above {_number_text(low)}")
    candidate = int(low) + 1 if integer else low + 1.5
    if len(str(candidate)) > MAX_EXAMPLE_DIGITS:
        return Oversized(f"any {what} above {_number_text(low)}")
    return candidate


class _JsonWalk:
    """Generates instances of one parsed JSON Schema, resolving `$ref` with its registry."""

    def __init__(self, schema: JsonSchema, budget: _Budget) -> None:
        self.budget = budget
        root_id = schema.schema.get("$id", "") if isinstance(schema.schema, dict) else ""
        self.root: Resolver[Any] = schema.registry.resolver(
            root_id if isinstance(root_id, str) else ""
        )

    def values(
        self, schema: Any, resolver: Resolver[Any], depth: int, *, required_only: bool = False
    ) -> Iterator[object]:
        if depth > MAX_EXAMPLE_DEPTH or not self.budget.spend():
            return
        if schema is True or schema == {}:
            yield "example"
            return
        if not isinstance(schema, Mapping):
            return
        if isinstance(schema.get("$ref"), str):
            try:
                resolved = resolver.lookup(schema["$ref"])
            except referencing.exceptions.Unresolvable:
                return
            yield from self.values(
                resolved.contents, resolved.resolver, depth + 1, required_only=required_only
            )
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
            yield from self.values(merged, resolver, depth + 1, required_only=required_only)
            return
        for combinator in ("anyOf", "oneOf"):
            if isinstance(schema.get(combinator), list):
                for branch in schema[combinator]:
                    yield from self.values(branch, resolver, depth + 1, required_only=required_only)
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
                yield from self.arrays(schema, resolver, depth)
            elif kind == "object":
                yield from self.objects(schema, resolver, depth, required_only)

    def arrays(
        self, schema: Mapping[str, Any], resolver: Resolver[Any], depth: int
    ) -> Iterator[object]:
        low = schema.get("minItems", 0)
        low = low if isinstance(low, int) else 0
        if low > MAX_EXAMPLE_ITEMS:
            yield Oversized(f"any array of at least {low} items")
            return
        items = _take(self.values(schema.get("items", {}), resolver, depth + 1), _JSON_TRIES)
        size = max(1, low)
        for item in items:
            if not self.budget.spend(size):
                return
            yield [item] * size
        if not low:
            yield []

    def objects(
        self, schema: Mapping[str, Any], resolver: Resolver[Any], depth: int, required_only: bool
    ) -> Iterator[object]:
        properties = schema.get("properties", {})
        required = set(schema.get("required", []))
        if not isinstance(properties, Mapping):
            properties = {}
        low = schema.get("minProperties", 0)
        if len(required) > MAX_EXAMPLE_PROPERTIES or (
            isinstance(low, int) and low > MAX_EXAMPLE_PROPERTIES
        ):
            most = max(len(required), low if isinstance(low, int) else 0)
            yield Oversized(f"any object of at least {most} properties")
            return
        # Required properties first; optional ones only while the object stays within its limit.
        names = [n for n in properties if n in required]
        if not required_only:
            optional = [n for n in properties if n not in required]
            names.extend(optional[: MAX_EXAMPLE_PROPERTIES - len(names)])
        options = {
            n: list(
                _take(
                    self.values(properties[n], resolver, depth + 1, required_only=required_only),
                    _JSON_TRIES,
                )
            )
            for n in names
        }
        if any(not options[n] for n in names if n in required):
            return
        base = {n: options[n][0] for n in names if options[n]}
        yield base
        for name in names:
            if not self.budget.spend(len(base)):
                return
            if name not in required:
                yield {k: v for k, v in base.items() if k != name}
            for value in options[name][1:]:
                yield {**base, name: value}
