"""python-jsonschema errors as findings: the kind, the sentence, the location."""

from __future__ import annotations

import json
import re

from jsonschema.exceptions import ValidationError

from contracts.findings import FindingKind, Location

# What a message failing this keyword did; every other keyword is CONSTRAINT_VIOLATED.
_VALIDATION_KINDS: dict[str, FindingKind] = {
    "required": FindingKind.MISSING_FIELD,
    "type": FindingKind.WRONG_TYPE,
    "additionalProperties": FindingKind.UNEXPECTED_FIELD,
    "unevaluatedProperties": FindingKind.UNEXPECTED_FIELD,
    "enum": FindingKind.NOT_ALLOWED_VALUE,
    "const": FindingKind.NOT_ALLOWED_VALUE,
    "minimum": FindingKind.OUT_OF_RANGE,
    "maximum": FindingKind.OUT_OF_RANGE,
    "exclusiveMinimum": FindingKind.OUT_OF_RANGE,
    "exclusiveMaximum": FindingKind.OUT_OF_RANGE,
    "minLength": FindingKind.WRONG_SIZE,
    "maxLength": FindingKind.WRONG_SIZE,
    "minItems": FindingKind.WRONG_SIZE,
    "maxItems": FindingKind.WRONG_SIZE,
    "minProperties": FindingKind.WRONG_SIZE,
    "maxProperties": FindingKind.WRONG_SIZE,
    "pattern": FindingKind.PATTERN_MISMATCH,
    "anyOf": FindingKind.NO_MATCHING_ALTERNATIVE,
    "oneOf": FindingKind.NO_MATCHING_ALTERNATIVE,
}


def _camel_to_kind(keyword: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", keyword.lstrip("$")).upper()


def _short(value: object, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sentence(error: ValidationError) -> str:
    """A sentence about one validation error that does not dump the whole message."""
    keyword, expected, value = error.validator, error.validator_value, error.instance
    if keyword == "type":
        wanted = " or ".join(expected) if isinstance(expected, list) else str(expected)
        return f"expected a value of type {wanted}, got {_short(value)}"
    if keyword == "enum":
        return f"{_short(value)} is not one of the allowed values {_short(expected, 120)}"
    if keyword == "const":
        return f"{_short(value)} is not the required constant {_short(expected)}"
    if keyword in {"additionalProperties", "unevaluatedProperties"}:
        return f"this object carries properties the schema does not allow: {error.message}"
    if keyword == "minLength":
        return f"the string is shorter than the minimum length {expected}"
    if keyword == "maxLength":
        return f"the string is longer than the maximum length {expected}"
    if keyword == "pattern":
        return f"the string {_short(value)} does not match the pattern {expected!r}"
    parent, flag = error.schema, f"exclusive{str(keyword).title()}"
    if keyword in {"minimum", "maximum"} and isinstance(parent, dict) and parent.get(flag) is True:
        keyword = flag  # draft 4: a boolean beside the bound makes it exclusive
    if keyword in {"minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "multipleOf"}:
        relation = {
            "minimum": "at least",
            "exclusiveMinimum": "greater than",
            "maximum": "at most",
            "exclusiveMaximum": "less than",
            "multipleOf": "a multiple of",
        }[keyword]
        return f"{_short(value)} must be {relation} {expected}"
    if keyword in {"oneOf", "anyOf"}:
        which = "exactly one" if keyword == "oneOf" else "at least one"
        return f"the value must match {which} of the alternatives; {error.message}"
    if keyword == "false":
        return "no value is allowed here (the schema is false)"
    return error.message if len(error.message) <= 200 else error.message[:199] + "…"


def _where(message: object, text: str) -> Location:
    """The location of the first string value or property name in `message` equal to `text`."""
    stack: list[tuple[object, Location]] = [(message, ())]
    while stack:
        value, path = stack.pop()
        if type(value) is str and value == text:
            return path
        if isinstance(value, dict):
            for key in reversed(list(value)):
                if key == text:
                    return (*path, key)
                stack.append((value[key], (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, i)) for i, item in reversed(list(enumerate(value))))
    return ()
