"""Avro: parse with located errors, canonical form, fingerprint, validate, encode and decode."""

from contracts.avro.format import AVRO, AvroFormat
from contracts.avro.model import (
    Array,
    AvroType,
    Enum,
    Field,
    Fixed,
    Map,
    Primitive,
    Record,
    Union,
    describe,
)
from contracts.avro.schema import AvroSchema

__all__ = [
    "AVRO",
    "Array",
    "AvroFormat",
    "AvroSchema",
    "AvroType",
    "Enum",
    "Field",
    "Fixed",
    "Map",
    "Primitive",
    "Record",
    "Union",
    "describe",
]
