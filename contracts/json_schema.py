"""JSON Schema as an Accord format: parse (drafts 4, 6, 7, 2019-09, 2020-12), canonical form, validate, encode."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any, cast

import jsonschema_rs
import referencing
import referencing.exceptions
import referencing.jsonschema
from jsonschema import (
    Draft4Validator,
    Draft6Validator,
    Draft7Validator,
    Draft201909Validator,
    Draft202012Validator,
)
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from referencing._core import Resolver

from contracts.errors import EncodingError, InvalidSchema
from contracts.findings import Finding, FindingKind
from contracts.formats import CompatibilityPolicy, Encoding, ParsedSchema, SchemaType

# `$schema` (without a trailing '#', scheme-insensitive) -> validator class. Confluent's default is
# draft 7, so a schema without `$schema` is draft 7.
_DRAFTS: dict[str, type[Validator]] = {
    "json-schema.org/draft-04/schema": Draft4Validator,
    "json-schema.org/draft-06/schema": Draft6Validator,
    "json-schema.org/draft-07/schema": Draft7Validator,
    "json-schema.org/draft/2019-09/schema": Draft201909Validator,
    "json-schema.org/draft/2020-12/schema": Draft202012Validator,
}
DEFAULT_DRAFT: type[Validator] = Draft7Validator

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


def draft_of(schema: object) -> type[Validator]:
    """The validator class `$schema` asks for; InvalidSchema when it names a draft we do not handle."""
    if not isinstance(schema, dict) or "$schema" not in schema:
        return DEFAULT_DRAFT
    uri = schema["$schema"]
    if not isinstance(uri, str):
        raise InvalidSchema("$schema must be a string naming a JSON Schema draft", "/$schema")
    key = re.sub(r"^https?://", "", uri.strip()).rstrip("#")
    draft = _DRAFTS.get(key)
    if draft is None:
        raise InvalidSchema(
            f"$schema {uri!r} is not a supported JSON Schema draft; Accord handles drafts 4, 6, "
            "7 (the default), 2019-09 and 2020-12",
            "/$schema",
        )
    return draft


def specification_for(draft: type[Validator]) -> referencing.Specification[Any]:
    specifications: dict[type[Validator], referencing.Specification[Any]] = {
        Draft4Validator: referencing.jsonschema.DRAFT4,
        Draft6Validator: referencing.jsonschema.DRAFT6,
        Draft7Validator: referencing.jsonschema.DRAFT7,
        Draft201909Validator: referencing.jsonschema.DRAFT201909,
    }
    return specifications.get(draft, referencing.jsonschema.DRAFT202012)


def root_uri(schema: Any, draft: type[Validator]) -> str:
    """The base URI a schema declares for itself (`id` in draft 4, `$id` later), or ""."""
    if not isinstance(schema, dict):
        return ""
    uri = specification_for(draft).id_of(schema)
    return uri if isinstance(uri, str) else ""


def _build_registry(schema: Any, draft: type[Validator]) -> referencing.Registry[Any]:
    """A registry of this schema and its embedded `$id` resources only.

    Its default retrieval refuses every other URI, so no reference ever reaches the network.
    """
    resource = specification_for(draft).create_resource(schema)
    registry: referencing.Registry[Any] = referencing.Registry()
    return cast(
        referencing.Registry[Any], registry.with_resource(root_uri(schema, draft), resource).crawl()
    )


def _check_refs(schema: Any, draft: type[Validator], registry: referencing.Registry[Any]) -> None:
    """Every `$ref` must resolve inside the schema itself; remote references are refused."""
    _walk_refs(schema, (), specification_for(draft), registry.resolver(root_uri(schema, draft)))


def _walk_refs(
    schema: Any,
    path: tuple[str, ...],
    specification: referencing.Specification[Any],
    resolver: Resolver[Any],
) -> None:
    if not isinstance(schema, dict):
        return
    resolver = resolver.in_subresource(specification.create_resource(schema))
    ref = schema.get("$ref")
    if isinstance(ref, str):
        try:
            resolver.lookup(ref)
        except referencing.exceptions.Unresolvable:
            where = join_pointer([*path, "$ref"])
            if ref.startswith("#"):
                raise InvalidSchema(
                    f"$ref {ref!r} points at nothing in this schema; define it under $defs "
                    "or definitions",
                    where,
                ) from None
            raise InvalidSchema(
                f"$ref {ref!r} refers to another document; Accord never fetches schemas over "
                "the network, so put the definition under $defs (or definitions) in this schema",
                where,
            ) from None
    for child_path, child in children(schema, path):
        _walk_refs(child, child_path, specification, resolver)


class _PythonPattern:
    """`pattern` with Python's `re.search`, as python-jsonschema applies it: Rust's regex dialect
    differs (`\\s` matches U+FEFF there, `$` does not match before a final newline, `\\d`/`\\w` are
    ASCII), so the fast path must not use it."""

    def __init__(self, parent: dict[str, Any], value: Any, schema_path: list[str | int]) -> None:
        self.search = re.compile(value).search

    def validate(self, instance: Any) -> None:
        if type(instance) is str and self.search(instance) is None:
            raise ValueError("does not match the pattern")


def _python_keyword(draft: type[Validator], keyword: str) -> type[_PythonPattern]:
    """A fast-path keyword that asks python-jsonschema itself (one-keyword validator, same draft)."""

    class PythonKeyword(_PythonPattern):
        def __init__(self, parent: dict[str, Any], value: Any, path: list[str | int]) -> None:
            self.is_valid = draft({keyword: value}).is_valid

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
    """jsonschema_rs compiled to agree with `draft(schema)` on plain JSON values (see `_is_plain`),
    or None when the schema must stay with python-jsonschema alone.

    Formats are not asserted, nothing is ever retrieved (`offline`), `pattern` uses Python's `re`
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


