"""What use cases hand back to routers, and the proposal registration checks inspect."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from contracts import CompatibilityLevel, CompatibilityPolicy, ParsedSchema, VersionedSchema
from registry.principal import Principal


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
    """A registration about to be inserted: what every check in
    `RegistryContext.registration_checks` sees. Checks run in the same transaction as the insert."""

    session: Session
    principal: Principal
    subject: str
    schema: ParsedSchema
    live_versions: tuple[VersionedSchema, ...]
    config: EffectiveConfig
    incompatible_error_code: int
