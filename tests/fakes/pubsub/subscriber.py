"""The fake's Subscriber service: subscription admin, pull and streaming pull, dead-lettering."""

from __future__ import annotations

import collections
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf import empty_pb2
from google.pubsub_v1 import types

from .faults import Refusal, invalid, not_found, parse_name, parse_project
from .publisher import DELETED_TOPIC, Publisher, PubsubMessage

PB = Any  # protobuf message classes are generated; their types are not checked here

Subscription = types.Subscription.pb()
ReceivedMessage = types.ReceivedMessage.pb()

# Pub/Sub's documented bounds: ack deadlines of 10..600 s (10 when unset), and 5..100 delivery
# attempts before dead-lettering (5 when unset).
MIN_ACK_DEADLINE, MAX_ACK_DEADLINE, DEFAULT_ACK_DEADLINE = 10, 600, 10
MIN_DELIVERY_ATTEMPTS, MAX_DELIVERY_ATTEMPTS, DEFAULT_DELIVERY_ATTEMPTS = 5, 100, 5
_SUBSCRIPTION_FIELDS = {"ack_deadline_seconds", "labels", "dead_letter_policy"}


@dataclass
class _Subscription:
    config: PB  # the Subscription message GetSubscription returns
    ready: collections.deque[tuple[str, PB, int]] = field(default_factory=collections.deque)
    # ack_id -> (message, delivery attempt, deadline)
    outstanding: dict[str, tuple[PB, int, float]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.config.name)

    @property
    def topic(self) -> str:
        return str(self.config.topic)


