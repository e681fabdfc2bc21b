"""Field paths of a schema ("customer.email", "tags[]"): who reads what, and where a finding lands."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import referencing.exceptions
from referencing._core import Resolver

from contracts.avro import Array, AvroSchema, AvroType, Map, Record, Union, describe
from contracts.findings import Token
from contracts.formats import ParsedSchema
from contracts.json_schema import JsonSchema
from contracts.limits import MAX_EXAMPLE_DEPTH

Key = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FieldPath:
    """One field a schema declares.

    `path` is dotted from the message root (``customer.email``; ``tags[]`` for array items,
    ``attributes{}`` for map values); `type` is a short human description (``string``,
    ``union [null, string]``, ``record Customer``), the engine's own wording; `required` is False
    when a message may omit the field (an Avro field with a default, a JSON property not listed in
    `required`).
    """

    path: str
    type: str
    required: bool


@dataclass(frozen=True, slots=True)
class FieldIndex:
    """Every field of one parsed schema, and the schema locations each one covers; built once per
    schema (`index_of`), so a check stays linear in fields + findings."""

    fields: tuple[FieldPath, ...]
    by_path: Mapping[str, FieldPath]
    # Schema locations (as findings carry them, tokens as strings) -> the field they lie in.
    by_location: Mapping[Key, str] = field(repr=False)

    def locate(self, location: Sequence[Token] | None) -> str | None:
        """The field a finding's location lies in: its longest prefix that is a field's location;
        None for the message root."""
        if not location:
            return None
        tokens = tuple(str(t) for t in location)
        for end in range(len(tokens), 0, -1):
            found = self.by_location.get(tokens[:end])
            if found is not None:
                return found
        return None


def field_paths(schema: ParsedSchema) -> list[FieldPath]:
    """Every field path the schema declares, parents before children, in declaration order."""
    return list(index_of(schema).fields)


def field_index(schema: ParsedSchema) -> dict[str, FieldPath]:
    return dict(index_of(schema).by_path)


# Parsed schemas hash and compare by their canonical form, so an equal schema parsed again (the
# same contract checked against every new producer version) finds its index here.
_MEMO: OrderedDict[ParsedSchema, FieldIndex] = OrderedDict()
_MEMO_SIZE = 1024
_MEMO_LOCK = threading.Lock()


def index_of(schema: ParsedSchema) -> FieldIndex:
    """The field index of a parsed schema, built once and memoised on it."""
    with _MEMO_LOCK:
        found = _MEMO.get(schema)
        if found is not None:
            _MEMO.move_to_end(schema)
            return found
    found = build_index(schema)
    with _MEMO_LOCK:
        _MEMO[schema] = found
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)
    return found


def forget_indexes() -> None:
    """Empty the memo (benchmarks and tests that count index builds)."""
    with _MEMO_LOCK:
        _MEMO.clear()


def build_index(schema: ParsedSchema) -> FieldIndex:
    """Walk the format's parsed model once (use `index_of`, which memoises this)."""
    builder = _Builder()
    if isinstance(schema, AvroSchema):
        builder.avro(schema.root, "", (), 0)
    elif isinstance(schema, JsonSchema):
        root_id = schema.schema.get("$id", "") if isinstance(schema.schema, dict) else ""
        resolver = schema.registry.resolver(root_id if isinstance(root_id, str) else "")
        builder.json(schema.schema, resolver, "", (), 0)
    return FieldIndex(tuple(builder.fields.values()), builder.fields, builder.locations)


