"""The topology's Pub/Sub calls: read the project's topics and subscriptions, make one planned change (through the admin gateway)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from registry.errors import PubSubFailed
from registry.pubsub.gateway import PubSubGateway
from registry.pubsub.topology import (
    DELETED_TOPIC,
    MANAGED_LABEL,
    Action,
    ActionKind,
    DeadLetterPolicy,
    PubSubState,
    PubSubSubscription,
)


def _listed(method: Callable[..., Any]) -> Callable[..., list[Any]]:
    """A list call whose every page is fetched inside the gateway's call (pages come lazily)."""
    return lambda **request: list(method(**request))


def _id(name: str, prefix: str) -> str:
    return name[len(prefix) :] if name.startswith(prefix) else name


def read_state(gateway: PubSubGateway) -> PubSubState:
    """Every topic and subscription of the project: two paged list calls."""
    topics_prefix = f"{gateway.project_path}/topics/"
    topics = gateway.call(
        f"List the topics of {gateway.project_path}",
        _listed(gateway.publisher.list_topics),
        project=gateway.project_path,
    )
    subscriptions = gateway.call(
        f"List the subscriptions of {gateway.project_path}",
        _listed(gateway.subscriber.list_subscriptions),
        project=gateway.project_path,
    )

    def subscription(found: Any) -> PubSubSubscription:
        policy = found.dead_letter_policy
        dead_letter = (
            DeadLetterPolicy(
                _id(policy.dead_letter_topic, topics_prefix), policy.max_delivery_attempts
            )
            if policy is not None and policy.dead_letter_topic
            else None
        )
        return PubSubSubscription(
            name=_id(found.name, f"{gateway.project_path}/subscriptions/"),
            topic=found.topic if found.topic == DELETED_TOPIC else _id(found.topic, topics_prefix),
            ack_deadline_seconds=found.ack_deadline_seconds,
            dead_letter=dead_letter,
            labels=dict(found.labels),
        )

    return PubSubState(
        topics=frozenset(_id(t.name, topics_prefix) for t in topics),
        subscriptions=tuple(subscription(s) for s in subscriptions),
    )


def apply_action(gateway: PubSubGateway, action: Action) -> None:
    """Make one planned change, whole (a subscription is created with its dead-letter policy in
    one call). What already exists, or is already gone, counts as done: another replica or an
    earlier, interrupted apply got there first."""
    labels = dict([MANAGED_LABEL])
    what = f"{action.kind.value.replace('_', ' ').capitalize()} {action.resource!r}"
    try:
        if action.kind is ActionKind.CREATE_TOPIC:
            gateway.call(
                what,
                gateway.publisher.create_topic,
                request={"name": gateway.topic_path(action.resource), "labels": labels},
            )
        elif action.kind is ActionKind.DELETE_SUBSCRIPTION:
            gateway.call(
                what,
                gateway.subscriber.delete_subscription,
                subscription=gateway.subscription_path(action.resource),
            )
        else:
            body: dict[str, Any] = {
                "name": gateway.subscription_path(action.resource),
                "topic": gateway.topic_path(str(action.topic)),
                "ack_deadline_seconds": action.ack_deadline_seconds,
                "labels": labels,
            }
            if action.dead_letter is not None:
                body["dead_letter_policy"] = {
                    "dead_letter_topic": gateway.topic_path(action.dead_letter.topic),
                    "max_delivery_attempts": action.dead_letter.max_delivery_attempts,
                }
            if action.kind is ActionKind.CREATE_SUBSCRIPTION:
                gateway.call(what, gateway.subscriber.create_subscription, request=body)
            else:
                del body["topic"]
                gateway.call(
                    what,
                    gateway.subscriber.update_subscription,
                    request={"subscription": body, "update_mask": {"paths": list(action.changes)}},
                )
    except PubSubFailed as failure:
        if failure.status == "ALREADY_EXISTS" and action.kind in (
            ActionKind.CREATE_TOPIC,
            ActionKind.CREATE_SUBSCRIPTION,
        ):
            return
        if failure.status == "NOT_FOUND" and action.kind is ActionKind.DELETE_SUBSCRIPTION:
            return
        raise
