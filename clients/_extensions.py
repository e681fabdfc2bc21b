"""Typed answers of Accord's own endpoints (contracts, fields, teams, tokens, audit, owner, config)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from contracts import SchemaType

T = TypeVar("T")

# Each `from_json` raises ValueError naming the field when the body is not the documented shape;
# RegistryClient turns that into a RegistryError, so no KeyError or TypeError reaches a caller.


def _object(body: object, what: str) -> Mapping[str, Any]:
    if not isinstance(body, dict):
        raise ValueError(f"{what} must be a JSON object, got {type(body).__name__}")
    return body


def _required(body: Mapping[str, Any], name: str, kind: type[T]) -> T:
    value = body.get(name)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"{name!r} must be {kind.__name__}, got {value!r:.80}")
    return value


def _optional(body: Mapping[str, Any], name: str, kind: type[T]) -> T | None:
    return None if body.get(name) is None else _required(body, name, kind)


def _time(body: Mapping[str, Any], name: str) -> datetime:
    text = _required(body, name, str)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{name!r} must be an ISO 8601 time, got {text!r:.80}") from None


def _optional_time(body: Mapping[str, Any], name: str) -> datetime | None:
    return None if body.get(name) is None else _time(body, name)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(frozen=True, slots=True)
class RegisteredContract:
    """A version of a consumer team's contract on a topic, as the registry stores it."""

    topic: str
    consumer: str
    version: int
    schema_type: SchemaType
    text: str
    examples: tuple[Any, ...] = ()

    @classmethod
    def from_json(cls, body: object) -> RegisteredContract:
        data = _object(body, "a contract")
        examples = data.get("examples") or []
        if not isinstance(examples, list):
            raise ValueError(f"'examples' must be a list, got {examples!r:.80}")
        return cls(
            topic=_required(data, "subject", str),
            consumer=_required(data, "consumer", str),
            version=_required(data, "version", int),
            schema_type=SchemaType.parse(_required(data, "schemaType", str)),
            text=_required(data, "schema", str),
            examples=tuple(examples),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "subject": self.topic,
            "consumer": self.consumer,
            "version": self.version,
            "schemaType": self.schema_type.value,
            "schema": self.text,
            "examples": list(self.examples),
        }


@dataclass(frozen=True, slots=True)
class MatrixCell:
    """A live producer version against a consumer's current contract: ok, or the failing
    findings as (kind, field)."""

    version: int
    consumer: str
    contract_version: int
    problems: tuple[tuple[str, str | None], ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @classmethod
    def from_json(cls, body: object) -> MatrixCell:
        data = _object(body, "a matrix cell")
        problems = []
        for problem in _required(data, "problems", list):
            item = _object(problem, "a matrix problem")
            problems.append((_required(item, "kind", str), _optional(item, "field", str)))
        return cls(
            version=_required(data, "version", int),
            consumer=_required(data, "consumer", str),
            contract_version=_required(data, "contractVersion", int),
            problems=tuple(problems),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "consumer": self.consumer,
            "contractVersion": self.contract_version,
            "ok": self.ok,
            "problems": [{"kind": k, "field": f} for k, f in self.problems],
        }


@dataclass(frozen=True, slots=True)
class FieldReaders:
    """A field path of a topic's latest schema and the consumer teams whose contracts read it."""

    path: str
    type: str
    required: bool
    consumers: tuple[str, ...]

    @classmethod
    def from_json(cls, body: object) -> FieldReaders:
        data = _object(body, "a field")
        consumers = _required(data, "consumers", list)
        if not all(isinstance(c, str) for c in consumers):
            raise ValueError(f"'consumers' must be a list of names, got {consumers!r:.80}")
        return cls(
            path=_required(data, "path", str),
            type=_required(data, "type", str),
            required=_required(data, "required", bool),
            consumers=tuple(consumers),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "type": self.type,
            "required": self.required,
            "consumers": list(self.consumers),
        }


@dataclass(frozen=True, slots=True)
class Team:
    name: str
    created_at: datetime

    @classmethod
    def from_json(cls, body: object) -> Team:
        data = _object(body, "a team")
        return cls(name=_required(data, "name", str), created_at=_time(data, "createdAt"))

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "createdAt": _iso(self.created_at)}


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A token just issued: `secret` is the whole bearer token, shown in this answer only."""

    id: str
    team: str
    secret: str

    @classmethod
    def from_json(cls, body: object) -> IssuedToken:
        data = _object(body, "an issued token")
        return cls(
            id=_required(data, "id", str),
            team=_required(data, "team", str),
            secret=_required(data, "token", str),
        )

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "team": self.team, "token": self.secret}


@dataclass(frozen=True, slots=True)
class TeamToken:
    """A team's token as listed or revoked: never its secret."""

    id: str
    team: str
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @classmethod
    def from_json(cls, body: object) -> TeamToken:
        data = _object(body, "a token")
        return cls(
            id=_required(data, "id", str),
            team=_required(data, "team", str),
            created_at=_time(data, "createdAt"),
            revoked_at=_optional_time(data, "revokedAt"),
        )

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id,
            "team": self.team,
            "createdAt": _iso(self.created_at),
            "revoked": self.revoked,
        }
        if self.revoked_at is not None:
            body["revokedAt"] = _iso(self.revoked_at)
        return body


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One write: who (`actor`: a team, `admin` or `anonymous`), what, on which topic and target."""

    id: int
    at: datetime
    actor: str
    action: str
    topic: str | None = None
    target: str | None = None
    before: Any = None
    after: Any = None

    @classmethod
    def from_json(cls, body: object) -> AuditEntry:
        data = _object(body, "an audit entry")
        return cls(
            id=_required(data, "id", int),
            at=_time(data, "at"),
            actor=_required(data, "actor", str),
            action=_required(data, "action", str),
            topic=_optional(data, "subject", str),
            target=_optional(data, "target", str),
            before=data.get("before"),
            after=data.get("after"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": _iso(self.at),
            "actor": self.actor,
            "action": self.action,
            "subject": self.topic,
            "target": self.target,
            "before": self.before,
            "after": self.after,
        }


@dataclass(frozen=True, slots=True)
class TopicOwner:
    """The team that owns a topic; None: no owner yet (only an admin changes it)."""

    topic: str
    team: str | None

    @classmethod
    def from_json(cls, body: object) -> TopicOwner:
        data = _object(body, "an owner")
        return cls(topic=_required(data, "subject", str), team=_optional(data, "team", str))

    def to_json(self) -> dict[str, Any]:
        return {"subject": self.topic, "team": self.team}


@dataclass(frozen=True, slots=True)
class TopicConfig:
    """A compatibility level and, for JSON Schema, its policy (STRICT or LENIENT; None if unset)."""

    level: str
    policy: str | None = None
    # The producer versions a consumer contract must read (ALL_LIVE or LATEST; None if unset).
    contract_scope: str | None = None

    @classmethod
    def from_json(cls, body: object) -> TopicConfig:
        data = _object(body, "a config")
        return cls(
            level=_required(data, "compatibilityLevel", str),
            policy=_optional(data, "compatibilityPolicy", str),
            contract_scope=_optional(data, "contractScope", str),
        )

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"compatibilityLevel": self.level}
        if self.policy is not None:
            body["compatibilityPolicy"] = self.policy
        if self.contract_scope is not None:
            body["contractScope"] = self.contract_scope
        return body
