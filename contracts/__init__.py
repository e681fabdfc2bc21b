"""Accord's pure core: schema formats, compatibility, consumer contracts and their reports.

No network, database or web framework is imported here (tests/test_architecture.py checks it).
"""

from contracts.compatibility import (
    CompatibilityLevel,
    VersionedSchema,
    check_compatibility,
    check_pair,
)
from contracts.errors import ContractsError, EncodingError, InvalidSchema, UnsupportedSchemaType
from contracts.findings import CompatibilityResult, Finding, FindingKind
from contracts.formats import (
    CompatibilityPolicy,
    Encoding,
    ParsedSchema,
    SchemaFormat,
    SchemaType,
    get_format,
    parse_schema,
)

__all__ = [
    "CompatibilityLevel",
    "CompatibilityPolicy",
    "CompatibilityResult",
    "ContractsError",
    "Encoding",
    "EncodingError",
    "Finding",
    "FindingKind",
    "InvalidSchema",
    "ParsedSchema",
    "SchemaFormat",
    "SchemaType",
    "UnsupportedSchemaType",
    "VersionedSchema",
    "check_compatibility",
    "check_pair",
    "get_format",
    "parse_schema",
]
