"""The fake's Publisher service: topics, their schema settings, and publish-time validation."""

from __future__ import annotations

import collections
import itertools
import threading
from collections.abc import Callable
from typing import Any

import grpc
from google.protobuf import empty_pb2, timestamp_pb2
from google.pubsub_v1 import types

from .faults import Refusal, invalid, not_found, parse_name, parse_project
from .schemas import ENCODING_NAMES, SchemaService, avro_message_problem

PB = Any  # protobuf message classes are generated; their types are not checked here

Topic = types.Topic.pb()
PubsubMessage = types.PubsubMessage.pb()

# What Pub/Sub writes where a deleted resource was referenced.
DELETED_SCHEMA = "_deleted-schema_"
DELETED_TOPIC = "_deleted-topic_"
# The attributes Pub/Sub adds to a message it validated against a topic's schema.
ATTR_SCHEMA_NAME = "googclient_schemaname"
ATTR_SCHEMA_REVISION = "googclient_schemarevisionid"
ATTR_SCHEMA_ENCODING = "googclient_schemaencoding"
_TOPIC_FIELDS = {"labels", "schema_settings", "message_retention_duration"}


class Publisher:
    """google.pubsub.v1.Publisher. `published[topic]` lists every message the fake accepted;
    `deliver(topic, message)` hands a message to every subscription of the topic."""

    def __init__(self, lock: threading.Condition, schemas: SchemaService) -> None:
        self.topics: dict[str, PB] = {}
        self.published: dict[str, list[PB]] = collections.defaultdict(list)
        self.publish_requests = 0
        self.ids = itertools.count(1)
        self.deliver: Callable[[str, PB], None] = lambda topic, message: None
        self.on_delete: Callable[[str], None] = lambda name: None  # subscriptions forget the topic
        self._lock = lock
        self._schemas = schemas

    def topic(self, name: str) -> PB:
        parse_name(name, "topics")
        topic = self.topics.get(name)
        if topic is None:
            raise not_found("Topic", name)
        return topic

    def _check_schema_settings(self, settings: PB) -> None:
        if not settings.schema:
            raise invalid("schema_settings.schema is required")
        if settings.encoding not in ENCODING_NAMES:
            raise invalid("schema_settings.encoding must be JSON or BINARY")
        self._schemas.check_range(
            settings.schema, settings.first_revision_id, settings.last_revision_id
        )

    def create_topic(self, request: PB) -> PB:
        parse_name(request.name, "topics")
        with self._lock:
            if request.name in self.topics:
                raise Refusal(
                    grpc.StatusCode.ALREADY_EXISTS,
                    f"Resource already exists (resource={request.name})",
                )
            if request.HasField("schema_settings"):
                self._check_schema_settings(request.schema_settings)
            topic = Topic()
            topic.CopyFrom(request)
            self.topics[request.name] = topic
            return topic

    def get_topic(self, request: PB) -> PB:
        with self._lock:
            return self.topic(request.topic)

    def update_topic(self, request: PB) -> PB:
        paths = list(request.update_mask.paths)
        if not paths:
            raise invalid("update_mask must name at least one field")
        unknown = [path for path in paths if path.split(".")[0] not in _TOPIC_FIELDS]
        if unknown:
            raise invalid(f"Cannot update topic fields {unknown}")
        with self._lock:
            topic = self.topic(request.topic.name)
            updated = Topic()
            updated.CopyFrom(topic)
            for path in {path.split(".")[0] for path in paths}:  # whole fields are replaced
                if path == "labels":
                    updated.labels.clear()
                    updated.labels.update(request.topic.labels)
                elif request.topic.HasField(path):
                    getattr(updated, path).CopyFrom(getattr(request.topic, path))
                else:
                    updated.ClearField(path)
            if updated.HasField("schema_settings"):
                self._check_schema_settings(updated.schema_settings)
            self.topics[updated.name] = updated
            return updated

    def list_topics(self, request: PB) -> tuple[list[PB], str]:
        project = parse_project(request.project)
        with self._lock:
            topics = [
                topic
                for name, topic in sorted(self.topics.items())
                if name.startswith(f"projects/{project}/topics/")
            ]
        return topics, "topics"

    def delete_topic(self, request: PB) -> PB:
        with self._lock:
            self.topic(request.topic)
            del self.topics[request.topic]
            self.on_delete(request.topic)
        return empty_pb2.Empty()

    def forget_schema(self, schema: str) -> None:
        """A deleted schema leaves its topics naming `_deleted-schema_`; they refuse messages."""
        for topic in self.topics.values():
            if topic.schema_settings.schema == schema:
                topic.schema_settings.schema = DELETED_SCHEMA

    def _validated(self, topic: PB, message: PB) -> None:
        """Add the schema attributes to `message`, or refuse it as Pub/Sub does."""
        settings = topic.schema_settings
        if settings.schema == DELETED_SCHEMA:
            raise Refusal(
                grpc.StatusCode.FAILED_PRECONDITION,
                f"The schema of topic {topic.name} was deleted; the topic accepts no messages",
            )
        problems = []
        for revision in self._schemas.in_range(
            settings.schema, settings.first_revision_id, settings.last_revision_id
        ):
            if revision.parsed is None:
                raise Refusal(
                    grpc.StatusCode.UNIMPLEMENTED,
                    "The test fake validates AVRO messages only, not PROTOCOL_BUFFER",
                )
            problem = avro_message_problem(revision.parsed, message.data, settings.encoding)
            if problem is None:
                message.attributes[ATTR_SCHEMA_NAME] = settings.schema
                message.attributes[ATTR_SCHEMA_REVISION] = revision.schema.revision_id
                message.attributes[ATTR_SCHEMA_ENCODING] = ENCODING_NAMES[settings.encoding]
                return
            problems.append(f"revision {revision.schema.revision_id}: {problem}")
        raise invalid(
            "Invalid data in message: Message failed schema validation against every revision "
            f"allowed on {topic.name}: " + "; ".join(problems or ["no revision in range"])
        )

    def publish(self, request: PB) -> PB:
        with self._lock:
            self.publish_requests += 1
            topic = self.topic(request.topic)
            now = timestamp_pb2.Timestamp()
            now.GetCurrentTime()
            accepted = []
            for original in request.messages:
                if not original.data and not original.attributes:
                    raise invalid(
                        "A message must contain either non-empty data or at least one attribute"
                    )
                message = PubsubMessage()
                message.CopyFrom(original)
                if topic.HasField("schema_settings"):
                    self._validated(topic, message)  # the whole request fails on one bad message
                accepted.append(message)
            for message in accepted:
                message.message_id = str(next(self.ids))
                message.publish_time.CopyFrom(now)
                self.published[request.topic].append(message)
                self.deliver(request.topic, message)
            self._lock.notify_all()
        return types.PublishResponse.pb()(message_ids=[m.message_id for m in accepted])
