"""The parsed Avro schema: fingerprint, depth bound, compiled checks, validate, encode and decode."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import Any

import fastavro
import fastavro.schema

from contracts.avro.canonical import _canonical, _has_named
from contracts.avro.checks import Check, _compile
from contracts.avro.codec import _encoding_of, _to_json, decode_payload
from contracts.avro.defaults import _fastavro_defaults
from contracts.avro.fast_check import _Generator
from contracts.avro.model import Array, AvroType, Map, Named, Record, Union
from contracts.avro.problems import _problems
from contracts.errors import EncodingError, InvalidSchema, MessageRejected
from contracts.findings import Finding, FindingKind, Location
from contracts.formats import Encoding, ParsedSchema, SchemaType
from contracts.limits import MAX_DEPTH, depth_sentence, too_deep

# Bound once: encode() runs per published message, and module attribute look-ups add up there.
_BytesIO = io.BytesIO
_write_binary = fastavro.schemaless_writer


def _children(node: AvroType) -> Sequence[AvroType]:
    if isinstance(node, Record):
        return [f.type for f in node.fields]
    if isinstance(node, Array):
        return [node.items]
    if isinstance(node, Map):
        return [node.values]
    if isinstance(node, Union):
        return node.branches
    return ()


def _type_depth(root: AvroType) -> tuple[int, Location, bool]:
    """(how deeply the types nest with named references followed, the pointer of the deepest type,
    whether a named type contains itself). Iterative: a hostile schema cannot exhaust the stack."""
    done: dict[int, tuple[int, Location]] = {}
    active: set[int] = set()
    recursive = False
    # Each frame: the node, its remaining children, and [deepest depth below it, where].
    stack: list[tuple[AvroType, Iterator[AvroType], list[Any]]] = []
    active.add(id(root))
    stack.append((root, iter(_children(root)), [1, root.pointer]))
    while stack:
        node, remaining, best = stack[-1]
        child = next(remaining, None)
        if child is None:
            stack.pop()
            active.discard(id(node))
            done[id(node)] = (best[0], best[1])
            if stack and best[0] + 1 > stack[-1][2][0]:
                stack[-1][2][:] = [best[0] + 1, best[1]]
            continue
        if id(child) in active:
            recursive = True  # a cycle: its depth is the message's, bounded when validated
            continue
        known = done.get(id(child))
        if known is not None:
            if known[0] + 1 > best[0]:
                best[:] = [known[0] + 1, known[1]]
            continue
        active.add(id(child))
        stack.append((child, iter(_children(child)), [1, child.pointer]))
    depth, where = done[id(root)]
    return depth, where, recursive


def _too_deep_finding(message: object) -> Finding | None:
    where = too_deep(message)
    if where is None:
        return None
    return Finding(FindingKind.TOO_DEEP, tuple(where), depth_sentence("the message"))


class AvroSchema:
    """A parsed Avro schema: immutable, compared and hashed by fingerprint; everything the hot paths
    need is derived once here. Build it with `AVRO.parse`, not directly."""

    schema_type = SchemaType.AVRO
    encodings: tuple[Encoding, ...] = ("binary", "json")

    def __init__(self, text: str, root: AvroType, named: dict[str, Named]) -> None:
        self._text = text
        self.root = root
        self.named = named
        depth, where, self.recursive = _type_depth(root)
        if depth > MAX_DEPTH:
            raise InvalidSchema(
                depth_sentence(f"the schema's types ({depth} levels, named types followed)"),
                where,
            )
        self.canonical_json = _canonical(root, set(), "")
        self._canonical = json.dumps(
            self.canonical_json, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        self._fingerprint = hashlib.sha256(self._canonical.encode()).hexdigest()
        try:
            spec = json.loads(self._canonical)
            # The write hint marks the dict as parsed, so fastavro does not parse it per message.
            self.fastavro_schema: Any = fastavro.parse_schema(spec)
        except Exception as exc:  # any fastavro refusal is a schema Accord cannot serve
            raise InvalidSchema(f"fastavro cannot use this schema: {exc}") from exc
        records = {n: t for n, t in named.items() if isinstance(t, Record)}
        _fastavro_defaults(self.fastavro_schema, records)
        if isinstance(self.fastavro_schema, dict):
            for named_spec in self.fastavro_schema.get("__named_schemas", {}).values():
                _fastavro_defaults(named_spec, records)
        for record in records.values():
            for entry in record.fields:
                if not _has_named(entry.type):
                    entry.signature = json.dumps(_canonical(entry.type, set(), ""), sort_keys=True)
        self._checks: dict[int, Check] = {}
        _compile(root, self._checks)  # per-type checks, for explaining a rejected message
        self._check = _Generator(self._checks).compile(root)
        # Filled by contracts.avro.compatibility: findings per writer fingerprint, this as reader.
        self.compat_cache: dict[str, tuple[Finding, ...]] = {}

    @property
    def text(self) -> str:
        return self._text

    @property
    def canonical(self) -> str:
        return self._canonical

    @property
    def fingerprint(self) -> str:
        return self._fingerprint

    @cached_property
    def parsing_canonical_form(self) -> str:
        """Avro's Parsing Canonical Form (drops doc, defaults, aliases): what the wire needs."""
        return str(fastavro.schema.to_parsing_canonical_form(json.loads(self._canonical)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AvroSchema) and other._fingerprint == self._fingerprint

    def __hash__(self) -> int:
        return hash(self._fingerprint)

    def __repr__(self) -> str:
        return f"AvroSchema({self._canonical[:80]!r})"

    def is_valid(self, message: object) -> bool:
        """The compiled check alone: True when `validate` would return []."""
        return self._check(message)

    def validate(self, message: object) -> list[Finding]:
        # Only a recursive schema admits messages deeper than itself (bounded by MAX_DEPTH).
        if self.recursive and (deep := _too_deep_finding(message)) is not None:
            return [deep]
        if self._check(message):
            return []
        return self.explain(message)

    def explain(self, message: object) -> list[Finding]:
        """Every problem of `message`, found without the compiled fast check (slower; `validate`
        calls it only for a rejected message). A property test holds the two views equal."""
        if self.recursive and (deep := _too_deep_finding(message)) is not None:
            return [deep]
        out: list[Finding] = []
        _problems(self.root, message, (), self._checks, out)
        return out

    def encode(self, message: object, *, encoding: Encoding | None = None) -> bytes:
        encoding = _encoding_of(encoding)
        if self.recursive:
            findings = self.validate(message)
            if findings:
                raise MessageRejected(findings)
        elif not self._check(message):
            raise MessageRejected(self.explain(message))
        try:
            if encoding == "binary":
                buffer = _BytesIO()
                _write_binary(buffer, self.fastavro_schema, message)
                return buffer.getvalue()
            document = _to_json(self.root, message, self._checks)
            return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
        except Exception as exc:  # validated, so this is a fastavro limit: say so, do not leak
            raise EncodingError(f"fastavro could not encode the message: {exc}") from exc

    def decode(
        self,
        data: bytes,
        *,
        encoding: Encoding | None = None,
        reader: ParsedSchema | None = None,
    ) -> object:
        if reader is not None and not isinstance(reader, AvroSchema):
            raise EncodingError("an Avro payload can only be read with an Avro reader schema")
        return decode_payload(self, data, encoding=encoding, reader=reader)
