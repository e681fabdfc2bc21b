"""JSON Schema as an Accord format: parse (drafts 4, 6, 7, 2019-09, 2020-12), canonical form, validate, encode."""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
import types
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
    validators,
)
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from referencing._core import Resolver

from contracts import patterns
from contracts.errors import EncodingError, InvalidSchema, MessageRejected
from contracts.findings import Finding, FindingKind, Location
from contracts.formats import (
    CompatibilityPolicy,
    Encoding,
    ParsedSchema,
    SchemaType,
    register_format,
)
from contracts.limits import MAX_DEPTH, depth_sentence, too_deep

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
    """Every `$ref` (and the draft's `$dynamicRef` or `$recursiveRef`) must resolve inside the
    schema itself; remote references are refused."""
    keywords = tuple(k for k in ("$ref", "$dynamicRef", "$recursiveRef") if k in draft.VALIDATORS)
    _walk_refs(
        schema, (), specification_for(draft), registry.resolver(root_uri(schema, draft)), keywords
    )


def _walk_refs(
    schema: Any,
    path: tuple[str, ...],
    specification: referencing.Specification[Any],
    resolver: Resolver[Any],
    keywords: tuple[str, ...],
) -> None:
    if not isinstance(schema, dict):
        return
    resolver = resolver.in_subresource(specification.create_resource(schema))
    # $dynamicRef and $recursiveRef resolve like $ref when first met; a remote one would make the
    # validator fetch (and fail) at validation time, so it is refused here like a remote $ref.
    for keyword in keywords:
        ref = schema.get(keyword)
        if not isinstance(ref, str):
            continue
        try:
            resolver.lookup(ref)
        except referencing.exceptions.Unresolvable:
            where = join_pointer([*path, keyword])
            if ref.startswith("#"):
                raise InvalidSchema(
                    f"{keyword} {ref!r} points at nothing in this schema; define it under $defs "
                    "or definitions",
                    where,
                ) from None
            raise InvalidSchema(
                f"{keyword} {ref!r} refers to another document; Accord never fetches schemas "
                "over the network, so put the definition under $defs (or definitions) in this "
                "schema",
                where,
            ) from None
    for child_path, child in children(schema, path):
        _walk_refs(child, child_path, specification, resolver, keywords)


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