class _Builder:
    def __init__(self) -> None:
        self.fields: dict[str, FieldPath] = {}
        self.locations: dict[Key, str] = {}

    def add(self, found: FieldPath, *locations: Key) -> None:
        # The same path may be reached through several union branches: keep the first, widest.
        self.fields.setdefault(found.path, found)
        for location in locations:
            self.locations.setdefault(location, found.path)

    # --- Avro: the parsed model (contracts.avro) -------------------------------------------
    # A field is located both by its place in the document (``fields/1/type/fields/0``, as the
    # model's pointers and the engine's reader/writer paths say) and by the engine's name path
    # (``fields/customer/email``, ``items`` and ``values`` for array items and map values).

    def avro(self, node: AvroType, prefix: str, named: Key, depth: int) -> None:
        if depth > MAX_EXAMPLE_DEPTH:
            return
        if prefix:
            self.locations.setdefault(_key(node.pointer), prefix)
        if isinstance(node, Record):
            for entry in node.fields:
                path = f"{prefix}.{entry.name}" if prefix else entry.name
                by_name = (*named, entry.name) if named else ("fields", entry.name)
                self.add(
                    FieldPath(path, describe(entry.type), not entry.has_default),
                    _key(entry.pointer),
                    by_name,
                )
                self.avro(entry.type, path, by_name, depth + 1)
        elif isinstance(node, Array):
            items = (*named, "items")
            self.locations.setdefault(items, f"{prefix}[]")
            self.avro(node.items, f"{prefix}[]", items, depth + 1)
        elif isinstance(node, Map):
            values = (*named, "values")
            self.locations.setdefault(values, f"{prefix}{{}}")
            self.avro(node.values, f"{prefix}{{}}", values, depth + 1)
        elif isinstance(node, Union):
            for branch in node.branches:
                self.avro(branch, prefix, named, depth + 1)

    # --- JSON Schema: the parsed document and its resolver (contracts.json_schema) -----------
    # Locations are logical, as the engine reports them: through `$ref` without naming it.

    def json(
        self, schema: Any, resolver: Resolver[Any], prefix: str, location: Key, depth: int
    ) -> None:
        if depth > MAX_EXAMPLE_DEPTH or not isinstance(schema, Mapping):
            return
        if isinstance(schema.get("$ref"), str):
            target = _lookup(resolver, schema["$ref"])
            if target is not None:
                self.json(target[0], target[1], prefix, location, depth + 1)
        required = schema.get("required", [])
        properties = schema.get("properties")
        if isinstance(properties, Mapping):
            for name, sub in properties.items():
                path = f"{prefix}.{name}" if prefix else str(name)
                here = (*location, "properties", str(name))
                self.add(FieldPath(path, json_type_name(sub, resolver), name in required), here)
                self.json(sub, resolver, path, here, depth + 1)
        items = schema.get("items")
        if isinstance(items, Mapping):
            here = (*location, "items")
            self.locations.setdefault(here, f"{prefix}[]")
            self.json(items, resolver, f"{prefix}[]", here, depth + 1)
        for combinator in ("allOf", "anyOf", "oneOf"):
            branches = schema.get(combinator)
            if isinstance(branches, list):
                for i, branch in enumerate(branches):
                    self.json(branch, resolver, prefix, (*location, combinator, str(i)), depth + 1)


def _key(location: Sequence[Token]) -> Key:
    return tuple(str(t) for t in location)


def _lookup(resolver: Resolver[Any], ref: str) -> tuple[Any, Resolver[Any]] | None:
    try:
        resolved = resolver.lookup(ref)
    except referencing.exceptions.Unresolvable:
        return None
    return resolved.contents, resolved.resolver


def json_type_name(schema: Any, resolver: Resolver[Any] | None = None) -> str:
    """A short human name for a JSON Schema: ``string``, ``integer or null``, ``object``."""
    if schema is True or schema == {}:
        return "anything"
    if schema is False:
        return "nothing"
    if not isinstance(schema, Mapping):
        return str(schema)
    if isinstance(schema.get("$ref"), str) and resolver is not None:
        target = _lookup(resolver, schema["$ref"])
        if target is not None and target[0] is not schema:
            return json_type_name(target[0], None)  # one step: a recursive $ref names no loop
    if "const" in schema:
        return f"the constant {json.dumps(schema['const'])}"
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(v) for v in schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return " or ".join(str(k) for k in kind)
    if isinstance(kind, str):
        if kind == "array" and "items" in schema:
            return f"array of {json_type_name(schema['items'], resolver)}"
        fmt = schema.get("format")
        return f"{kind} ({fmt})" if isinstance(fmt, str) else kind
    for combinator in ("anyOf", "oneOf"):
        if isinstance(schema.get(combinator), list):
            return " or ".join(json_type_name(s, resolver) for s in schema[combinator])
    if "properties" in schema:
        return "object"
    return "anything"
