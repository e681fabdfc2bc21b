"""JSON Schema as a registered format: parse text into a JsonSchema, check a reader against a writer."""

from __future__ import annotations

import json
from typing import Any

from contracts import patterns
from contracts.errors import InvalidSchema
from contracts.findings import Finding
from contracts.formats import (
    CompatibilityPolicy,
    ParsedSchema,
    SchemaType,
    register_format,
)
from contracts.json_schema.drafts import _draft_name, draft_of
from contracts.json_schema.keywords import join_pointer, subschemas
from contracts.json_schema.schema import JsonSchema, _finite_number, _reject_constant
from contracts.limits import depth_sentence, too_deep


class JsonSchemaFormat:
    """The JSON Schema format; use the `JSON_SCHEMA` instance."""

    schema_type = SchemaType.JSON

    def parse(self, text: str) -> JsonSchema:
        try:
            schema = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_number)
        except ValueError as exc:
            raise InvalidSchema(f"the schema is not valid JSON: {exc}", "/") from None
        except RecursionError:
            raise InvalidSchema(depth_sentence("the schema document"), "/") from None
        if not isinstance(schema, dict | bool):
            raise InvalidSchema(
                f"a JSON Schema is an object or a boolean, not {type(schema).__name__}", "/"
            )
        where = too_deep(schema)
        if where is not None:
            raise InvalidSchema(depth_sentence("the schema document"), join_pointer(where))
        draft = draft_of(schema)
        meta = draft(draft.META_SCHEMA)
        errors = sorted(meta.iter_errors(schema), key=lambda e: list(map(str, e.absolute_path)))
        if errors:
            first = errors[0]
            raise InvalidSchema(
                f"not a valid {_draft_name(draft)} schema: {first.message}",
                join_pointer(list(first.absolute_path)),
            )
        for path, sub in subschemas(schema):
            if isinstance(sub, dict):
                _check_patterns(sub, path)
        return JsonSchema(text, schema, draft)

    def check(
        self,
        reader: ParsedSchema,
        writer: ParsedSchema,
        *,
        policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    ) -> list[Finding]:
        from contracts.json_compatibility import check_inclusion

        if not isinstance(reader, JsonSchema) or not isinstance(writer, JsonSchema):
            raise TypeError("JSON Schema compatibility needs two parsed JSON schemas")
        return check_inclusion(reader, writer, policy=policy)


def _check_patterns(schema: dict[str, Any], path: tuple[str, ...]) -> None:
    """Every `pattern` and `patternProperties` name of one subschema compiles (once, cached)."""
    found: list[tuple[str, tuple[str, ...]]] = []
    if isinstance(schema.get("pattern"), str):
        found.append((schema["pattern"], (*path, "pattern")))
    if isinstance(schema.get("patternProperties"), dict):
        found.extend(
            (name, (*path, "patternProperties", name)) for name in schema["patternProperties"]
        )
    for pattern, where in found:
        try:
            patterns.compile_pattern(pattern)
        except patterns.InvalidPattern as exc:
            raise InvalidSchema(
                f"pattern {pattern!r} is not an ECMA-262 regular expression Accord can run: {exc}",
                join_pointer(where),
            ) from None


JSON_SCHEMA = JsonSchemaFormat()

register_format(JSON_SCHEMA)
