"""Typed answers of the registry's Pub/Sub endpoints (status, sync, cutover)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clients._extensions import _object, _optional, _required


def _ints(body: Mapping[str, Any], name: str) -> tuple[int, ...]:
    values = body.get(name) or []
    if not isinstance(values, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in values
    ):
        raise ValueError(f"{name!r} must be a list of integers, got {values!r:.80}")
    return tuple(values)


def _texts(body: Mapping[str, Any], name: str) -> tuple[str, ...]:
    values = body.get(name) or []
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"{name!r} must be a list of strings, got {values!r:.80}")
    return tuple(values)


@dataclass(frozen=True, slots=True)
class PubSubTopicStatus:
    """One topic in Pub/Sub as the registry sees it: what Pub/Sub accepts, what is owed, drift."""

    topic: str
    schema_type: str | None
    enforceable: bool
    note: str | None
    revisions_policy: str
    encoding: str
    schema: str | None
    generation: int | None
    accepted_versions: tuple[int, ...]
    revisions: tuple[Mapping[str, Any], ...]
    last_sync: str | None
    pending: Mapping[str, Any] | None
    pending_cutover: tuple[int, ...]
    refused_versions: tuple[int, ...]
    forecast: tuple[str, ...]
    error: str | None
    drift: tuple[str, ...]
    body: Mapping[str, Any]

    @classmethod
    def from_json(cls, body: object) -> PubSubTopicStatus:
        data = _object(body, "a topic's Pub/Sub status")
        revisions = data.get("revisions") or []
        if not isinstance(revisions, list) or not all(isinstance(r, dict) for r in revisions):
            raise ValueError(f"'revisions' must be a list of objects, got {revisions!r:.80}")
        pending = data.get("pending")
        if pending is not None and not isinstance(pending, dict):
            raise ValueError(f"'pending' must be an object, got {pending!r:.80}")
        return cls(
            topic=_required(data, "topic", str),
            schema_type=_optional(data, "schemaType", str),
            enforceable=_required(data, "enforceable", bool),
            note=_optional(data, "note", str),
            revisions_policy=_required(data, "pubsubRevisions", str),
            encoding=_required(data, "pubsubEncoding", str),
            schema=_optional(data, "schema", str),
            generation=_optional(data, "generation", int),
            accepted_versions=_ints(data, "acceptedVersions"),
            revisions=tuple(revisions),
            last_sync=_optional(data, "lastSync", str),
            pending=pending,
            pending_cutover=_ints(data, "pendingCutover"),
            refused_versions=_ints(data, "refusedVersions"),
            forecast=_texts(data, "forecast"),
            error=_optional(data, "error", str),
            drift=_texts(data, "drift"),
            body=dict(data),
        )

    def to_json(self) -> dict[str, Any]:
        return dict(self.body)


@dataclass(frozen=True, slots=True)
class PubSubStatus:
    """`GET /pubsub/status`: whether enforcement is on, and every topic."""

    enabled: bool
    project: str | None
    drift_checked: bool
    pubsub_error: str | None
    topics: tuple[PubSubTopicStatus, ...]

    @classmethod
    def from_json(cls, body: object) -> PubSubStatus:
        data = _object(body, "the Pub/Sub status")
        topics = data.get("topics") or []
        if not isinstance(topics, list):
            raise ValueError(f"'topics' must be a list, got {topics!r:.80}")
        return cls(
            enabled=_required(data, "enabled", bool),
            project=_optional(data, "project", str),
            drift_checked=bool(data.get("driftChecked", False)),
            pubsub_error=_optional(data, "pubsubError", str),
            topics=tuple(PubSubTopicStatus.from_json(t) for t in topics),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "project": self.project,
            "driftChecked": self.drift_checked,
            "pubsubError": self.pubsub_error,
            "topics": [t.to_json() for t in self.topics],
        }


@dataclass(frozen=True, slots=True)
class PubSubSyncReport:
    """`POST /pubsub/sync`: topics synced, failed (topic, error), repaired, still owed."""

    synced: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]
    repaired: tuple[str, ...]
    waiting: tuple[str, ...]

    @classmethod
    def from_json(cls, body: object) -> PubSubSyncReport:
        data = _object(body, "a sync report")
        failed = data.get("failed") or []
        if not isinstance(failed, list):
            raise ValueError(f"'failed' must be a list, got {failed!r:.80}")
        return cls(
            synced=_texts(data, "synced"),
            failed=tuple(
                (_required(_object(f, "a failure"), "topic", str), _required(f, "error", str))
                for f in failed
            ),
            repaired=_texts(data, "repaired"),
            waiting=_texts(data, "waiting"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "synced": list(self.synced),
            "failed": [{"topic": t, "error": e} for t, e in self.failed],
            "repaired": list(self.repaired),
            "waiting": list(self.waiting),
        }


@dataclass(frozen=True, slots=True)
class PubSubCutover:
    """`POST /pubsub/topics/{topic}/cutover`: the generation the topic moves to, and what changes."""

    topic: str
    from_generation: int | None
    to_generation: int
    accepted_versions: tuple[int, ...]
    refused_versions: tuple[int, ...]

    @classmethod
    def from_json(cls, body: object) -> PubSubCutover:
        data = _object(body, "a cutover")
        return cls(
            topic=_required(data, "topic", str),
            from_generation=_optional(data, "fromGeneration", int),
            to_generation=_required(data, "toGeneration", int),
            accepted_versions=_ints(data, "acceptedVersions"),
            refused_versions=_ints(data, "refusedVersions"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "fromGeneration": self.from_generation,
            "toGeneration": self.to_generation,
            "acceptedVersions": list(self.accepted_versions),
            "refusedVersions": list(self.refused_versions),
        }
