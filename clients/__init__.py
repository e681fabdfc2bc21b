"""What teams run: the registry client, the validating Pub/Sub publisher, the decoder and the CLI."""

from clients._cache import RegisteredSchema
from clients._registry import CompatibilityReport, RegistryClient
from clients.errors import (
    AccordError,
    ContractViolation,
    DecodeError,
    IncompatibleSchema,
    InvalidMessage,
    InvalidSchemaError,
    RegistryError,
    RegistryUnavailable,
    SchemaNotFound,
    UnknownTopic,
)

__all__ = [
    "AccordError",
    "CompatibilityReport",
    "ContractViolation",
    "DecodeError",
    "IncompatibleSchema",
    "InvalidMessage",
    "InvalidSchemaError",
    "RegisteredSchema",
    "RegistryClient",
    "RegistryError",
    "RegistryUnavailable",
    "SchemaNotFound",
    "UnknownTopic",
]
