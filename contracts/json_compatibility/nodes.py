"""Schema nodes as the check reads them: a subschema in its document, its types, its text."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import referencing
from jsonschema import (
    Draft4Validator,
    Draft6Validator,
    Draft7Validator,
)
from referencing._core import Resolver

from contracts.json_schema import (
    SCHEMA_LIST_KEYWORDS,
    SCHEMA_MAP_KEYWORDS,
    children,
    specification_for,
    subschemas,
)

if TYPE_CHECKING:
    from contracts.json_schema import JsonSchema


Path = tuple[str, ...]


TYPES = frozenset({"null", "boolean", "object", "array", "number", "string", "integer"})


# Keywords that never constrain an instance (annotations); a schema made only of them accepts anything.
ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "id",
        "$comment",
        "$anchor",
        "$vocabulary",
        "$defs",
        "definitions",
        "title",
        "description",
        "default",
        "examples",
        "readOnly",
        "writeOnly",
        "deprecated",
        "format",
        "contentEncoding",
        "contentMediaType",
        "contentSchema",
    }
)


# Drafts where `$ref` overrides its siblings (2019-09 made them apply together).
REF_ALONE = frozenset({Draft4Validator, Draft6Validator, Draft7Validator})


@dataclass(frozen=True, slots=True)
class Side:
    """One side of the comparison at one place: a subschema, the document it belongs to with the
    resolver for its `$ref`s, and its path in that document (where findings point)."""

    node: Any
    document: JsonSchema
    resolver: Resolver[Any]
    path: Path = ()

    def at(self, node: Any, *tokens: str) -> Side:
        """`node`, reached from here through the keywords/names `tokens` (none: the same place,
        e.g. this node rewritten)."""
        path = (*self.path, *tokens) if tokens else self.path
        if isinstance(node, dict):
            spec = specification(self.document)
            if isinstance(spec.id_of(node), str):
                resource = spec.create_resource(node)
                return Side(node, self.document, self.resolver.in_subresource(resource), path)
        return Side(node, self.document, self.resolver, path)

    def step(self, *tokens: str) -> Side:
        """This node, its path extended (the same schema read at a keyword of its own)."""
        return Side(self.node, self.document, self.resolver, (*self.path, *tokens))


def specification(document: JsonSchema) -> referencing.Specification[Any]:
    return specification_for(document.draft)


def dump(value: object, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def has_ref(node: Any) -> bool:
    if isinstance(node, dict):
        if any(k in node for k in ("$ref", "$dynamicRef", "$recursiveRef")):
            return True
        return any(has_ref(child) for _, child in children(node))
    return False


def canonical(node: Any) -> str:
    return json.dumps(node, sort_keys=True, separators=(",", ":"))


def declared_types(node: dict[str, Any]) -> set[str]:
    declared = node.get("type")
    if declared is None:
        return set(TYPES)
    return {declared} if isinstance(declared, str) else set(declared)


def admits(types: set[str], kind: str) -> bool:
    return kind in types or (kind == "integer" and "number" in types)


def without(node: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in node.items() if k not in keys}


def last_keyword(path: Path) -> str | None:
    """The schema keyword a reader location ends in (`/properties/a/minLength` -> minLength);
    None when it ends in a property name or a branch index."""
    if not path:
        return None
    if len(path) > 1 and path[-2] in (SCHEMA_MAP_KEYWORDS | SCHEMA_LIST_KEYWORDS):
        return None
    return path[-1]


def nested_ids(document: JsonSchema) -> bool:
    """Does any subschema below the root set its own `$id` (`id` in draft 4), a new base?"""
    spec = specification(document)
    return any(
        isinstance(node, dict) and spec.id_of(node) is not None
        for path, node in subschemas(document.schema)
        if path
    )
