"""The topology plan: a pure function from the registry's topics and contracts and Pub/Sub's resources to the changes that make Pub/Sub match."""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

# Pub/Sub's rule for topic and subscription IDs: a letter first; letters, digits and - _ . ~ + %;
# 3 to 255 characters; never starting with "goog".
_RESOURCE_ID = re.compile(r"[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}")
# Pub/Sub's documented bounds for a subscription.
MIN_ACK_DEADLINE, MAX_ACK_DEADLINE = 10, 600
MIN_DELIVERY_ATTEMPTS, MAX_DELIVERY_ATTEMPTS = 5, 100
# The label on every resource Accord creates: --prune deletes only what carries it.
MANAGED_LABEL = ("managed-by", "accord")
# What Pub/Sub writes as the topic of a subscription whose topic was deleted.
DELETED_TOPIC = "_deleted-topic_"


def resource_id_problem(resource_id: str) -> str | None:
    """Why Pub/Sub would refuse `resource_id` as a topic or subscription ID, or None."""
    if resource_id.startswith("goog"):
        return 'must not start with "goog"'
    if not 3 <= len(resource_id) <= 255:
        return f"must be 3 to 255 characters long (it has {len(resource_id)})"
    if not _RESOURCE_ID.fullmatch(resource_id):
        bad = next((c for c in resource_id if not re.fullmatch(r"[A-Za-z0-9\-_.~+%]", c)), None)
        if bad is not None:
            return (
                f"contains {bad!r} (U+{ord(bad):04X}); only letters, digits and - _ . ~ + % "
                "are allowed"
            )
        return "must start with a letter"
    return None


@dataclass(frozen=True, slots=True)
class Naming:
    """How Accord names what it creates, and how it configures each subscription (settings)."""

    subscription_template: str = "{topic}.{team}"
    dead_letter_template: str = "{subscription}.dead-letter"
    ack_deadline_seconds: int = 60
    max_delivery_attempts: int = 5

    def subscription(self, topic: str, team: str) -> str:
        return self.subscription_template.format(topic=topic, team=team)

    def dead_letter(self, topic: str, team: str) -> str:
        subscription = self.subscription(topic, team)
        return self.dead_letter_template.format(topic=topic, team=team, subscription=subscription)

    def team_of(self, topic: str, subscription: str) -> str | None:
        """The team a subscription of `topic` is named for by the template, if it is."""
        before, _, after = self.subscription_template.partition("{team}")
        prefix, suffix = before.format(topic=topic), after.format(topic=topic)
        if (
            len(subscription) > len(prefix) + len(suffix)
            and subscription.startswith(prefix)
            and subscription.endswith(suffix)
        ):
            return subscription[len(prefix) : len(subscription) - len(suffix)]
        return None


def template_problem(template: str, required: set[str], allowed: set[str]) -> str | None:
    """Why a naming template cannot be used, or None: it must name `required` placeholders and no
    others than `allowed`, each once."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        return f"is not a valid template: {exc}"
    fields = [name for _, name, spec, conversion in parsed if name is not None]
    if any(spec or conversion for _, name, spec, conversion in parsed if name is not None):
        return "may not use format specifications or conversions"
    unknown = sorted(set(fields) - allowed)
    if unknown:
        return f"names {_braced(unknown)}; only {_braced(sorted(allowed))} may be used"
    missing = sorted(required - set(fields))
    if missing:
        return f"must contain {_braced(missing)}"
    if len(fields) != len(set(fields)):
        return "names a placeholder more than once"
    return None


def _braced(names: Iterable[str]) -> str:
    return ", ".join("{" + name + "}" for name in names)


# -- the two sides ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Contract:
    """A consumer team's current contract on a topic."""

    team: str
    version: int


@dataclass(frozen=True, slots=True)
class RegistryTopic:
    """An Accord topic as the plan sees it: live versions or not, its owner, its contracts."""

    name: str
    owner: str | None
    live_versions: tuple[int, ...]
    contracts: tuple[Contract, ...] = ()


@dataclass(frozen=True, slots=True)
class DeadLetterPolicy:
    topic: str  # the dead-letter topic's ID
    max_delivery_attempts: int


@dataclass(frozen=True, slots=True)
class PubSubSubscription:
    """A subscription as Pub/Sub describes it (IDs, not full resource names)."""

    name: str
    topic: str  # the topic's ID, or DELETED_TOPIC
    ack_deadline_seconds: int
    dead_letter: DeadLetterPolicy | None = None
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def managed(self) -> bool:
        return self.labels.get(MANAGED_LABEL[0]) == MANAGED_LABEL[1]