_LEAVES = (str, int, float, bool)


def _is_plain(message: object) -> bool:
    """Whether `message` is built only of dict, list, str, int, float, bool and None (exact types).

    jsonschema_rs reads a tuple as an array and Decimal('1') as an integer where python-jsonschema
    does not: anything else goes to python-jsonschema.
    """
    kind = type(message)
    if kind is dict:
        values: Any = message.values()  # type: ignore[attr-defined]
    elif kind is list:
        values = message
    else:
        return message is None or kind in _LEAVES
    for value in values:
        kind = type(value)
        if kind is dict or kind is list:
            if not _is_plain(value):
                return False
        elif value is not None and kind not in _LEAVES:
            return False
    return True


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


class JsonSchema:
    """A parsed JSON Schema: immutable, compared and hashed by its canonical text.

    The compiled validator is built once here and reused for every message. `format` is an
    annotation, not an assertion (as in Confluent's serializers and the 2019-09+ drafts): a value
    that does not look like an e-mail address is still a valid string.
    """

    __slots__ = (
        "_canonical",
        "_fast",
        "_fingerprint",
        "_text",
        "draft",
        "registry",
        "schema",
        "validator",
    )

    def __init__(self, text: str, schema: Any, draft: type[Validator]) -> None:
        self._text = text
        self.schema: Any = schema
        self.draft = draft
        self._canonical = json.dumps(
            schema, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        self._fingerprint = hashlib.sha256(self._canonical.encode("utf-8")).hexdigest()
        self.registry = _build_registry(schema, draft)
        _check_refs(schema, draft, self.registry)
        self.validator: Validator = draft(schema, registry=self.registry)
        # The validity check on the hot path; python-jsonschema still locates every problem.
        self._fast = fast_validator(schema, draft)

    @property
    def schema_type(self) -> SchemaType:
        return SchemaType.JSON

    @property
    def text(self) -> str:
        return self._text

    @property
    def canonical(self) -> str:
        return self._canonical

    @property
    def fingerprint(self) -> str:
        return self._fingerprint

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JsonSchema) and other._canonical == self._canonical

    def __hash__(self) -> int:
        return hash(self._fingerprint)

    def __repr__(self) -> str:
        return f"JsonSchema({self._canonical[:80]!r})"

    def validate(self, message: object) -> list[Finding]:
        fast = self._fast
        if fast is not None and _is_plain(message):
            try:
                if fast.is_valid(message):
                    return []
            except Exception:  # noqa: S110 - e.g. a lone surrogate: python-jsonschema decides
                pass
        return self.explain(message)

    @property
    def has_fast_path(self) -> bool:
        """Whether valid plain-JSON messages are recognised by jsonschema_rs (see fast_validator)."""
        return self._fast is not None

    def explain(self, message: object) -> list[Finding]:
        """Every located problem of `message`, by python-jsonschema alone (the engine's verdict)."""
        findings: list[Finding] = []
        # jsonschema yields one `required` error per missing name, in the order of the list.
        missing_seen: dict[tuple[object, ...], int] = {}
        for error in self.validator.iter_errors(cast(Any, message)):
            tokens: tuple[str | int, ...] = tuple(error.absolute_path)
            if error.validator == "required" and isinstance(error.instance, dict):
                key: tuple[object, ...] = (*tokens, *error.absolute_schema_path)
                missing = [
                    name
                    for name in cast(list[str], error.validator_value)
                    if name not in error.instance
                ]
                index = missing_seen.get(key, 0)
                missing_seen[key] = index + 1
                if index < len(missing):
                    findings.append(
                        Finding(
                            kind=FindingKind.MISSING_FIELD,
                            path=(*tokens, missing[index]),
                            message=f"the required property {missing[index]!r} is missing",
                            keyword="required",
                            field=missing[index],
                        )
                    )
                    continue
            keyword = str(error.validator)
            findings.append(
                Finding(
                    kind=_VALIDATION_KINDS.get(keyword, FindingKind.CONSTRAINT_VIOLATED),
                    path=tokens,
                    message=_sentence(error),
                    keyword=keyword,
                )
            )
        return findings

    def encode(self, message: object, *, encoding: Encoding = "binary") -> bytes:
        _check_encoding(encoding)
        try:
            text = json.dumps(message, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise EncodingError(f"the message cannot be written as JSON: {exc}") from exc
        return text.encode("utf-8")

    def decode(
        self, data: bytes, *, encoding: Encoding = "binary", reader: ParsedSchema | None = None
    ) -> object:
        """Parse a JSON payload. With `reader`, the document must also be valid under the reader.

        JSON has no projection: the document is returned whole, since a reader with an open content
        model is entitled to see properties it does not declare.
        """
        _check_encoding(encoding)
        try:
            document = json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
        except (UnicodeDecodeError, ValueError) as exc:
            raise EncodingError(f"the payload is not UTF-8 JSON: {exc}") from exc
        if reader is not None:
            if not isinstance(reader, JsonSchema):
                raise EncodingError(
                    f"a JSON payload cannot be read with a {reader.schema_type} reader schema"
                )
            problems = reader.validate(document)
            if problems:
                details = "; ".join(str(p) for p in problems[:5])
                raise EncodingError(f"the payload is not valid under the reader schema: {details}")
        return document


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _check_encoding(encoding: str) -> None:
    if encoding not in ("binary", "json"):
        raise EncodingError(f"unknown encoding {encoding!r}; use 'binary' or 'json'")


class JsonSchemaFormat:
    """The JSON Schema format; use the `JSON_SCHEMA` instance."""

    schema_type = SchemaType.JSON

    def parse(self, text: str) -> JsonSchema:
        try:
            schema = json.loads(text, parse_constant=_reject_constant)
        except ValueError as exc:
            raise InvalidSchema(f"the schema is not valid JSON: {exc}", "/") from None
        if not isinstance(schema, dict | bool):
            raise InvalidSchema(
                f"a JSON Schema is an object or a boolean, not {type(schema).__name__}", "/"
            )
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
            if isinstance(sub, dict) and isinstance(sub.get("pattern"), str):
                try:
                    re.compile(sub["pattern"])
                except re.error as exc:
                    raise InvalidSchema(
                        f"pattern {sub['pattern']!r} is not a valid regular expression: {exc}",
                        join_pointer([*path, "pattern"]),
                    ) from None
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


def _draft_name(draft: type[Validator]) -> str:
    names: dict[type[Validator], str] = {
        Draft4Validator: "draft 4",
        Draft6Validator: "draft 6",
        Draft7Validator: "draft 7",
        Draft201909Validator: "draft 2019-09",
        Draft202012Validator: "draft 2020-12",
    }
    return names.get(draft, "JSON Schema")


JSON_SCHEMA = JsonSchemaFormat()
