"""A TEST FAKE of Google Pub/Sub: a small gRPC server speaking google.pubsub.v1, for the real client.

Google's emulator cannot be installed here, so tests run the real google-cloud-pubsub client against
this fake through PUBSUB_EMULATOR_HOST. It implements only what the tests use: CreateTopic,
GetTopic, DeleteTopic, Publish; CreateSubscription, GetSubscription, DeleteSubscription, Pull,
StreamingPull, Acknowledge, ModifyAckDeadline. Messages fan out to every subscription of a topic,
are redelivered when nacked or when their ack deadline passes, and every published message is
recorded in `published` so tests can assert on what the server received. No ordering, filtering,
dead-lettering, exactly-once or schemas. NOT a Pub/Sub implementation: a test double.
"""

from __future__ import annotations

import collections
import itertools
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf import empty_pb2, timestamp_pb2
from google.pubsub_v1 import types

PB = Any  # protobuf message classes are generated; their types are not checked here

Topic = types.Topic.pb()
Subscription = types.Subscription.pb()
PubsubMessage = types.PubsubMessage.pb()
ReceivedMessage = types.ReceivedMessage.pb()


@dataclass
class _Subscription:
    name: str
    topic: str
    ack_deadline: float
    ready: collections.deque[tuple[str, PB, int]] = field(default_factory=collections.deque)
    # ack_id -> (message, delivery attempt, deadline)
    outstanding: dict[str, tuple[PB, int, float]] = field(default_factory=dict)


