"""The small interface every schema format implements, and the lookup from schemaType to format.

A format (Avro in `contracts.avro`, JSON Schema in `contracts.json_schema`) parses schema text into a
`ParsedSchema` and answers one compatibility question: can `reader` read everything `writer` allows?
Levels (BACKWARD, FULL_TRANSITIVE…) are defined once on top of that in `contracts.compatibility`.
"""

from __future__ import annotations

import importlib
import json
from enum import StrEnum
from typing import ClassVar, Literal, Protocol, runtime_checkable

from contracts.errors import UnsupportedSchemaType
from contracts.findings import Finding


class SchemaType(str):
    """The wire name of a schema format, as Confluent's `schemaType` (AVRO, JSON, or a format added
    with `register_format`). One instance per name, so `kind is SchemaType.AVRO` holds; it compares
    equal to its plain string."""

    __slots__ = ()
    _interned: ClassVar[dict[str, SchemaType]] = {}
    AVRO: ClassVar[SchemaType]
    JSON: ClassVar[SchemaType]

    def __new__(cls, value: str) -> SchemaType:
        name = value.strip().upper()
        known = cls._interned.get(name)
        if known is None:
            known = cls._interned.setdefault(name, super().__new__(cls, name))
        return known

    @property
    def value(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"SchemaType.{self}"

    @classmethod
    def parse(cls, value: str | None) -> SchemaType:
        """`None` or empty means AVRO, as in Confluent's API; matching ignores case. A name no
        registered format answers to raises `UnsupportedSchemaType`."""
        if not value:
            return cls.AVRO
        kind = cls(value)
        if kind not in _BUILTIN_FORMATS and kind not in _FORMATS:
            raise UnsupportedSchemaType(value, known=supported_schema_types())
        return kind


SchemaType.AVRO = SchemaType("AVRO")
SchemaType.JSON = SchemaType("JSON")


class CompatibilityPolicy(StrEnum):
    """How JSON Schema content models are judged (Confluent's `compatibilityPolicy`); Avro ignores it.

    STRICT: adding a property to an open content model is incompatible (an old document may already
    carry that property with another type). LENIENT: optional properties may be added to and removed
    from open models, as with Avro fields.
    """

    STRICT = "STRICT"
    LENIENT = "LENIENT"


Encoding = Literal["binary", "json"]


@runtime_checkable
class ParsedSchema(Protocol):
    """A schema that parsed: immutable, hashable by its fingerprint, cheap to reuse."""

    @property
    def schema_type(self) -> SchemaType: ...

    @property
    def text(self) -> str:
        """The schema text as it was given."""
        ...

    @property
    def canonical(self) -> str:
        """A canonical text: the same schema written with other whitespace or key order gives the
        same canonical text. Registry ids are allocated by it."""
        ...

    @property
    def fingerprint(self) -> str:
        """Hex SHA-256 of `canonical`."""
        ...

    @property
    def encodings(self) -> tuple[Encoding, ...]:
        """The payload encodings this format writes and reads; the first is its default."""
        ...

    def validate(self, message: object) -> list[Finding]:
        """Every problem of `message` against this schema, each located by a path; [] when valid.
        Never raises: a message nested deeper than `MAX_DEPTH`, or holding a value the encoding
        cannot write exactly, is a finding like any other."""
        ...

    def explain(self, message: object) -> list[Finding]:
        """The same verdict as `validate`, computed the slow way that locates every problem."""
        ...

    def encode(self, message: object, *, encoding: Encoding | None = None) -> bytes:
        """Validate and encode (`encoding` None means the format's default). Raises
        `MessageRejected` with the findings `validate` returns when it refuses the message, and
        `EncodingError` for an encoding this format does not write; what `validate` accepts always
        encodes, and decodes back to the value that was validated."""
        ...

    def decode(
        self,
        data: bytes,
        *,
        encoding: Encoding | None = None,
        reader: ParsedSchema | None = None,
    ) -> object:
        """Decode a payload written with this schema; with `reader`, in the reader's shape.

        Raises `EncodingError` for a payload that is not a message of this schema (including one
        nested deeper than `MAX_DEPTH`), and `MessageRejected` when `reader` cannot read it."""
        ...


class SchemaFormat(Protocol):
    """One schema language."""

    schema_type: SchemaType

    def parse(self, text: str) -> ParsedSchema:
        """Parse schema text; raises `InvalidSchema` saying what and where."""
        ...

    def check(
        self,
        reader: ParsedSchema,
        writer: ParsedSchema,
        *,
        policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    ) -> list[Finding]:
        """Can `reader` read every message `writer` allows? [] means yes; never a silent yes when
        the format cannot decide (it returns a finding saying safety could not be proven)."""
        ...


# The formats Accord ships, imported on first use (each module registers itself when imported, and
# imports this module, so importing them here would be a cycle).
_BUILTIN_FORMATS: dict[str, str] = {"AVRO": "contracts.avro", "JSON": "contracts.json_schema"}
_FORMATS: dict[str, SchemaFormat] = {}


def register_format(schema_format: SchemaFormat) -> None:
    """Make a format available under its `schema_type` to `get_format`, `parse_schema`, the
    registry and the clients. Registering a name twice replaces the earlier format."""
    _FORMATS[schema_format.schema_type] = schema_format


def supported_schema_types() -> tuple[str, ...]:
    return tuple(sorted({*_BUILTIN_FORMATS, *_FORMATS}))


def get_format(schema_type: SchemaType | str | None) -> SchemaFormat:
    """The format for a schemaType (None means AVRO); `UnsupportedSchemaType` if none answers."""
    kind = SchemaType.parse(schema_type)
    found = _FORMATS.get(kind)
    if found is None:
        importlib.import_module(_BUILTIN_FORMATS[kind])
        found = _FORMATS[kind]
    return found


def parse_schema(schema_type: SchemaType | str | None, text: str) -> ParsedSchema:
    """Parse `text` as a schema of `schema_type`; raises `InvalidSchema` or `UnsupportedSchemaType`."""
    return get_format(schema_type).parse(text)


def guess_schema_type(file_name: str, text: str) -> SchemaType:
    """The format of a schema file from its content, then its extension. Content decides when it
    is clear: Avro is a union (list), a primitive name (string), or an object with Avro's
    `record`/`enum`/`fixed`/`map` or an Avro-only primitive as `type`, or `fields`/`symbols`;
    JSON Schema is a boolean, or an object with `$schema`, `properties`, a JSON-only `type`
    (object, integer, number) or another JSON Schema keyword. Otherwise (or when the text is not
    JSON) `.avsc`/`.avro` is Avro and anything else JSON Schema. The caller puts a topic's
    registered type before this (clients' `schema_type_for`)."""
    by_extension = SchemaType.AVRO if file_name.endswith((".avsc", ".avro")) else SchemaType.JSON
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return by_extension
    if isinstance(document, (list, str)):
        return SchemaType.AVRO
    if isinstance(document, bool):
        return SchemaType.JSON
    if not isinstance(document, dict):
        return by_extension
    declared = document.get("type")
    if "$schema" in document or declared in _JSON_ONLY_TYPES:
        return SchemaType.JSON
    if declared in _AVRO_ONLY_TYPES or "fields" in document or "symbols" in document:
        return SchemaType.AVRO
    if _JSON_SCHEMA_KEYWORDS.intersection(document):
        return SchemaType.JSON
    return by_extension


_AVRO_ONLY_TYPES = frozenset(
    {"record", "enum", "fixed", "error", "map", "int", "long", "float", "double", "bytes"}
)
_JSON_ONLY_TYPES = frozenset({"object", "integer", "number"})
_JSON_SCHEMA_KEYWORDS = frozenset(
    {
        "properties", "required", "additionalProperties", "patternProperties", "$id", "$ref",
        "$defs", "definitions", "allOf", "anyOf", "oneOf", "not", "const", "enum", "if",
    }
)  # fmt: skip
