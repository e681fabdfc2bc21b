"""What use cases hand back to routers, and the proposal registration checks inspect."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from contracts import CompatibilityLevel, CompatibilityPolicy, ParsedSchema, VersionedSchema
from contracts.consumers import ConsumerContract
from registry.principal import Principal


class Mode(StrEnum):
    """A registry's or topic's mode, as Confluent names them."""

    READWRITE = "READWRITE"
    READONLY = "READONLY"
    # Set globally, it wins over every topic's own mode.
    READONLY_OVERRIDE = "READONLY_OVERRIDE"
    # Registration may choose ids and versions (migrating from another registry).
    IMPORT = "IMPORT"

    @property
    def read_only(self) -> bool:
        return self in (Mode.READONLY, Mode.READONLY_OVERRIDE)


# Ids and versions are Java ints on the Confluent wire: the one definition of their upper bound.
MAX_INT = 2**31 - 1


@dataclass(frozen=True, slots=True)
class StoredSchema:
    """A schema by its global id; immutable once stored."""

    id: int
    schema_type: str
    text: str
    fingerprint: str


@dataclass(frozen=True, slots=True)
class SubjectVersion:
    """Version `version` of `subject` and the schema it points at."""

    subject: str
    version: int
    schema: StoredSchema
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class EffectiveConfig:
    """A subject's compatibility level and JSON Schema policy after inheriting global defaults."""

    level: CompatibilityLevel
    policy: CompatibilityPolicy


@dataclass(frozen=True, slots=True)
class ProposedVersion:
    """A schema proposed for a topic, with the snapshot of the topic it is judged against: what
    every check in `RegistryContext.registration_checks` sees. Checks run outside any transaction
    (on a snapshot the registration re-verifies before it inserts), so they hold no lock."""

    principal: Principal
    subject: str
    schema: ParsedSchema
    live_versions: tuple[VersionedSchema, ...]
    contracts: tuple[ConsumerContract, ...]
    config: EffectiveConfig
    incompatible_error_code: int
