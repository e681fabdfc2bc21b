"""What teams run: the registry client, the validating Pub/Sub publisher, the decoder and the CLI."""

from clients._cache import RegisteredSchema
from clients._extensions import (
    AuditEntry,
    FieldReaders,
    IssuedToken,
    RegisteredContract,
    Team,
    TeamToken,
    TopicConfig,
    TopicOwner,
)
from clients._registry import CompatibilityReport, RegistryClient
from clients._topology import Topology, TopologyPlan
from clients.decoder import MessageDecoder
from clients.errors import (
    AccordError,
    ContractViolation,
    DecodeError,
    IncompatibleSchema,
    InvalidArgument,
    InvalidMessage,
    InvalidSchemaError,
    NotAuthorized,
    PublishFailed,
    RegistryError,
    RegistryUnavailable,
    SchemaNotFound,
    UnknownTopic,
)
from clients.publisher import (
    ATTR_ENCODING,
    ATTR_SCHEMA_ID,
    ATTR_SCHEMA_TYPE,
    ATTR_SCHEMA_VERSION,
    ATTR_TOPIC,
    ValidatingPublisher,
)

__all__ = [
    "ATTR_ENCODING",
    "ATTR_SCHEMA_ID",
    "ATTR_SCHEMA_TYPE",
    "ATTR_SCHEMA_VERSION",
    "ATTR_TOPIC",
    "AccordError",
    "AuditEntry",
    "CompatibilityReport",
    "ContractViolation",
    "DecodeError",
    "FieldReaders",
    "IncompatibleSchema",
    "InvalidArgument",
    "InvalidMessage",
    "InvalidSchemaError",
    "IssuedToken",
    "MessageDecoder",
    "NotAuthorized",
    "PublishFailed",
    "RegisteredContract",
    "RegisteredSchema",
    "RegistryClient",
    "RegistryError",
    "RegistryUnavailable",
    "SchemaNotFound",
    "Team",
    "TeamToken",
    "TopicConfig",
    "TopicOwner",
    "Topology",
    "TopologyPlan",
    "UnknownTopic",
    "ValidatingPublisher",
]
