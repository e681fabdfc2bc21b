"""What a subschema accepts at all: nothing, everything, or something to compare."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from jsonschema import (
    Draft4Validator,
    Draft6Validator,
    Draft7Validator,
    Draft201909Validator,
    Draft202012Validator,
)
from jsonschema.protocols import Validator

from contracts.json_compatibility.arrays import positional
from contracts.json_compatibility.bounds import bound
from contracts.json_compatibility.nodes import ANNOTATIONS, TYPES, Side, declared_types, without
from contracts.json_compatibility.pattern_facts import matches, matches_every_string

if TYPE_CHECKING:
    from contracts.json_compatibility.inclusion import Inclusion
    from contracts.json_schema import JsonSchema


# Keywords a draft does not know: its validators ignore them, so the check must too (a draft-4
# `const` constrains nothing, nor does a 2019-09 `dependencies`).
_SINCE_6 = frozenset({"const", "contains", "propertyNames"})


_SINCE_7 = frozenset({"if", "then", "else"})


_SINCE_2019 = frozenset(
    {
        "dependentRequired",
        "dependentSchemas",
        "unevaluatedProperties",
        "unevaluatedItems",
        "minContains",
        "maxContains",
        "$recursiveRef",
    }
)


_SINCE_2020 = frozenset({"prefixItems", "$dynamicRef"})


UNKNOWN: dict[type[Validator], frozenset[str]] = {
    Draft4Validator: _SINCE_6 | _SINCE_7 | _SINCE_2019 | _SINCE_2020,
    Draft6Validator: _SINCE_7 | _SINCE_2019 | _SINCE_2020,
    Draft7Validator: _SINCE_2019 | _SINCE_2020,
    Draft201909Validator: _SINCE_2020 | {"dependencies"},
    Draft202012Validator: frozenset({"dependencies", "additionalItems", "$recursiveRef"}),
}


# Subschema positions written as true/false once known to accept everything/nothing.
SINGLE_SCHEMAS = (
    "additionalProperties",
    "unevaluatedProperties",
    "additionalItems",
    "unevaluatedItems",
    "items",
)


MAPPED_SCHEMAS = ("properties", "patternProperties")


def known_keywords(node: dict[str, Any], document: JsonSchema) -> dict[str, Any]:
    """The node without the keywords its draft does not know (validators ignore those)."""
    unknown = UNKNOWN.get(document.draft, frozenset())
    return {k: v for k, v in node.items() if k not in unknown}


def type_empty(node: dict[str, Any], kind: str, document: JsonSchema) -> bool:
    """No instance of JSON type `kind` satisfies these (normalized) constraints."""
    if kind == "string":
        return bool(node.get("minLength", 0) > node.get("maxLength", math.inf))
    if kind in ("number", "integer"):
        low = bound(node, ("minimum", "exclusiveMinimum"), low=True)
        high = bound(node, ("maximum", "exclusiveMaximum"), low=False)
        if low is None or high is None:
            return False
        if kind == "integer":
            first = math.floor(low[0]) + 1 if low[1] else math.ceil(low[0])
            last = math.ceil(high[0]) - 1 if high[1] else math.floor(high[0])
            return bool(first > last)
        return bool(low[0] > high[0] or (low[0] == high[0] and (low[1] or high[1])))
    if kind == "array":
        least = node.get("minItems", 0)
        if least > node.get("maxItems", math.inf):
            return True
        # unevaluatedItems may be met by items that combinators evaluate: it proves nothing here.
        prefix, rest, _ = positional(without(node, "unevaluatedItems"), document)
        return any(
            (prefix[i] if i < len(prefix) else rest) is False
            for i in range(min(least, len(prefix) + 1))
        )
    if kind == "object":
        required = set(node.get("required", []))
        most = node.get("maxProperties", math.inf)
        if max(node.get("minProperties", 0), len(required)) > most:
            return True
        properties = node.get("properties", {})
        patterns = node.get("patternProperties", {})
        for name in required:
            if name in properties:
                if properties[name] is False:
                    return True
                continue
            matching = [s for p, s in patterns.items() if matches(p, name)]
            if any(s is False for s in matching):
                return True
            if not matching and node.get("additionalProperties", True) is False:
                return True
    return False


def normal(check: Inclusion, side: Side) -> Side:
    """The node as the check reads it: keywords its draft does not know dropped, and subschemas
    known to accept everything (nothing) written as true (false), wherever they occur."""
    node = side.node
    if not isinstance(node, dict):
        return side
    memo = check.normals.get(id(node))
    if memo is None:
        if ("normal", id(node)) in check.deciding:
            return Side(
                known_keywords(node, side.document), side.document, side.resolver, side.path
            )
        check.deciding.add(("normal", id(node)))
        try:
            memo = (node, normalize(check, side))
        finally:
            check.deciding.discard(("normal", id(node)))
        check.normals[id(node)] = memo
    return Side(memo[1], side.document, side.resolver, side.path)


def normalize(check: Inclusion, side: Side) -> dict[str, Any]:
    node = known_keywords(side.node, side.document)
    for keyword in SINGLE_SCHEMAS:
        if keyword in node and not isinstance(node[keyword], list):
            node[keyword] = decided(check, side.at(node[keyword]))
    for keyword in ("prefixItems", "items"):
        if isinstance(node.get(keyword), list):
            node[keyword] = [decided(check, side.at(item)) for item in node[keyword]]
    for keyword in MAPPED_SCHEMAS:
        if isinstance(node.get(keyword), dict):
            node[keyword] = {
                name: decided(check, side.at(schema)) for name, schema in node[keyword].items()
            }
    return node


def decided(check: Inclusion, side: Side) -> Any:
    if nothing(check, side):
        return False
    if everything(check, side):
        return True
    return side.node


def nothing(check: Inclusion, side: Side) -> bool:
    """True only when no instance is valid (false, `{"not": {}}`, contradictory bounds…)."""
    return verdict(check, "nothing", side)


def everything(check: Inclusion, side: Side) -> bool:
    """True only when every instance is valid (true, `{}`, `{"not": {"not": {}}}`, `.*`…)."""
    return verdict(check, "everything", side)


def verdict(check: Inclusion, question: str, side: Side) -> bool:
    side = check.deref(side)
    if isinstance(side.node, bool):
        return side.node is (question == "everything")
    if not isinstance(side.node, dict):
        return False
    key = (question, id(side.node))
    memo = check.verdicts.get(key)
    if memo is not None:
        return memo[1]
    if key in check.deciding:
        return False  # met again through a recursive reference: not proven
    check.deciding.add(key)
    try:
        normalized = normal(check, side)
        if question == "nothing":
            answer = accepts_nothing(check, normalized)
        else:
            answer = all(vacuous(check, normalized, k, v) for k, v in normalized.node.items())
    finally:
        check.deciding.discard(key)
    check.verdicts[key] = (side.node, answer)
    return answer


def accepts_nothing(check: Inclusion, side: Side) -> bool:
    node: dict[str, Any] = side.node
    if any(nothing(check, side.at(part)) for part in node.get("allOf", [])):
        return True
    for keyword in ("anyOf", "oneOf"):
        branches = node.get(keyword)
        if isinstance(branches, list) and all(nothing(check, side.at(b)) for b in branches):
            return True
    if "not" in node and everything(check, side.at(node["not"])):
        return True
    if check.ref_with_siblings(node) and nothing(check, side.at({"$ref": node["$ref"]})):
        return True
    if (
        isinstance(node.get("contains"), dict | bool)
        and node.get("minContains", 1) > 0
        and declared_types(node) <= {"array"}
        and nothing(check, side.at(node["contains"]))
    ):
        return True
    values = check.finite_values(side)
    if values is not None:
        return not values
    return all(type_empty(node, kind, side.document) for kind in declared_types(node))


def vacuous(check: Inclusion, side: Side, keyword: str, value: Any) -> bool:
    """Does this keyword, with this value, accept every instance?"""
    if keyword in ANNOTATIONS or keyword == "if":
        return True  # `if` alone decides nothing; `then`/`else` are asked on their own
    if keyword == "type":
        return declared_types({"type": value}) | {"integer"} >= TYPES
    if keyword in ("minLength", "minItems", "minProperties"):
        return bool(value == 0)
    if keyword == "required":
        return not value
    if keyword == "uniqueItems":
        return value is False
    if keyword == "pattern":
        return isinstance(value, str) and matches_every_string(value)
    if keyword == "not":
        return nothing(check, side.at(value))
    if keyword == "$ref":
        return everything(check, side.at({"$ref": value}))
    if keyword in SINGLE_SCHEMAS or keyword in (
        "propertyNames",
        "then",
        "else",
        "contentSchema",
    ):
        if isinstance(value, list):  # draft 7 tuple items
            return all(everything(check, side.at(item)) for item in value)
        return everything(check, side.at(value))
    if keyword in ("allOf", "prefixItems"):
        return all(everything(check, side.at(part)) for part in value)
    if keyword == "anyOf":
        return any(everything(check, side.at(part)) for part in value)
    if keyword == "oneOf":
        full = [everything(check, side.at(part)) for part in value]
        return full.count(True) == 1 and all(
            nothing(check, side.at(part)) for part, f in zip(value, full, strict=True) if not f
        )
    if keyword in ("properties", "patternProperties", "dependentSchemas"):
        return all(everything(check, side.at(part)) for part in value.values())
    if keyword in ("dependencies", "dependentRequired"):
        return all(
            not part if isinstance(part, list) else everything(check, side.at(part))
            for part in value.values()
        )
    return False
