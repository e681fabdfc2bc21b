"""Fixtures for client tests: the Pub/Sub test fake (or PUBSUB_EMULATOR_HOST) and real pubsub clients."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fakes.pubsub_server import PubSubServer, running_pubsub


@pytest.fixture(scope="session")
def pubsub_server() -> Iterator[PubSubServer]:
    with running_pubsub() as server, pytest.MonkeyPatch.context() as patch:
        # The real client reads this when it is created: anonymous credentials, insecure channel.
        patch.setenv("PUBSUB_EMULATOR_HOST", server.host)
        yield server


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
    streams: list[Any] = field(default_factory=list)

    def topic_path(self, topic: str) -> str:
        return f"projects/{self.project}/topics/{topic}"

    def create_topic(self, topic: str, *subscriptions: str) -> list[str]:
        self.publisher.create_topic(name=self.topic_path(topic))
        paths = [f"projects/{self.project}/subscriptions/{name}" for name in subscriptions]
        for path in paths:
            self.subscriber.create_subscription(name=path, topic=self.topic_path(topic))
        return paths

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

    def published(self, topic: str) -> list[Any] | None:
        """What the server received for `topic`; None against an external emulator."""
        if self.server.fake is None:
            return None
        return list(self.server.fake.published.get(self.topic_path(topic), []))


@pytest.fixture
def pubsub(pubsub_server: PubSubServer) -> Iterator[PubSubWorld]:
    from google.cloud import pubsub_v1

    world = PubSubWorld(
        server=pubsub_server,
        project=f"test-{uuid.uuid4().hex[:8]}",
        publisher=pubsub_v1.PublisherClient(),
        subscriber=pubsub_v1.SubscriberClient(),
    )
    yield world
    for stream in world.streams:
        stream.cancel()
        stream.result(timeout=10)
    world.subscriber.close()
    world.publisher.stop()
