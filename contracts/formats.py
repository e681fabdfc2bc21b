"""The small interface every schema format implements, and the lookup from schemaType to format.

A format (Avro in `contracts.avro`, JSON Schema in `contracts.json_schema`) parses schema text into a
`ParsedSchema` and answers one compatibility question: can `reader` read everything `writer` allows?
Levels (BACKWARD, FULL_TRANSITIVE…) are defined once on top of that in `contracts.compatibility`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, Protocol, runtime_checkable

from contracts.errors import UnsupportedSchemaType
from contracts.findings import Finding


class SchemaType(StrEnum):
    """The wire names Confluent uses for `schemaType`."""

    AVRO = "AVRO"
    JSON = "JSON"

    @classmethod
    def parse(cls, value: str | None) -> SchemaType:
        """`None` or empty means AVRO, as in Confluent's API; matching ignores case."""
        if not value:
            return cls.AVRO
        try:
            return cls(value.strip().upper())
        except ValueError:
            raise UnsupportedSchemaType(value) from None


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

    def validate(self, message: object) -> list[Finding]:
        """Every problem of `message` against this schema, each located by a path; [] when valid."""
        ...

    def encode(self, message: object, *, encoding: Encoding = "binary") -> bytes:
        """Encode a message that `validate` accepted. JSON Schema topics are always compact UTF-8 JSON."""
        ...

    def decode(
        self, data: bytes, *, encoding: Encoding = "binary", reader: ParsedSchema | None = None
    ) -> object:
        """Decode a payload written with this schema; with `reader`, resolve it into the reader's shape."""
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


def get_format(schema_type: SchemaType | str | None) -> SchemaFormat:
    """The format for a schemaType (None means AVRO)."""
    kind = schema_type if isinstance(schema_type, SchemaType) else SchemaType.parse(schema_type)
    # Imported here so that each format module can import this one without a cycle.
    if kind is SchemaType.AVRO:
        from contracts.avro import AVRO

        return AVRO
    from contracts.json_schema import JSON_SCHEMA

    return JSON_SCHEMA


def parse_schema(schema_type: SchemaType | str | None, text: str) -> ParsedSchema:
    """Parse `text` as a schema of `schema_type`; raises `InvalidSchema` or `UnsupportedSchemaType`."""
    return get_format(schema_type).parse(text)
