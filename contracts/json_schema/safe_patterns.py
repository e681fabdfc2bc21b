"""python-jsonschema drafts whose keywords match patterns through contracts.patterns, never `re`."""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any, cast

from jsonschema import (
    validators,
)
from jsonschema.protocols import Validator

from contracts import patterns
from contracts.json_schema.drafts import _DRAFTS


class _SafeRe:
    """Stands for the `re` module inside python-jsonschema's keyword functions: every `re.search`
    they make (pattern, patternProperties, additionalProperties, unevaluatedProperties) goes
    through contracts.patterns, with ECMA-262 semantics in bounded time."""

    @staticmethod
    def search(pattern: str, string: str) -> bool | None:
        return True if patterns.search(pattern, string) else None


def _find_additional_properties(instance: dict[str, Any], schema: dict[str, Any]) -> Iterator[str]:
    """python-jsonschema's helper of that name, matching each pattern on its own: it joins them
    with '|', which renumbers backreferences."""
    properties = schema.get("properties", {})
    names = list(schema.get("patternProperties", {}))
    for name in instance:
        if name not in properties and not any(patterns.search(p, name) for p in names):
            yield name


def _rebound(function: types.FunctionType, names: dict[str, Any]) -> types.FunctionType:
    """`function` with some of its module's globals replaced (recursive helpers see themselves)."""
    scope = {**function.__globals__, **names}
    code = function.__code__
    clone = types.FunctionType(code, scope, code.co_name, function.__defaults__)
    if scope.get(code.co_name) is function:
        scope[code.co_name] = clone
    return clone


def _safe_keyword(function: types.FunctionType) -> types.FunctionType:
    names: dict[str, Any] = {
        "re": _SafeRe,
        "find_additional_properties": _find_additional_properties,
    }
    helper = function.__globals__.get("find_evaluated_property_keys_by_schema")
    if helper is not None:
        names["find_evaluated_property_keys_by_schema"] = _rebound(helper, {"re": _SafeRe})
    return _rebound(function, names)


def _safe_draft(draft: type[Validator]) -> type[Validator]:
    """`draft` whose every keyword matches patterns through contracts.patterns, never `re`."""
    keywords = {keyword: _safe_keyword(function) for keyword, function in draft.VALIDATORS.items()}
    extended = validators.extend(draft, validators=keywords)  # type: ignore[no-untyped-call]
    return cast(type[Validator], extended)


SAFE_DRAFTS: dict[type[Validator], type[Validator]] = {
    draft: _safe_draft(draft) for draft in _DRAFTS.values()
}
