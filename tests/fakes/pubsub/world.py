"""Real google-cloud-pubsub clients on the tests' Pub/Sub server, with names unique to one test."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .server import PubSubServer


@dataclass
class Received:
    """Messages a subscription delivered, collected from a streaming-pull callback."""

    messages: list[Any] = field(default_factory=list)
    results: list[Any] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, timeout: float = 20.0) -> bool:
        with self.arrived:
            return self.arrived.wait_for(
                lambda: len(self.results) + len(self.errors) >= count, timeout=timeout
            )


@dataclass
class PubSubWorld:
    """Real google-cloud-pubsub clients on the test server, with names unique to one test."""

    server: PubSubServer
    project: str
    publisher: Any
    subscriber: Any
    schemas: Any  # SchemaServiceClient
    streams: list[Any] = field(default_factory=list)

    def topic_path(self, topic: str) -> str:
        return f"projects/{self.project}/topics/{topic}"

    def subscription_path(self, subscription: str) -> str:
        return f"projects/{self.project}/subscriptions/{subscription}"

    def schema_path(self, schema: str) -> str:
        return f"projects/{self.project}/schemas/{schema}"

    def create_topic(self, topic: str, *subscriptions: str) -> list[str]:
        """The topic, its subscriptions (paths returned) and a hidden audit subscription that
        sees everything the server accepted, for servers that are not this fake."""
        self.publisher.create_topic(name=self.topic_path(topic))
        paths = [f"projects/{self.project}/subscriptions/{name}" for name in subscriptions]
        for path in [*paths, self._audit_path(topic)]:
            self.subscriber.create_subscription(name=path, topic=self.topic_path(topic))
        return paths

    def _audit_path(self, topic: str) -> str:
        return f"projects/{self.project}/subscriptions/{topic}--audit"

    def listen(self, subscription: str, handle: Callable[[Any], Any]) -> Received:
        """Streaming pull: `handle(message)` runs in the client's callback thread; its result (or
        exception) is recorded and the message acked either way."""
        received = Received()

        def callback(message: Any) -> None:
            try:
                result = handle(message)
            except BaseException as exc:
                with received.arrived:
                    received.errors.append(exc)
                    received.arrived.notify_all()
            else:
                with received.arrived:
                    received.messages.append(message)
                    received.results.append(result)
                    received.arrived.notify_all()
            message.ack()

        self.streams.append(self.subscriber.subscribe(subscription, callback))
        return received

    def published(self, topic: str) -> list[Any]:
        """Every message the server accepted for `topic`, in order: this fake's own record, or,
        against an external emulator, whatever the audit subscription can still pull (call once)."""
        if self.server.fake is not None:
            return list(self.server.fake.published.get(self.topic_path(topic), []))
        from google.api_core.exceptions import DeadlineExceeded

        messages: list[Any] = []
        while True:
            try:
                response = self.subscriber.pull(
                    subscription=self._audit_path(topic), max_messages=1000, timeout=3
                )
            except DeadlineExceeded:
                break
            if not response.received_messages:
                break
            messages += [received.message for received in response.received_messages]
            self.subscriber.acknowledge(
                subscription=self._audit_path(topic),
                ack_ids=[received.ack_id for received in response.received_messages],
            )
        return sorted(messages, key=lambda m: (m.publish_time, int(m.message_id or 0)))


@contextmanager
def pubsub_world(server: PubSubServer) -> Iterator[PubSubWorld]:
    """Real publisher, subscriber and schema clients on `server` (PUBSUB_EMULATOR_HOST must point at it),
    in a project of their own; streams are cancelled and clients closed on exit."""
    from google.cloud import pubsub_v1
    from google.pubsub_v1 import SchemaServiceClient

    world = PubSubWorld(
        server=server,
        project=f"test-{uuid.uuid4().hex[:8]}",
        publisher=pubsub_v1.PublisherClient(),
        subscriber=pubsub_v1.SubscriberClient(),
        schemas=SchemaServiceClient(),
    )
    try:
        yield world
    finally:
        for stream in world.streams:
            stream.cancel()
            stream.result(timeout=10)
        world.subscriber.close()
        world.schemas.transport.close()
        world.publisher.stop()