class FakePubSub:
    """State and handlers. `published[topic]` lists every message the server accepted."""

    def __init__(self) -> None:
        self.topics: dict[str, list[str]] = {}
        self.subscriptions: dict[str, _Subscription] = {}
        self.published: dict[str, list[PB]] = collections.defaultdict(list)
        self.publish_requests = 0
        self._ids = itertools.count(1)
        self._cond = threading.Condition()

    # -- Publisher -----------------------------------------------------------------------------
    def create_topic(self, request: PB, context: grpc.ServicerContext) -> PB:
        with self._cond:
            if request.name in self.topics:
                context.abort(grpc.StatusCode.ALREADY_EXISTS, "Topic already exists")
            self.topics[request.name] = []
        return Topic(name=request.name)

    def get_topic(self, request: PB, context: grpc.ServicerContext) -> PB:
        if request.topic not in self.topics:
            context.abort(grpc.StatusCode.NOT_FOUND, "Topic not found")
        return Topic(name=request.topic)

    def delete_topic(self, request: PB, context: grpc.ServicerContext) -> PB:
        with self._cond:
            if self.topics.pop(request.topic, None) is None:
                context.abort(grpc.StatusCode.NOT_FOUND, "Topic not found")
        return empty_pb2.Empty()

    def publish(self, request: PB, context: grpc.ServicerContext) -> PB:
        with self._cond:
            self.publish_requests += 1
            subscribers = self.topics.get(request.topic)
            if subscribers is None:
                context.abort(grpc.StatusCode.NOT_FOUND, "Topic not found")
            ids = []
            now = timestamp_pb2.Timestamp()
            now.GetCurrentTime()
            for original in request.messages:
                message = PubsubMessage()
                message.CopyFrom(original)
                message.message_id = str(next(self._ids))
                message.publish_time.CopyFrom(now)
                ids.append(message.message_id)
                self.published[request.topic].append(message)
                for name in subscribers:
                    self.subscriptions[name].ready.append((f"ack-{next(self._ids)}", message, 1))
            self._cond.notify_all()
        return types.PublishResponse.pb()(message_ids=ids)

    # -- Subscriber ----------------------------------------------------------------------------
    def create_subscription(self, request: PB, context: grpc.ServicerContext) -> PB:
        with self._cond:
            if request.topic not in self.topics:
                context.abort(grpc.StatusCode.NOT_FOUND, "Topic not found")
            if request.name in self.subscriptions:
                context.abort(grpc.StatusCode.ALREADY_EXISTS, "Subscription already exists")
            deadline = request.ack_deadline_seconds or 10
            self.subscriptions[request.name] = _Subscription(request.name, request.topic, deadline)
            self.topics[request.topic].append(request.name)
        return Subscription(name=request.name, topic=request.topic, ack_deadline_seconds=deadline)

    def get_subscription(self, request: PB, context: grpc.ServicerContext) -> PB:
        sub = self.subscriptions.get(request.subscription)
        if sub is None:
            context.abort(grpc.StatusCode.NOT_FOUND, "Subscription not found")
        return Subscription(
            name=sub.name, topic=sub.topic, ack_deadline_seconds=int(sub.ack_deadline)
        )

    def delete_subscription(self, request: PB, context: grpc.ServicerContext) -> PB:
        with self._cond:
            sub = self.subscriptions.pop(request.subscription, None)
            if sub is None:
                context.abort(grpc.StatusCode.NOT_FOUND, "Subscription not found")
            if sub.topic in self.topics:
                self.topics[sub.topic].remove(sub.name)
        return empty_pb2.Empty()

    def pull(self, request: PB, context: grpc.ServicerContext) -> PB:
        sub = self._subscription(request.subscription, context)
        with self._cond:
            self._cond.wait_for(lambda: self._deliverable(sub), timeout=0.5)
            received = self._take(sub, request.max_messages or 100)
        return types.PullResponse.pb()(received_messages=received)

    def streaming_pull(self, requests: Iterator[PB], context: grpc.ServicerContext) -> Iterator[PB]:
        first = next(requests)
        sub = self._subscription(first.subscription, context)
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

    def acknowledge(self, request: PB, context: grpc.ServicerContext) -> PB:
        sub = self._subscription(request.subscription, context)
        with self._cond:
            for ack_id in request.ack_ids:
                sub.outstanding.pop(ack_id, None)
        return empty_pb2.Empty()

    def modify_ack_deadline(self, request: PB, context: grpc.ServicerContext) -> PB:
        sub = self._subscription(request.subscription, context)
        self._modify(sub, request.ack_ids, [request.ack_deadline_seconds] * len(request.ack_ids))
        return empty_pb2.Empty()

    # -- internals -----------------------------------------------------------------------------
    def _subscription(self, name: str, context: grpc.ServicerContext) -> _Subscription:
        sub = self.subscriptions.get(name)
        if sub is None:
            context.abort(grpc.StatusCode.NOT_FOUND, "Subscription not found")
        return sub

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
                    sub.ready.append((f"ack-{next(self._ids)}", entry[0], entry[1] + 1))
                else:
                    sub.outstanding[ack_id] = (entry[0], entry[1], time.monotonic() + delay)
            self._cond.notify_all()

    def _deliverable(self, sub: _Subscription) -> bool:
        now = time.monotonic()
        for ack_id, (message, attempt, deadline) in list(sub.outstanding.items()):
            if deadline <= now:  # the subscriber let the deadline pass: redeliver
                del sub.outstanding[ack_id]
                sub.ready.append((f"ack-{next(self._ids)}", message, attempt + 1))
        return bool(sub.ready)

    def _take(self, sub: _Subscription, limit: int) -> list[PB]:
        received = []
        self._deliverable(sub)
        while sub.ready and len(received) < limit:
            ack_id, message, attempt = sub.ready.popleft()
            sub.outstanding[ack_id] = (message, attempt, time.monotonic() + sub.ack_deadline)
            received.append(
                ReceivedMessage(ack_id=ack_id, message=message, delivery_attempt=attempt)
            )
        return received

    # -- gRPC wiring ---------------------------------------------------------------------------
    def handlers(self) -> list[grpc.GenericRpcHandler]:
        def unary(method: Callable[..., PB], request_type: Any, response_type: Any) -> Any:
            return grpc.unary_unary_rpc_method_handler(
                method,
                request_deserializer=request_type.FromString,
                response_serializer=response_type.SerializeToString,
            )

        empty = empty_pb2.Empty
        publisher = {
            "CreateTopic": unary(self.create_topic, Topic, Topic),
            "GetTopic": unary(self.get_topic, types.GetTopicRequest.pb(), Topic),
            "DeleteTopic": unary(self.delete_topic, types.DeleteTopicRequest.pb(), empty),
            "Publish": unary(self.publish, types.PublishRequest.pb(), types.PublishResponse.pb()),
        }
        subscriber = {
            "CreateSubscription": unary(self.create_subscription, Subscription, Subscription),
            "GetSubscription": unary(
                self.get_subscription, types.GetSubscriptionRequest.pb(), Subscription
            ),
            "DeleteSubscription": unary(
                self.delete_subscription, types.DeleteSubscriptionRequest.pb(), empty
            ),
            "Pull": unary(self.pull, types.PullRequest.pb(), types.PullResponse.pb()),
            "Acknowledge": unary(self.acknowledge, types.AcknowledgeRequest.pb(), empty),
            "ModifyAckDeadline": unary(
                self.modify_ack_deadline, types.ModifyAckDeadlineRequest.pb(), empty
            ),
            "StreamingPull": grpc.stream_stream_rpc_method_handler(
                self.streaming_pull,
                request_deserializer=types.StreamingPullRequest.pb().FromString,
                response_serializer=types.StreamingPullResponse.pb().SerializeToString,
            ),
        }
        return [
            grpc.method_handlers_generic_handler("google.pubsub.v1.Publisher", publisher),
            grpc.method_handlers_generic_handler("google.pubsub.v1.Subscriber", subscriber),
        ]


@dataclass
class PubSubServer:
    """Where the tests' Pub/Sub is: `host` for PUBSUB_EMULATOR_HOST; `fake` is None when the tests
    run against an external emulator (then only what subscribers receive can be asserted)."""

    host: str
    fake: FakePubSub | None


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
    """Real publisher and subscriber clients on `server` (PUBSUB_EMULATOR_HOST must point at it),
    in a project of their own; streams are cancelled and clients closed on exit."""
    from google.cloud import pubsub_v1

    world = PubSubWorld(
        server=server,
        project=f"test-{uuid.uuid4().hex[:8]}",
        publisher=pubsub_v1.PublisherClient(),
        subscriber=pubsub_v1.SubscriberClient(),
    )
    try:
        yield world
    finally:
        for stream in world.streams:
            stream.cancel()
            stream.result(timeout=10)
        world.subscriber.close()
        world.publisher.stop()


@contextmanager
def running_pubsub() -> Iterator[PubSubServer]:
    """The emulator named by PUBSUB_EMULATOR_HOST if set, else this fake on a free port."""
    external = os.environ.get("PUBSUB_EMULATOR_HOST")
    if external:
        yield PubSubServer(external, None)
        return
    fake = FakePubSub()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=32))
    server.add_generic_rpc_handlers(fake.handlers())
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield PubSubServer(f"127.0.0.1:{port}", fake)
    finally:
        server.stop(grace=None).wait()