class Subscriber:
    """google.pubsub.v1.Subscriber. A message nacked or left past its deadline is delivered again;
    with a dead-letter policy, after `max_delivery_attempts` it goes to the dead-letter topic."""

    def __init__(self, lock: threading.Condition, publisher: Publisher) -> None:
        self.subscriptions: dict[str, _Subscription] = {}
        self._cond = lock
        self._publisher = publisher
        publisher.deliver = self._fan_out

    # -- admin --------------------------------------------------------------------------------
    def _checked(self, config: PB) -> None:
        """Apply Pub/Sub's defaults to `config` and refuse what it refuses."""
        deadline = config.ack_deadline_seconds or DEFAULT_ACK_DEADLINE
        if not MIN_ACK_DEADLINE <= deadline <= MAX_ACK_DEADLINE:
            raise invalid(
                f"ack_deadline_seconds must be between {MIN_ACK_DEADLINE} and {MAX_ACK_DEADLINE}"
            )
        config.ack_deadline_seconds = deadline
        if config.HasField("dead_letter_policy"):
            policy = config.dead_letter_policy
            self._publisher.topic(policy.dead_letter_topic)
            attempts = policy.max_delivery_attempts or DEFAULT_DELIVERY_ATTEMPTS
            if not MIN_DELIVERY_ATTEMPTS <= attempts <= MAX_DELIVERY_ATTEMPTS:
                raise invalid(
                    f"max_delivery_attempts must be between {MIN_DELIVERY_ATTEMPTS} and "
                    f"{MAX_DELIVERY_ATTEMPTS}"
                )
            policy.max_delivery_attempts = attempts

    def create_subscription(self, request: PB) -> PB:
        parse_name(request.name, "subscriptions")
        with self._cond:
            self._publisher.topic(request.topic)
            if request.name in self.subscriptions:
                raise Refusal(
                    grpc.StatusCode.ALREADY_EXISTS,
                    f"Resource already exists (resource={request.name})",
                )
            config = Subscription()
            config.CopyFrom(request)
            self._checked(config)
            self.subscriptions[request.name] = _Subscription(config)
            return config

    def get_subscription(self, request: PB) -> PB:
        with self._cond:
            return self._subscription(request.subscription).config

    def update_subscription(self, request: PB) -> PB:
        paths = {path.split(".")[0] for path in request.update_mask.paths}
        if not paths:
            raise invalid("update_mask must name at least one field")
        if paths - _SUBSCRIPTION_FIELDS:
            raise invalid(
                f"Cannot update subscription fields {sorted(paths - _SUBSCRIPTION_FIELDS)}"
            )
        with self._cond:
            sub = self._subscription(request.subscription.name)
            updated = Subscription()
            updated.CopyFrom(sub.config)
            for path in paths:  # whole fields are replaced
                if path == "labels":
                    updated.labels.clear()
                    updated.labels.update(request.subscription.labels)
                elif path == "ack_deadline_seconds":
                    updated.ack_deadline_seconds = request.subscription.ack_deadline_seconds
                elif request.subscription.HasField(path):
                    getattr(updated, path).CopyFrom(getattr(request.subscription, path))
                else:
                    updated.ClearField(path)
            self._checked(updated)
            sub.config = updated
            return updated

    def list_subscriptions(self, request: PB) -> tuple[list[PB], str]:
        project = parse_project(request.project)
        with self._cond:
            configs = [
                sub.config
                for name, sub in sorted(self.subscriptions.items())
                if name.startswith(f"projects/{project}/subscriptions/")
            ]
        return configs, "subscriptions"

    def list_topic_subscriptions(self, request: PB) -> tuple[list[str], str]:
        with self._cond:
            self._publisher.topic(request.topic)
            names = sorted(n for n, s in self.subscriptions.items() if s.topic == request.topic)
        return names, "subscriptions"

    def delete_subscription(self, request: PB) -> PB:
        with self._cond:
            self._subscription(request.subscription)
            del self.subscriptions[request.subscription]
        return empty_pb2.Empty()

    def forget_topic(self, topic: str) -> None:
        """Subscriptions outlive their deleted topic, naming `_deleted-topic_` as Pub/Sub does."""
        for sub in self.subscriptions.values():
            if sub.topic == topic:
                sub.config.topic = DELETED_TOPIC

    # -- delivery -----------------------------------------------------------------------------
    def pull(self, request: PB) -> PB:
        with self._cond:
            sub = self._subscription(request.subscription)
            self._cond.wait_for(lambda: self._deliverable(sub), timeout=0.5)
            received = self._take(sub, request.max_messages or 100)
        return types.PullResponse.pb()(received_messages=received)

    def streaming_pull(self, requests: Iterator[PB], context: grpc.ServicerContext) -> Iterator[PB]:
        first = next(requests)
        with self._cond:
            sub = self._subscription(first.subscription)
        self._apply(sub, first)
        done = threading.Event()

        def read_requests() -> None:  # acks and deadline changes arrive on the same stream
            try:
                for request in requests:
                    self._apply(sub, request)
            except grpc.RpcError:
                pass
            finally:
                done.set()
                with self._cond:
                    self._cond.notify_all()

        threading.Thread(target=read_requests, daemon=True).start()
        while context.is_active() and not done.is_set():
            with self._cond:
                self._cond.wait_for(lambda: done.is_set() or self._deliverable(sub), timeout=0.2)
                received = self._take(sub, 100)
            if received:
                yield types.StreamingPullResponse.pb()(received_messages=received)

    def acknowledge(self, request: PB) -> PB:
        with self._cond:
            sub = self._subscription(request.subscription)
            for ack_id in request.ack_ids:
                sub.outstanding.pop(ack_id, None)
        return empty_pb2.Empty()

    def modify_ack_deadline(self, request: PB) -> PB:
        with self._cond:
            sub = self._subscription(request.subscription)
        self._modify(sub, request.ack_ids, [request.ack_deadline_seconds] * len(request.ack_ids))
        return empty_pb2.Empty()

    # -- internals ----------------------------------------------------------------------------
    def _subscription(self, name: str) -> _Subscription:
        parse_name(name, "subscriptions")
        sub = self.subscriptions.get(name)
        if sub is None:
            raise not_found("Subscription", name)
        return sub

    def _fan_out(self, topic: str, message: PB) -> None:
        for sub in self.subscriptions.values():
            if sub.topic == topic:
                sub.ready.append((self._ack_id(), message, 1))

    def _ack_id(self) -> str:
        return f"ack-{next(self._publisher.ids)}"

    def _again(self, sub: _Subscription, message: PB, attempts: int) -> None:
        """Deliver once more, or dead-letter when the policy's attempts are spent."""
        policy = (
            sub.config.dead_letter_policy if sub.config.HasField("dead_letter_policy") else None
        )
        if policy is None or attempts < policy.max_delivery_attempts:
            sub.ready.append((self._ack_id(), message, attempts + 1))
            return
        dead = PubsubMessage()
        dead.CopyFrom(message)
        project = sub.name.split("/")[1]
        # the attributes Pub/Sub documents on a dead-lettered message
        dead.attributes["CloudPubSubDeadLetterSourceDeliveryCount"] = str(attempts)
        dead.attributes["CloudPubSubDeadLetterSourceSubscription"] = sub.name.split("/")[-1]
        dead.attributes["CloudPubSubDeadLetterSourceSubscriptionProject"] = project
        dead.attributes["CloudPubSubDeadLetterSourceTopicPublishTime"] = (
            message.publish_time.ToJsonString()
        )
        dead.message_id = str(next(self._publisher.ids))
        if policy.dead_letter_topic in self._publisher.topics:
            self._publisher.published[policy.dead_letter_topic].append(dead)
            self._fan_out(policy.dead_letter_topic, dead)

    def _apply(self, sub: _Subscription, request: PB) -> None:
        with self._cond:
            for ack_id in request.ack_ids:
                sub.outstanding.pop(ack_id, None)
        self._modify(sub, request.modify_deadline_ack_ids, request.modify_deadline_seconds)

    def _modify(self, sub: _Subscription, ack_ids: Any, seconds: Any) -> None:
        with self._cond:
            for ack_id, delay in zip(ack_ids, seconds, strict=False):
                entry = sub.outstanding.get(ack_id)
                if entry is None:
                    continue
                if delay == 0:  # a nack: deliver again
                    del sub.outstanding[ack_id]
                    self._again(sub, entry[0], entry[1])
                else:
                    sub.outstanding[ack_id] = (entry[0], entry[1], time.monotonic() + delay)
            self._cond.notify_all()

    def _deliverable(self, sub: _Subscription) -> bool:
        now = time.monotonic()
        for ack_id, (message, attempt, deadline) in list(sub.outstanding.items()):
            if deadline <= now:  # the subscriber let the deadline pass: deliver again
                del sub.outstanding[ack_id]
                self._again(sub, message, attempt)
        return bool(sub.ready)

    def _take(self, sub: _Subscription, limit: int) -> list[PB]:
        received: list[PB] = []
        self._deliverable(sub)
        counted = sub.config.HasField("dead_letter_policy")
        while sub.ready and len(received) < limit:
            ack_id, message, attempt = sub.ready.popleft()
            deadline = time.monotonic() + sub.config.ack_deadline_seconds
            sub.outstanding[ack_id] = (message, attempt, deadline)
            # Pub/Sub counts delivery attempts only on subscriptions with a dead-letter policy
            received.append(
                ReceivedMessage(
                    ack_id=ack_id, message=message, delivery_attempt=attempt if counted else 0
                )
            )
        return received
