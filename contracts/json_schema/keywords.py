"""Where a JSON Schema holds subschemas, and JSON pointers to them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# Keywords whose value is one subschema, a list of them, or a name -> subschema map. Everything else
# (enum, const, default, examples…) holds data, where a "$ref" key is just data.
SCHEMA_KEYWORDS = frozenset(
    {
        "additionalItems",
        "additionalProperties",
        "contains",
        "else",
        "if",
        "not",
        "propertyNames",
        "then",
        "unevaluatedItems",
        "unevaluatedProperties",
        "contentSchema",
    }
)


SCHEMA_LIST_KEYWORDS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})

SCHEMA_MAP_KEYWORDS = frozenset(
    {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
)


def pointer_token(token: object) -> str:
    """One JSON-pointer token (RFC 6901 escaping)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def join_pointer(tokens: Iterator[object] | list[object] | tuple[object, ...]) -> str:
    """A JSON-pointer-like path; the document root is "/"."""
    return "/" + "/".join(pointer_token(t) for t in tokens)


def children(schema: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """The direct subschemas of `schema` with their paths, following only schema keywords."""
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        if key in SCHEMA_KEYWORDS:
            yield (*path, key), value
        elif key in SCHEMA_LIST_KEYWORDS and isinstance(value, list):
            for i, item in enumerate(value):
                yield (*path, key, str(i)), item
        elif key in SCHEMA_MAP_KEYWORDS and isinstance(value, dict):
            for name, item in value.items():
                yield (*path, key, name), item
        elif key == "items":
            if isinstance(value, list):
                for i, item in enumerate(value):
                    yield (*path, key, str(i)), item
            else:
                yield (*path, key), value
        elif key == "dependencies" and isinstance(value, dict):
            for name, item in value.items():
                if not isinstance(item, list):  # a list is dependentRequired's older spelling
                    yield (*path, key, name), item


def subschemas(schema: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every subschema of `schema` (itself first) with its path."""
    yield path, schema
    for child_path, child in children(schema, path):
        yield from subschemas(child, child_path)
