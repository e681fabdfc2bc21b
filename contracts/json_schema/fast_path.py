"""The hot path: a jsonschema_rs validator that recognises valid messages, when it agrees with Accord."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
from jsonschema import (
    Draft4Validator,
    Draft6Validator,
    Draft7Validator,
    Draft201909Validator,
    Draft202012Validator,
)
from jsonschema.protocols import Validator

from contracts import patterns
from contracts.json_schema.keywords import subschemas
from contracts.json_schema.safe_patterns import SAFE_DRAFTS


class _PythonPattern:
    """`pattern` through contracts.patterns, as the Python path applies it: Rust's regex dialect
    differs from ECMA-262 (`\\s` misses U+FEFF there), so the fast path must not use it."""

    def __init__(self, parent: dict[str, Any], value: Any, schema_path: list[str | int]) -> None:
        self.pattern = patterns.compile_pattern(value)

    def validate(self, instance: Any) -> None:
        # A pattern out of budget raises here too; JsonSchema.validate then distrusts the fast
        # verdict and python-jsonschema decides, from the same (spent) budget.
        if type(instance) is str and not self.pattern.search(instance):
            raise ValueError("does not match the pattern")


def _python_keyword(draft: type[Validator], keyword: str) -> type[_PythonPattern]:
    """A fast-path keyword that asks python-jsonschema itself (one-keyword validator, same draft)."""

    class PythonKeyword(_PythonPattern):
        def __init__(self, parent: dict[str, Any], value: Any, path: list[str | int]) -> None:
            self.is_valid = SAFE_DRAFTS[draft]({keyword: value}).is_valid

        def validate(self, instance: Any) -> None:
            if not self.is_valid(instance):
                raise ValueError(f"fails {keyword}")

    return PythonKeyword


_FAST_DRAFTS: dict[type[Validator], type[jsonschema_rs.Validator]] = {
    Draft4Validator: jsonschema_rs.Draft4Validator,
    Draft6Validator: jsonschema_rs.Draft6Validator,
    Draft7Validator: jsonschema_rs.Draft7Validator,
    Draft201909Validator: jsonschema_rs.Draft201909Validator,
    Draft202012Validator: jsonschema_rs.Draft202012Validator,
}

# The drafts where `dependencies` is a keyword (2019-09 split it into dependentRequired/Schemas).
_DEPENDENCIES_DRAFTS = frozenset({Draft4Validator, Draft6Validator, Draft7Validator})


def fast_validator(schema: Any, draft: type[Validator]) -> jsonschema_rs.Validator | None:
    """jsonschema_rs compiled to agree with `draft(schema)` on plain JSON values (see `json_value_problems`),
    or None when the schema must stay with python-jsonschema alone.

    Formats are not asserted, nothing is ever retrieved (`offline`), `pattern` uses
    contracts.patterns (ECMA-262 semantics in bounded time, as the Python path does)
    and `multipleOf` python-jsonschema's float arithmetic (0.3 is not a multiple of 0.1 there).
    `patternProperties` selects properties by Rust's regex dialect, and jsonschema_rs still applies
    drafts 4-7's `dependencies` under 2019-09 and 2020-12 where python-jsonschema ignores it (found by
    the differential test): such schemas stay in Python.
    A schema jsonschema_rs cannot compile also stays in Python: the fast path never refuses a schema.
    tests/contracts/test_json_fast_path.py holds the two verdicts equal over the JSON corpus.
    """
    python_only = (
        {"patternProperties"}
        if draft in _DEPENDENCIES_DRAFTS
        else {"patternProperties", "dependencies"}
    )
    if any(
        isinstance(sub, dict) and not python_only.isdisjoint(sub) for _, sub in subschemas(schema)
    ):
        return None
    try:
        return _FAST_DRAFTS[draft](
            schema,
            validate_formats=False,
            offline=True,
            keywords={
                "pattern": _PythonPattern,
                "multipleOf": _python_keyword(draft, "multipleOf"),
            },
        )
    except Exception:  # any refusal only means "validate in Python"
        return None