@dataclass(frozen=True, slots=True)
class PubSubState:
    """The topics and subscriptions of the project."""

    topics: frozenset[str]
    subscriptions: tuple[PubSubSubscription, ...]


# -- the plan ------------------------------------------------------------------------------------


class ActionKind(StrEnum):
    CREATE_TOPIC = "CREATE_TOPIC"
    CREATE_SUBSCRIPTION = "CREATE_SUBSCRIPTION"
    UPDATE_SUBSCRIPTION = "UPDATE_SUBSCRIPTION"
    DELETE_SUBSCRIPTION = "DELETE_SUBSCRIPTION"


@dataclass(frozen=True, slots=True)
class Action:
    """One change to Pub/Sub. For subscriptions, `topic` is the topic it reads and the settings
    are the ones it will have; `changes` names the fields an update replaces."""

    kind: ActionKind
    resource: str
    accord_topic: str
    reason: str
    topic: str | None = None
    team: str | None = None
    ack_deadline_seconds: int | None = None
    dead_letter: DeadLetterPolicy | None = None
    changes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.kind.value,
            "resource": self.resource,
            "accordTopic": self.accord_topic,
            "topic": self.topic,
            "team": self.team,
            "ackDeadlineSeconds": self.ack_deadline_seconds,
            "deadLetterTopic": self.dead_letter.topic if self.dead_letter else None,
            "maxDeliveryAttempts": (
                self.dead_letter.max_delivery_attempts if self.dead_letter else None
            ),
            "changes": list(self.changes),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Uncontracted:
    """A subscription on an Accord topic for which no team has a contract: Accord cannot protect
    its readers. `team` is the one its name suggests (by the template), if any."""

    subscription: str
    topic: str
    team: str | None
    managed: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "subscription": self.subscription,
            "topic": self.topic,
            "team": self.team,
            "managedByAccord": self.managed,
        }


@dataclass(frozen=True, slots=True)
class Unsubscribed:
    """A contract with no subscription of its team's (by the template) on Pub/Sub."""

    topic: str
    team: str
    contract_version: int
    subscription: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "topic": self.topic,
            "team": self.team,
            "contractVersion": self.contract_version,
            "subscription": self.subscription,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Problem:
    """Why (part of) an Accord topic cannot be made on Pub/Sub; that topic is left out whole."""

    topic: str
    resource: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"topic": self.topic, "resource": self.resource, "message": self.message}


@dataclass(frozen=True, slots=True)
class Plan:
    actions: tuple[Action, ...]
    uncontracted: tuple[Uncontracted, ...]
    unsubscribed: tuple[Unsubscribed, ...]
    problems: tuple[Problem, ...]
    prune: bool

    @property
    def in_sync(self) -> bool:
        return not self.actions

    def to_dict(self) -> dict[str, Any]:
        return {
            "prune": self.prune,
            "inSync": self.in_sync,
            "actions": [a.to_dict() for a in self.actions],
            "uncontractedSubscriptions": [u.to_dict() for u in self.uncontracted],
            "contractsWithoutSubscription": [u.to_dict() for u in self.unsubscribed],
            "problems": [p.to_dict() for p in self.problems],
        }


def _name_problems(topic: RegistryTopic, naming: Naming) -> list[Problem]:
    """Every name this topic needs that Pub/Sub would refuse."""
    problems = []
    wanted = [("topic", topic.name)]
    for contract in topic.contracts:
        wanted.append(("subscription", naming.subscription(topic.name, contract.team)))
        wanted.append(("dead-letter topic", naming.dead_letter(topic.name, contract.team)))
    for what, name in wanted:
        problem = resource_id_problem(name)
        if problem is not None:
            problems.append(
                Problem(
                    topic.name,
                    name,
                    f"Pub/Sub cannot accept {name!r} as a {what} name: it {problem}",
                )
            )
    return problems