# Keywords that apply their subschema to the same instance: a cycle through these alone (and $ref)
# never reaches the end of the message, so validation would recurse forever.
_IN_PLACE = frozenset(
    {"allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "dependencies"}
)
_REF_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")
_Edge = tuple[Any, Resolver[Any], tuple[str, ...], bool]  # subschema, resolver, path, in place


def _edges(
    schema: Any,
    path: tuple[str, ...],
    specification: referencing.Specification[Any],
    resolver: Resolver[Any],
) -> list[_Edge]:
    """The subschemas `schema` applies or holds, and what its references point at."""
    if not isinstance(schema, dict):
        return []
    resolver = resolver.in_subresource(specification.create_resource(schema))
    out: list[_Edge] = []
    for keyword in _REF_KEYWORDS:
        ref = schema.get(keyword)
        if isinstance(ref, str):
            try:
                resolved = resolver.lookup(ref)
            except referencing.exceptions.Unresolvable:
                continue  # $ref was checked already; a dynamic one may have no static target
            out.append((resolved.contents, resolved.resolver, (*path, keyword), True))
    for child_path, child in children(schema, path):
        keyword = child_path[len(path)]
        out.append((child, resolver, child_path, keyword in _IN_PLACE))
    return out


def _check_depth(schema: Any, draft: type[Validator], registry: referencing.Registry[Any]) -> None:
    """Subschemas nest at most MAX_DEPTH deep with references followed (a reference back to a
    schema being walked is recursion, bounded by the message), and no cycle of references and
    in-place keywords (allOf, not, if…) exists, since validation would never leave it.
    Iterative, with the height below each subschema remembered: linear in the schema's size."""
    specification = specification_for(draft)
    where = {id(sub): sub_path for sub_path, sub in subschemas(schema)}
    for in_place_only in (True, False):
        height: dict[int, int] = {}  # subschema -> levels below and including it
        active: set[int] = set()
        # Frames: (subschema, its remaining edges, [deepest height below it so far]).
        stack: list[tuple[Any, Iterator[_Edge], list[int]]] = []
        resolver = registry.resolver(root_uri(schema, draft))
        active.add(id(schema))
        stack.append((schema, iter(_edges(schema, (), specification, resolver)), [1]))
        while stack:
            node, remaining, best = stack[-1]
            edge = next(remaining, None)
            if edge is None:
                stack.pop()
                active.discard(id(node))
                height[id(node)] = best[0]
                if stack:
                    parent = stack[-1][2]
                    parent[0] = max(parent[0], best[0] + 1)
                continue
            child, child_resolver, child_path, in_place = edge
            if in_place_only and not in_place:
                continue
            location = join_pointer(where.get(id(child), child_path))
            if id(child) in active:
                if in_place_only:
                    raise InvalidSchema(
                        "this subschema is reached again through references and in-place "
                        "keywords (allOf, not, if…) alone: validation would never leave the "
                        "cycle, so no message could be checked against it",
                        location,
                    )
                continue  # recursion that descends into the message: bounded by its depth
            known = height.get(id(child))
            if known is None and not isinstance(child, dict):
                known = 1
            below = known if known is not None else 1
            if len(stack) + below > MAX_DEPTH:
                raise InvalidSchema(
                    depth_sentence(
                        f"the schema's subschemas ({len(stack) + below} levels, references "
                        "followed)"
                    ),
                    location,
                )
            if known is not None:
                best[0] = max(best[0], known + 1)
                continue
            active.add(id(child))
            stack.append(
                (child, iter(_edges(child, child_path, specification, child_resolver)), [1])
            )


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


# Python 3.11 refuses to write an int of more digits than this as text (json.dumps raises).
_MAX_INT_DIGITS = sys.get_int_max_str_digits() or 4300
_BIG_INT = 10**_MAX_INT_DIGITS


def _utf8(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
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


def _leaf_problem(value: object) -> tuple[FindingKind, str] | None:
    """(kind, sentence) when a non-container value is not one JSON writes back as itself."""
    kind = type(value)
    if kind is str:
        if _utf8(value):  # type: ignore[arg-type]
            return None
        return (
            FindingKind.ENCODING_FAILED,
            "the string holds a lone surrogate, which UTF-8 JSON cannot carry",
        )
    if kind is int:
        if -_BIG_INT < value < _BIG_INT:
            return None
        return FindingKind.OUT_OF_RANGE, f"the integer has more than {_MAX_INT_DIGITS} digits"
    if kind is float:
        if math.isfinite(value):  # type: ignore[arg-type]
            return None
        return (
            FindingKind.WRONG_TYPE,
            f"{value!r} is not a JSON number (JSON has no NaN or Infinity)",
        )
    if value is None or kind is bool:
        return None
    if kind is tuple:
        hint = "a tuple would be sent as a JSON array: pass a list"
    elif isinstance(value, str | int | float | dict | list):
        base = next(b for b in (bool, str, int, float, dict, list) if isinstance(value, b))
        hint = f"a {base.__name__} subclass is not a plain JSON value: pass {base.__name__}(value)"
    else:
        hint = "JSON has objects, arrays, strings, numbers, booleans and null only"
    return FindingKind.WRONG_TYPE, f"{kind.__name__} is not a JSON value ({hint})"


def json_value_problems(message: object) -> list[Finding]:
    """Everything in `message` that JSON would not send back as the same value: keys that are not
    strings, tuples, NaN/Infinity, subclasses and other types, lone surrogates, and nesting deeper
    than MAX_DEPTH. [] means `json.loads(json.dumps(message)) == message` holds exactly, so what is
    validated is what is sent. Iterative: no message can exhaust the stack here."""
    problems: list[Finding] = []
    stack: list[tuple[object, int, Location]] = [(message, 1, ())]
    while stack:
        value, depth, path = stack.pop()
        kind = type(value)
        if kind is dict:
            entries: Any = value.items()  # type: ignore[attr-defined]
        elif kind is list:
            entries = enumerate(value)  # type: ignore[arg-type]
        else:
            problem = _leaf_problem(value)
            if problem is not None:
                problems.append(Finding(problem[0], path, problem[1]))
            continue
        if depth > MAX_DEPTH:
            problems.append(Finding(FindingKind.TOO_DEEP, path, depth_sentence("the message")))
            continue
        for key, item in entries:
            if kind is dict and type(key) is not str:
                problems.append(
                    Finding(
                        FindingKind.WRONG_TYPE,
                        path,
                        f"the key {key!r} is a {type(key).__name__}: JSON object keys are "
                        "strings, and JSON would send it as a different key",
                    )
                )
                continue
            if kind is dict and not _utf8(key):
                problems.append(
                    Finding(FindingKind.ENCODING_FAILED, path, "a key holds a lone surrogate")
                )
                continue
            item_kind = type(item)
            if item_kind is dict or item_kind is list:
                stack.append((item, depth + 1, (*path, key)))
            elif item_kind is str and item.isascii():
                continue  # the common case, without a call
            else:
                problem = _leaf_problem(item)
                if problem is not None:
                    problems.append(Finding(problem[0], (*path, key), problem[1]))
    problems.reverse()
    return problems


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
        _check_depth(schema, draft, self.registry)
        self.validator: Validator = SAFE_DRAFTS[draft](schema, registry=self.registry)
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

    encodings: tuple[Encoding, ...] = ("json",)

    def validate(self, message: object) -> list[Finding]:
        """Validates the message as the exact JSON value it is sent as: anything JSON would write
        differently (see `json_value_problems`) is a finding, never silently converted."""
        problems = json_value_problems(message)
        if problems:
            return problems
        with patterns.budget():
            fast = self._fast
            if fast is not None:
                try:
                    # A pattern out of budget fails its keyword in jsonschema_rs, which `not`
                    # would turn into "valid": that verdict is never trusted.
                    if fast.is_valid(message) and not patterns.failed():
                        return []
                except Exception:  # noqa: S110 - any doubt: python-jsonschema decides
                    pass
            return self._explain_json(message)

    @property
    def has_fast_path(self) -> bool:
        """Whether valid plain-JSON messages are recognised by jsonschema_rs (see fast_validator)."""
        return self._fast is not None

    def explain(self, message: object) -> list[Finding]:
        """Every located problem of `message`, by python-jsonschema alone (the engine's verdict).

        A pattern that cannot be evaluated (out of budget) ends the search with a finding that
        refuses the message, located at the first value or property name it was matched against.
        """
        return json_value_problems(message) or self._explain_json(message)

    def _explain_json(self, message: object) -> list[Finding]:
        findings: list[Finding] = []
        with patterns.budget():
            try:
                self._errors(message, findings)
            except RecursionError:
                # A schema whose recursion outruns the message (refs within refs): refuse.
                return [Finding(FindingKind.TOO_DEEP, (), depth_sentence("validating the message"))]
            except patterns.PatternNotEvaluated as exc:
                findings.append(
                    Finding(
                        kind=FindingKind.PATTERN_NOT_EVALUATED,
                        path=_where(message, exc.text),
                        message=str(exc),
                        keyword="pattern",
                    )
                )
        return findings

    def _errors(self, message: object, findings: list[Finding]) -> None:
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

    def encode(self, message: object, *, encoding: Encoding | None = None) -> bytes:
        """Compact UTF-8 JSON of a message `validate` accepts; `MessageRejected` otherwise."""
        _check_encoding(encoding)
        findings = self.validate(message)
        if findings:
            raise MessageRejected(findings)
        text = json.dumps(message, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return text.encode("utf-8")

    def decode(
        self,
        data: bytes,
        *,
        encoding: Encoding | None = None,
        reader: ParsedSchema | None = None,
    ) -> object:
        """Parse a JSON payload. With `reader`, the document must also be valid under the reader
        (`MessageRejected` says why not).

        JSON has no projection: the document is returned whole, since a reader with an open content
        model is entitled to see properties it does not declare.
        """
        _check_encoding(encoding)
        try:
            document = json.loads(data.decode("utf-8"), parse_constant=_reject_constant)
        except (UnicodeDecodeError, ValueError) as exc:
            raise EncodingError(f"the payload is not UTF-8 JSON: {exc}") from exc
        except RecursionError:
            raise EncodingError(depth_sentence("the payload")) from None
        if too_deep(document) is not None:
            raise EncodingError(depth_sentence("the payload"))
        if reader is not None:
            if not isinstance(reader, JsonSchema):
                raise EncodingError(
                    f"a JSON payload cannot be read with a {reader.schema_type} reader schema"
                )
            problems = reader.validate(document)
            if problems:
                raise MessageRejected(problems)
        return document


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


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _finite_number(text: str) -> float:
    """A JSON number as a double, refused when a double cannot hold it: `1e400` would otherwise
    become infinity, which no later step (bounds, fractions, JSON output) can represent."""
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"the number {text[:40]} is too large for a double")
    return value


def _check_encoding(encoding: str | None) -> None:
    # "binary" is accepted as a synonym: JSON Schema messages have one encoding, JSON text.
    if encoding not in (None, "binary", "json"):
        raise EncodingError(f"unknown encoding {encoding!r}; JSON Schema payloads are 'json'")


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
register_format(JSON_SCHEMA)
