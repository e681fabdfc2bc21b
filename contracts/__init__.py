"""Accord's pure core: schema formats, compatibility, consumer contracts and their reports.

No network, database or web framework is imported here (tests/test_architecture.py checks it).
"""

# The one version source: pyproject.toml reads it (setuptools dynamic version), `accord --version`
# prints it.
__version__ = "0.1.0"

from contracts.compatibility import (
    CompatibilityLevel,
    VersionedSchema,
    check_compatibility,
    check_pair,
)
from contracts.errors import (
    ContractsError,
    EncodingError,
    InvalidSchema,
    MessageRejected,
    UnsupportedSchemaType,
)
from contracts.findings import CompatibilityResult, Finding, FindingKind
from contracts.formats import (
    CompatibilityPolicy,
    Encoding,
    ParsedSchema,
    SchemaFormat,
    SchemaType,
    get_format,
    guess_schema_type,
    parse_schema,
    register_format,
)
from contracts.limits import MAX_DEPTH

__all__ = [
    "MAX_DEPTH",
    "CompatibilityLevel",
    "CompatibilityPolicy",
    "CompatibilityResult",
    "ContractsError",
    "Encoding",
    "EncodingError",
    "Finding",
    "FindingKind",
    "InvalidSchema",
    "MessageRejected",
    "ParsedSchema",
    "SchemaFormat",
    "SchemaType",
    "UnsupportedSchemaType",
    "VersionedSchema",
    "check_compatibility",
    "check_pair",
    "get_format",
    "guess_schema_type",
    "parse_schema",
    "register_format",
]