def plan(
    topics: Iterable[RegistryTopic], pubsub: PubSubState, naming: Naming, *, prune: bool = False
) -> Plan:
    """The changes that give every Accord topic with a live version a Pub/Sub topic, and every
    consumer team with a contract on it one subscription (with a dead-letter topic, itself
    subscribed so dead letters are kept). Nothing is deleted unless `prune`, and then only
    subscriptions Accord created whose contract is gone. An Accord topic with a name Pub/Sub
    refuses (its own, or one the templates derive from it) is left out whole and reported."""
    by_name = {s.name: s for s in pubsub.subscriptions}
    by_topic: dict[str, list[PubSubSubscription]] = {}
    for subscription in pubsub.subscriptions:
        by_topic.setdefault(subscription.topic, []).append(subscription)
    existing_topics = set(pubsub.topics)
    actions: list[Action] = []
    uncontracted: list[Uncontracted] = []
    unsubscribed: list[Unsubscribed] = []
    problems: list[Problem] = []

    def create_topic(name: str, accord_topic: str, reason: str) -> None:
        if name not in existing_topics:
            existing_topics.add(name)
            actions.append(Action(ActionKind.CREATE_TOPIC, name, accord_topic, reason))

    for topic in sorted(topics, key=lambda t: t.name):
        if not topic.live_versions:
            for contract in topic.contracts:
                unsubscribed.append(
                    Unsubscribed(
                        topic.name,
                        contract.team,
                        contract.version,
                        naming.subscription(topic.name, contract.team),
                        "the topic has no live version yet, so it has no Pub/Sub topic",
                    )
                )
            continue
        topic_problems = _name_problems(topic, naming)
        contracted: dict[str, Contract] = {}
        for contract in topic.contracts:
            contracted[naming.subscription(topic.name, contract.team)] = contract
        dead_letters = {naming.dead_letter(topic.name, c.team) for c in topic.contracts}
        for name, contract in sorted(contracted.items()):
            found = by_name.get(name)
            if found is not None and found.topic != topic.name:
                topic_problems.append(
                    Problem(
                        topic.name,
                        name,
                        f"subscription {name!r} (for team {contract.team!r}) already exists on "
                        f"topic {found.topic!r}; Pub/Sub cannot move a subscription: delete it "
                        "and apply again",
                    )
                )
        if topic_problems:
            problems.extend(topic_problems)
            continue

        create_topic(topic.name, topic.name, "an Accord topic with live versions")
        for name, contract in sorted(contracted.items()):
            dead_letter = DeadLetterPolicy(
                naming.dead_letter(topic.name, contract.team), naming.max_delivery_attempts
            )
            create_topic(
                dead_letter.topic,
                topic.name,
                f"the dead-letter topic of team {contract.team!r}",
            )
            if dead_letter.topic not in by_name:
                by_name[dead_letter.topic] = PubSubSubscription(
                    dead_letter.topic, dead_letter.topic, naming.ack_deadline_seconds
                )
                actions.append(
                    Action(
                        ActionKind.CREATE_SUBSCRIPTION,
                        dead_letter.topic,
                        topic.name,
                        f"keeps the messages dead-lettered for team {contract.team!r}",
                        topic=dead_letter.topic,
                        team=contract.team,
                        ack_deadline_seconds=naming.ack_deadline_seconds,
                    )
                )
            found = by_name.get(name)
            if found is None:
                unsubscribed.append(
                    Unsubscribed(
                        topic.name,
                        contract.team,
                        contract.version,
                        name,
                        "no subscription of this name exists",
                    )
                )
                actions.append(
                    Action(
                        ActionKind.CREATE_SUBSCRIPTION,
                        name,
                        topic.name,
                        f"team {contract.team!r} has contract version {contract.version}",
                        topic=topic.name,
                        team=contract.team,
                        ack_deadline_seconds=naming.ack_deadline_seconds,
                        dead_letter=dead_letter,
                    )
                )
                continue
            changes = []
            if found.ack_deadline_seconds != naming.ack_deadline_seconds:
                changes.append("ack_deadline_seconds")
            if found.dead_letter != dead_letter:
                changes.append("dead_letter_policy")
            if changes:
                actions.append(
                    Action(
                        ActionKind.UPDATE_SUBSCRIPTION,
                        name,
                        topic.name,
                        f"its {' and '.join(changes)} differ from the registry's settings",
                        topic=topic.name,
                        team=contract.team,
                        ack_deadline_seconds=naming.ack_deadline_seconds,
                        dead_letter=dead_letter,
                        changes=tuple(changes),
                    )
                )

        for subscription in sorted(by_topic.get(topic.name, []), key=lambda s: s.name):
            if subscription.name in contracted or subscription.name in dead_letters:
                continue
            team = naming.team_of(topic.name, subscription.name)
            uncontracted.append(
                Uncontracted(subscription.name, topic.name, team, subscription.managed)
            )
            if prune and subscription.managed:
                actions.append(
                    Action(
                        ActionKind.DELETE_SUBSCRIPTION,
                        subscription.name,
                        topic.name,
                        "Accord created it and its team has no contract any more",
                        topic=topic.name,
                        team=team,
                    )
                )
    return Plan(
        actions=tuple(actions),
        uncontracted=tuple(uncontracted),
        unsubscribed=tuple(unsubscribed),
        problems=tuple(problems),
        prune=prune,
    )
