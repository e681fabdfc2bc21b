"""Field paths of a schema ("customer.email", "tags[]"): who reads what, and where a finding lands."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contracts.formats import ParsedSchema, SchemaType

# Recursive named types (an Avro linked list, a JSON $ref tree) are walked this deep and no deeper.
MAX_DEPTH = 12

AVRO_PRIMITIVES = frozenset(
    {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
)


@dataclass(frozen=True, slots=True)
class FieldPath:
    """One field a schema declares.

    `path` is dotted from the message root (``customer.email``; ``tags[]`` for array items,
    ``attributes{}`` for map values); `type` is a short human description (``string``,
    ``optional string``, ``record Customer``); `required` is False when a message may omit the
    field (an Avro field with a default, a JSON property not listed in `required`).
    """

    path: str
    type: str
    required: bool


def field_paths(schema: ParsedSchema) -> list[FieldPath]:
    """Every field path the schema declares, parents before children, in declaration order."""
    return list(_field_paths(schema.schema_type, schema.text))


@functools.lru_cache(maxsize=1024)
def _field_paths(schema_type: SchemaType, text: str) -> tuple[FieldPath, ...]:
    # Cached by text: a registry checks the same contracts against every new producer version.
    document = json.loads(text)
    if schema_type is SchemaType.AVRO:
        walker: Iterator[FieldPath] = _avro_fields(document, "", AvroNames(), 0)
    else:
        walker = _json_fields(document, document, "", 0)
    seen: dict[str, FieldPath] = {}
    for found in walker:
        # The same path may be reached through several union branches: keep the first, widest.
        seen.setdefault(found.path, found)
    return tuple(seen.values())


def field_index(schema: ParsedSchema) -> dict[str, FieldPath]:
    return {f.path: f for f in field_paths(schema)}


# --- Avro -----------------------------------------------------------------------------------


class AvroNames:
    """Named types seen so far (full name and short name), so references resolve."""

    def __init__(self) -> None:
        self.types: dict[str, Mapping[str, Any]] = {}

    def define(self, schema: Mapping[str, Any], namespace: str | None) -> str | None:
        name = schema.get("name")
        if not isinstance(name, str):
            return namespace
        ns = schema.get("namespace", namespace) if "." not in name else name.rsplit(".", 1)[0]
        full = name if "." in name or not ns else f"{ns}.{name}"
        self.types.setdefault(full, schema)
        self.types.setdefault(full.rsplit(".", 1)[-1], schema)
        return ns if isinstance(ns, str) else None

    def resolve(self, name: str, namespace: str | None) -> Mapping[str, Any] | None:
        if namespace and "." not in name and f"{namespace}.{name}" in self.types:
            return self.types[f"{namespace}.{name}"]
        return self.types.get(name)


def avro_type_name(schema: Any) -> str:
    """A short human name for an Avro type: ``string``, ``optional string``, ``array of long``."""
    if isinstance(schema, str):
        return schema
    if isinstance(schema, list):
        branches = [avro_type_name(b) for b in schema]
        others = [b for b in branches if b != "null"]
        if len(others) < len(branches) and len(others) == 1:
            return f"optional {others[0]}"
        return " or ".join(branches)
    if isinstance(schema, Mapping):
        kind = schema.get("type")
        logical = schema.get("logicalType")
        if kind in ("record", "error", "enum", "fixed"):
            return f"{'record' if kind == 'error' else kind} {schema.get('name', '?')}"
        if kind == "array":
            return f"array of {avro_type_name(schema.get('items'))}"
        if kind == "map":
            return f"map of {avro_type_name(schema.get('values'))}"
        if isinstance(logical, str):
            return f"{logical} ({avro_type_name(kind)})"
        return avro_type_name(kind)
    return str(schema)


def _avro_fields(
    schema: Any, prefix: str, names: AvroNames, depth: int, namespace: str | None = None
) -> Iterator[FieldPath]:
    if depth > MAX_DEPTH:
        return
    if isinstance(schema, str):
        if schema not in AVRO_PRIMITIVES:
            target = names.resolve(schema, namespace)
            if target is not None:
                yield from _avro_fields(target, prefix, names, depth + 1, namespace)
        return
    if isinstance(schema, list):
        for branch in schema:
            yield from _avro_fields(branch, prefix, names, depth, namespace)
        return
    if not isinstance(schema, Mapping):
        return
    kind = schema.get("type")
    if kind in ("record", "error", "enum", "fixed"):
        namespace = names.define(schema, namespace)
    if kind in ("record", "error"):
        for field in schema.get("fields", []):
            if not isinstance(field, Mapping) or not isinstance(field.get("name"), str):
                continue
            path = f"{prefix}.{field['name']}" if prefix else field["name"]
            yield FieldPath(path, avro_type_name(field.get("type")), "default" not in field)
            yield from _avro_fields(field.get("type"), path, names, depth + 1, namespace)
    elif kind == "array":
        yield from _avro_fields(schema.get("items"), f"{prefix}[]", names, depth + 1, namespace)
    elif kind == "map":
        yield from _avro_fields(schema.get("values"), f"{prefix}{{}}", names, depth + 1, namespace)
    elif isinstance(kind, (list, Mapping)) or (
        isinstance(kind, str) and kind not in AVRO_PRIMITIVES
    ):
        yield from _avro_fields(kind, prefix, names, depth, namespace)


# --- JSON Schema ----------------------------------------------------------------------------


def resolve_json_ref(root: Any, ref: str) -> Any:
    """A local ``#/...`` reference inside `root`; None when it is not local or does not resolve."""
    if not ref.startswith("#"):
        return None
    node = root
    for raw in ref[1:].split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def json_type_name(schema: Any, root: Any = None) -> str:
    """A short human name for a JSON Schema: ``string``, ``integer or null``, ``object``."""
    if schema is True or schema == {}:
        return "anything"
    if schema is False:
        return "nothing"
    if not isinstance(schema, Mapping):
        return str(schema)
    if "$ref" in schema and root is not None:
        target = resolve_json_ref(root, schema["$ref"])
        if target is not None and target is not schema:
            return json_type_name(target, None)
    if "const" in schema:
        return f"the constant {json.dumps(schema['const'])}"
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(v) for v in schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return " or ".join(str(k) for k in kind)
    if isinstance(kind, str):
        if kind == "array" and "items" in schema:
            return f"array of {json_type_name(schema['items'], root)}"
        fmt = schema.get("format")
        return f"{kind} ({fmt})" if isinstance(fmt, str) else kind
    for combinator in ("anyOf", "oneOf"):
        if isinstance(schema.get(combinator), list):
            return " or ".join(json_type_name(s, root) for s in schema[combinator])
    if "properties" in schema:
        return "object"
    return "anything"


