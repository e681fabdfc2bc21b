"""The whole topology picture: producer team -> topic -> subscriptions -> consumer teams, from the same two sides as the plan."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from registry.pubsub.topology import (
    Naming,
    Problem,
    PubSubState,
    RegistryTopic,
    Uncontracted,
    plan,
)


@dataclass(frozen=True, slots=True)
class SubscriptionView:
    """A contracted team's subscription: the one the template names, existing or not yet."""

    subscription: str
    team: str
    contract_version: int
    exists: bool
    ack_deadline_seconds: int | None
    dead_letter_topic: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "subscription": self.subscription,
            "team": self.team,
            "contractVersion": self.contract_version,
            "exists": self.exists,
            "ackDeadlineSeconds": self.ack_deadline_seconds,
            "deadLetterTopic": self.dead_letter_topic,
        }


@dataclass(frozen=True, slots=True)
class TopicView:
    topic: str
    live_versions: tuple[int, ...]
    exists: bool
    subscriptions: tuple[SubscriptionView, ...]
    uncontracted: tuple[Uncontracted, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "liveVersions": list(self.live_versions),
            "exists": self.exists,
            "subscriptions": [s.to_dict() for s in self.subscriptions],
            "uncontractedSubscriptions": [u.to_dict() for u in self.uncontracted],
        }


@dataclass(frozen=True, slots=True)
class ProducerView:
    team: str | None  # None: a topic with no owner team (written while auth was off)
    topics: tuple[TopicView, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"team": self.team, "topics": [t.to_dict() for t in self.topics]}


@dataclass(frozen=True, slots=True)
class Topology:
    producers: tuple[ProducerView, ...]
    problems: tuple[Problem, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "producers": [p.to_dict() for p in self.producers],
            "problems": [p.to_dict() for p in self.problems],
        }


def topology(topics: Iterable[RegistryTopic], pubsub: PubSubState, naming: Naming) -> Topology:
    """Producer team -> topic -> subscriptions -> consumer teams (with contract versions), and
    the subscriptions no contract covers, as they stand now."""
    ordered = sorted(topics, key=lambda t: t.name)
    found = plan(ordered, pubsub, naming)
    by_name = {s.name: s for s in pubsub.subscriptions}
    uncontracted: dict[str, list[Uncontracted]] = {}
    for item in found.uncontracted:
        uncontracted.setdefault(item.topic, []).append(item)
    producers: dict[str | None, list[TopicView]] = {}
    for topic in ordered:
        views = []
        for contract in sorted(topic.contracts, key=lambda c: c.team):
            name = naming.subscription(topic.name, contract.team)
            existing = by_name.get(name)
            on_topic = existing is not None and existing.topic == topic.name
            views.append(
                SubscriptionView(
                    subscription=name,
                    team=contract.team,
                    contract_version=contract.version,
                    exists=on_topic,
                    ack_deadline_seconds=existing.ack_deadline_seconds
                    if existing and on_topic
                    else None,
                    dead_letter_topic=existing.dead_letter.topic
                    if existing and on_topic and existing.dead_letter
                    else None,
                )
            )
        producers.setdefault(topic.owner, []).append(
            TopicView(
                topic=topic.name,
                live_versions=topic.live_versions,
                exists=topic.name in pubsub.topics,
                subscriptions=tuple(views),
                uncontracted=tuple(uncontracted.get(topic.name, ())),
            )
        )
    return Topology(
        producers=tuple(
            ProducerView(team, tuple(views))
            for team, views in sorted(producers.items(), key=lambda item: item[0] or "")
        ),
        problems=found.problems,
    )
