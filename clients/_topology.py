"""Typed answers of the registry's Pub/Sub topology endpoints (plan, apply, topology)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clients._extensions import _object, _optional, _required


def _objects(body: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    values = body.get(name)
    if not isinstance(values, list) or not all(isinstance(v, dict) for v in values):
        raise ValueError(f"{name!r} must be a list of objects, got {values!r:.80}")
    return values


@dataclass(frozen=True, slots=True)
class PlannedChange:
    """One change to Pub/Sub: CREATE_TOPIC, CREATE_SUBSCRIPTION, UPDATE_SUBSCRIPTION or
    DELETE_SUBSCRIPTION of `resource`, and why."""

    action: str
    resource: str
    accord_topic: str
    topic: str | None
    team: str | None
    ack_deadline_seconds: int | None
    dead_letter_topic: str | None
    max_delivery_attempts: int | None
    changes: tuple[str, ...]
    reason: str

    @classmethod
    def from_json(cls, body: object) -> PlannedChange:
        data = _object(body, "a planned change")
        changes = data.get("changes") or []
        if not isinstance(changes, list) or not all(isinstance(c, str) for c in changes):
            raise ValueError(f"'changes' must be a list of field names, got {changes!r:.80}")
        return cls(
            action=_required(data, "action", str),
            resource=_required(data, "resource", str),
            accord_topic=_required(data, "accordTopic", str),
            topic=_optional(data, "topic", str),
            team=_optional(data, "team", str),
            ack_deadline_seconds=_optional(data, "ackDeadlineSeconds", int),
            dead_letter_topic=_optional(data, "deadLetterTopic", str),
            max_delivery_attempts=_optional(data, "maxDeliveryAttempts", int),
            changes=tuple(changes),
            reason=_required(data, "reason", str),
        )


@dataclass(frozen=True, slots=True)
class UncontractedSubscription:
    """A subscription on an Accord topic whose team has no contract: Accord cannot protect it."""

    subscription: str
    topic: str
    team: str | None
    managed_by_accord: bool

    @classmethod
    def from_json(cls, body: object) -> UncontractedSubscription:
        data = _object(body, "an uncontracted subscription")
        return cls(
            subscription=_required(data, "subscription", str),
            topic=_required(data, "topic", str),
            team=_optional(data, "team", str),
            managed_by_accord=_required(data, "managedByAccord", bool),
        )


@dataclass(frozen=True, slots=True)
class ContractWithoutSubscription:
    topic: str
    team: str
    contract_version: int
    subscription: str
    reason: str

    @classmethod
    def from_json(cls, body: object) -> ContractWithoutSubscription:
        data = _object(body, "a contract without a subscription")
        return cls(
            topic=_required(data, "topic", str),
            team=_required(data, "team", str),
            contract_version=_required(data, "contractVersion", int),
            subscription=_required(data, "subscription", str),
            reason=_required(data, "reason", str),
        )


@dataclass(frozen=True, slots=True)
class TopologyProblem:
    """Why an Accord topic was left out of the plan, whole (a name Pub/Sub refuses...)."""

    topic: str
    resource: str
    message: str

    @classmethod
    def from_json(cls, body: object) -> TopologyProblem:
        data = _object(body, "a topology problem")
        return cls(
            topic=_required(data, "topic", str),
            resource=_required(data, "resource", str),
            message=_required(data, "message", str),
        )


@dataclass(frozen=True, slots=True)
class TopologyPlan:
    """The difference between the registry and Pub/Sub (from apply: what was made). `body` is the
    registry's answer as it came, for `--format json`."""

    project: str
    prune: bool
    in_sync: bool
    changes: tuple[PlannedChange, ...]
    uncontracted: tuple[UncontractedSubscription, ...]
    unsubscribed: tuple[ContractWithoutSubscription, ...]
    problems: tuple[TopologyProblem, ...]
    body: Mapping[str, Any]

    @classmethod
    def from_json(cls, body: object) -> TopologyPlan:
        data = _object(body, "a topology plan")
        return cls(
            project=_required(data, "project", str),
            prune=_required(data, "prune", bool),
            in_sync=_required(data, "inSync", bool),
            changes=tuple(PlannedChange.from_json(a) for a in _objects(data, "actions")),
            uncontracted=tuple(
                UncontractedSubscription.from_json(u)
                for u in _objects(data, "uncontractedSubscriptions")
            ),
            unsubscribed=tuple(
                ContractWithoutSubscription.from_json(c)
                for c in _objects(data, "contractsWithoutSubscription")
            ),
            problems=tuple(TopologyProblem.from_json(p) for p in _objects(data, "problems")),
            body=data,
        )


@dataclass(frozen=True, slots=True)
class Topology:
    """Producer team -> topic -> subscriptions -> consumer teams, as the registry answers it
    (`producers` keeps the answer's shape; see the README)."""

    project: str
    producers: tuple[Mapping[str, Any], ...]
    problems: tuple[TopologyProblem, ...]
    body: Mapping[str, Any]

    @classmethod
    def from_json(cls, body: object) -> Topology:
        data = _object(body, "a topology")
        producers = _objects(data, "producers")
        for producer in producers:
            for topic in _objects(producer, "topics"):
                _required(topic, "topic", str)
                _objects(topic, "subscriptions")
                _objects(topic, "uncontractedSubscriptions")
        return cls(
            project=_required(data, "project", str),
            producers=tuple(producers),
            problems=tuple(TopologyProblem.from_json(p) for p in _objects(data, "problems")),
            body=data,
        )