def _json_fields(schema: Any, root: Any, prefix: str, depth: int) -> Iterator[FieldPath]:
    if depth > MAX_DEPTH or not isinstance(schema, Mapping):
        return
    if isinstance(schema.get("$ref"), str):
        target = resolve_json_ref(root, schema["$ref"])
        if target is not None:
            yield from _json_fields(target, root, prefix, depth + 1)
    required = schema.get("required", [])
    properties = schema.get("properties")
    if isinstance(properties, Mapping):
        for name, sub in properties.items():
            path = f"{prefix}.{name}" if prefix else str(name)
            yield FieldPath(path, json_type_name(sub, root), name in required)
            yield from _json_fields(sub, root, path, depth + 1)
    items = schema.get("items")
    if isinstance(items, Mapping):
        yield from _json_fields(items, root, f"{prefix}[]", depth + 1)
    for combinator in ("allOf", "anyOf", "oneOf"):
        branches = schema.get(combinator)
        if isinstance(branches, list):
            for branch in branches:
                yield from _json_fields(branch, root, prefix, depth + 1)


# --- locating a finding ---------------------------------------------------------------------

_STRUCTURE = frozenset(
    {
        "fields",
        "type",
        "items",
        "values",
        "properties",
        "anyOf",
        "oneOf",
        "allOf",
        "symbols",
        "additionalProperties",
        "patternProperties",
        "required",
        "$defs",
        "definitions",
    }
)


def field_of_pointer(schema: ParsedSchema, location: Sequence[str | int] | None) -> str | None:
    """The dotted field path a schema location (``fields/1/type``, ``fields/customer/email``,
    ``properties/customer/properties/email``, as tokens) lands in; None for the message root."""
    if not location:
        return None
    parts = [str(token) for token in location]
    known = field_index(schema)
    walked = _walk_pointer(json.loads(schema.text), parts, schema.schema_type)
    if walked is not None:
        return walked or None
    # Fallback: keep the segments that are not schema keywords or indexes, and take the longest
    # declared field they name.
    names = [p for p in parts if p not in _STRUCTURE and not p.isdigit()]
    for end in range(len(names), 0, -1):
        candidate = ".".join(names[:end])
        if candidate in known:
            return candidate
    return None


def _walk_pointer(document: Any, parts: Sequence[str], schema_type: SchemaType) -> str | None:
    """Follow a pointer through the schema document, naming fields on the way; None if it does
    not resolve (the caller then falls back to matching names)."""
    path = ""
    node = document
    i = 0
    while i < len(parts):
        part = parts[i]
        if schema_type is SchemaType.AVRO and isinstance(node, Mapping) and part == "fields":
            fields = node.get("fields", [])
            if i + 1 >= len(parts):
                return path
            key = parts[i + 1]
            field = None
            if key.isdigit() and int(key) < len(fields):
                field = fields[int(key)]
            else:
                field = next((f for f in fields if f.get("name") == key), None)
            if not isinstance(field, Mapping):
                return None
            path = f"{path}.{field['name']}" if path else str(field["name"])
            node = field
            i += 2
            # A named-field pointer may continue straight into a nested record's field names.
            while (
                i < len(parts)
                and parts[i] not in _STRUCTURE
                and not parts[i].isdigit()
                and _nested_record(node) is not None
            ):
                record = _nested_record(node)
                assert record is not None
                inner = next(
                    (f for f in record.get("fields", []) if f.get("name") == parts[i]), None
                )
                if inner is None:
                    return None
                path = f"{path}.{inner['name']}"
                node = inner
                i += 1
            continue
        if schema_type is SchemaType.JSON and isinstance(node, Mapping) and part == "properties":
            if i + 1 >= len(parts):
                return path
            key = parts[i + 1]
            props = node.get("properties", {})
            if not isinstance(props, Mapping) or key not in props:
                return None
            path = f"{path}.{key}" if path else key
            node = props[key]
            i += 2
            continue
        if part in ("items", "values"):
            path = f"{path}[]" if part == "items" else f"{path}{{}}"
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif part in ("items", "values", "type"):
            pass  # pointer names a structural step the document leaves implicit
        else:
            return None
        i += 1
    return path


def _nested_record(field: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The record a field's type is (directly or as the non-null branch of an optional)."""
    kind = field.get("type")
    if isinstance(kind, list):
        records = [b for b in kind if isinstance(b, Mapping) and b.get("type") == "record"]
        kind = records[0] if len(records) == 1 else None
    if isinstance(kind, Mapping) and kind.get("type") in ("record", "error"):
        return kind
    return None
