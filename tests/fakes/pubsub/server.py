"""The fake's gRPC wiring: every call counted, checked against switched-on faults, then served."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent import futures
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import empty_pb2
from google.pubsub_v1 import types

from .faults import Faults, Refusal, invalid
from .publisher import Publisher, Topic
from .schemas import Schema, SchemaService
from .subscriber import Subscriber, Subscription

PB = Any  # protobuf message classes are generated; their types are not checked here

# Pub/Sub's list calls return pages; the client follows next_page_token.
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE = 100, 1000


def _resource(request: PB) -> str:
    """The resource a request is about, for fault matching and the call count."""
    for name in ("topic", "subscription", "name", "parent", "project"):
        field = request.DESCRIPTOR.fields_by_name.get(name)
        if field is None:
            continue
        value = getattr(request, name)
        if isinstance(value, str):
            if value:
                return value
        elif value.name:  # UpdateTopic / UpdateSubscription carry the resource itself
            return str(value.name)
    return ""


def _page(items: list[Any], request: PB) -> tuple[list[Any], str]:
    size = request.page_size or DEFAULT_PAGE_SIZE
    if size < 0:
        raise invalid("page_size must not be negative")
    size = min(size, MAX_PAGE_SIZE)
    try:
        start = int(request.page_token or 0)
    except ValueError as exc:
        raise invalid(f"Invalid page_token {request.page_token!r}") from exc
    end = start + size
    return items[start:end], str(end) if end < len(items) else ""


class FakePubSub:
    """A TEST FAKE of Pub/Sub's Publisher, Subscriber and SchemaService (see the package
    docstring for what it models). `faults` switches failures on and counts calls."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.RLock())
        self.faults = Faults()
        self.schema_service = SchemaService(self._cond)
        self.publisher = Publisher(self._cond, self.schema_service)
        self.subscriber = Subscriber(self._cond, self.publisher)
        self.schema_service.on_delete = self.publisher.forget_schema
        self.publisher.on_delete = self.subscriber.forget_topic

    @property
    def topics(self) -> dict[str, PB]:
        return self.publisher.topics

    @property
    def subscriptions(self) -> dict[str, Any]:
        return self.subscriber.subscriptions

    @property
    def published(self) -> dict[str, list[PB]]:
        """Every message the fake accepted, by topic, in order (with Pub/Sub's added attributes)."""
        return self.publisher.published

    @property
    def publish_requests(self) -> int:
        return self.publisher.publish_requests

    def handlers(self) -> list[grpc.GenericRpcHandler]:
        faults = self.faults

        def unary(method: str, serve: Callable[[PB], Any], request_type: Any, response: Any) -> Any:
            def handle(request: PB, context: grpc.ServicerContext) -> PB:
                try:
                    faults.check(method, _resource(request))
                    answer = serve(request)
                    if isinstance(answer, tuple):  # a list call: (items, repeated field name)
                        items, field = answer
                        page, token = _page(items, request)
                        return response(**{field: page, "next_page_token": token})
                    return answer
                except Refusal as refusal:
                    context.abort(refusal.code, refusal.message)

            return grpc.unary_unary_rpc_method_handler(
                handle,
                request_deserializer=request_type.FromString,
                response_serializer=response.SerializeToString,
            )

        def streaming(request_iterator: Iterator[PB], context: grpc.ServicerContext) -> Any:
            first = next(request_iterator)
            try:
                faults.check("StreamingPull", first.subscription)
            except Refusal as refusal:
                context.abort(refusal.code, refusal.message)

            def requests() -> Iterator[PB]:
                yield first
                yield from request_iterator

            try:
                yield from self.subscriber.streaming_pull(requests(), context)
            except Refusal as refusal:
                context.abort(refusal.code, refusal.message)

        p, s, sc = self.publisher, self.subscriber, self.schema_service
        empty = empty_pb2.Empty
        t = types
        publisher = {
            "CreateTopic": unary("CreateTopic", p.create_topic, Topic, Topic),
            "UpdateTopic": unary("UpdateTopic", p.update_topic, t.UpdateTopicRequest.pb(), Topic),
            "GetTopic": unary("GetTopic", p.get_topic, t.GetTopicRequest.pb(), Topic),
            "ListTopics": unary(
                "ListTopics", p.list_topics, t.ListTopicsRequest.pb(), t.ListTopicsResponse.pb()
            ),
            "ListTopicSubscriptions": unary(
                "ListTopicSubscriptions",
                s.list_topic_subscriptions,
                t.ListTopicSubscriptionsRequest.pb(),
                t.ListTopicSubscriptionsResponse.pb(),
            ),
            "DeleteTopic": unary("DeleteTopic", p.delete_topic, t.DeleteTopicRequest.pb(), empty),
            "Publish": unary("Publish", p.publish, t.PublishRequest.pb(), t.PublishResponse.pb()),
        }
        subscriber = {
            "CreateSubscription": unary(
                "CreateSubscription", s.create_subscription, Subscription, Subscription
            ),
            "GetSubscription": unary(
                "GetSubscription", s.get_subscription, t.GetSubscriptionRequest.pb(), Subscription
            ),
            "UpdateSubscription": unary(
                "UpdateSubscription",
                s.update_subscription,
                t.UpdateSubscriptionRequest.pb(),
                Subscription,
            ),
            "ListSubscriptions": unary(
                "ListSubscriptions",
                s.list_subscriptions,
                t.ListSubscriptionsRequest.pb(),
                t.ListSubscriptionsResponse.pb(),
            ),
            "DeleteSubscription": unary(
                "DeleteSubscription", s.delete_subscription, t.DeleteSubscriptionRequest.pb(), empty
            ),
            "Pull": unary("Pull", s.pull, t.PullRequest.pb(), t.PullResponse.pb()),
            "Acknowledge": unary("Acknowledge", s.acknowledge, t.AcknowledgeRequest.pb(), empty),
            "ModifyAckDeadline": unary(
                "ModifyAckDeadline", s.modify_ack_deadline, t.ModifyAckDeadlineRequest.pb(), empty
            ),
            "StreamingPull": grpc.stream_stream_rpc_method_handler(
                streaming,
                request_deserializer=t.StreamingPullRequest.pb().FromString,
                response_serializer=t.StreamingPullResponse.pb().SerializeToString,
            ),
        }
        schema_service = {
            "CreateSchema": unary(
                "CreateSchema", sc.create_schema, t.CreateSchemaRequest.pb(), Schema
            ),
            "GetSchema": unary("GetSchema", sc.get_schema, t.GetSchemaRequest.pb(), Schema),
            "ListSchemas": unary(
                "ListSchemas",
                sc.list_schemas,
                t.ListSchemasRequest.pb(),
                t.ListSchemasResponse.pb(),
            ),
            "ListSchemaRevisions": unary(
                "ListSchemaRevisions",
                sc.list_schema_revisions,
                t.ListSchemaRevisionsRequest.pb(),
                t.ListSchemaRevisionsResponse.pb(),
            ),
            "CommitSchema": unary(
                "CommitSchema", sc.commit_schema, t.CommitSchemaRequest.pb(), Schema
            ),
            "RollbackSchema": unary(
                "RollbackSchema", sc.rollback_schema, t.RollbackSchemaRequest.pb(), Schema
            ),
            "DeleteSchemaRevision": unary(
                "DeleteSchemaRevision",
                sc.delete_schema_revision,
                t.DeleteSchemaRevisionRequest.pb(),
                Schema,
            ),
            "DeleteSchema": unary(
                "DeleteSchema", sc.delete_schema, t.DeleteSchemaRequest.pb(), empty
            ),
            "ValidateSchema": unary(
                "ValidateSchema",
                sc.validate_schema,
                t.ValidateSchemaRequest.pb(),
                t.ValidateSchemaResponse.pb(),
            ),
            "ValidateMessage": unary(
                "ValidateMessage",
                sc.validate_message,
                t.ValidateMessageRequest.pb(),
                t.ValidateMessageResponse.pb(),
            ),
        }
        return [
            grpc.method_handlers_generic_handler("google.pubsub.v1.Publisher", publisher),
            grpc.method_handlers_generic_handler("google.pubsub.v1.Subscriber", subscriber),
            grpc.method_handlers_generic_handler("google.pubsub.v1.SchemaService", schema_service),
        ]


@dataclass
class PubSubServer:
    """Where the tests' Pub/Sub is: `host` for PUBSUB_EMULATOR_HOST; `fake` is None when the tests
    run against an external emulator (then only what the clients can see can be asserted)."""

    host: str
    fake: FakePubSub | None


@contextmanager
def running_fake() -> Iterator[PubSubServer]:
    """This fake on a free local port, always (for tests of the fake's own switches)."""
    fake = FakePubSub()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=32))
    server.add_generic_rpc_handlers(fake.handlers())
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield PubSubServer(f"127.0.0.1:{port}", fake)
    finally:
        server.stop(grace=None).wait()


@contextmanager
def running_pubsub() -> Iterator[PubSubServer]:
    """The emulator named by PUBSUB_EMULATOR_HOST if set, else this fake on a free port."""
    external = os.environ.get("PUBSUB_EMULATOR_HOST")
    if external:
        yield PubSubServer(external, None)
        return
    with running_fake() as server:
        yield server
