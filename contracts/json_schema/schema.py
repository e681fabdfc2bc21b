"""The parsed JSON Schema: canonical text, fingerprint, validate, explain, encode and decode."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any, cast

from jsonschema.protocols import Validator

from contracts import patterns
from contracts.errors import EncodingError, MessageRejected
from contracts.findings import Finding, FindingKind
from contracts.formats import (
    Encoding,
    ParsedSchema,
    SchemaType,
)
from contracts.json_schema.explain import _VALIDATION_KINDS, _sentence, _where
from contracts.json_schema.fast_path import fast_validator
from contracts.json_schema.json_values import json_value_problems
from contracts.json_schema.refs import _build_registry, _check_depth, _check_refs
from contracts.json_schema.safe_patterns import SAFE_DRAFTS
from contracts.limits import depth_sentence, too_deep


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
