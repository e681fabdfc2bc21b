"""The Pub/Sub test fake, driven only through the real google-cloud-pubsub clients (or PUBSUB_EMULATOR_HOST's server)."""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Iterator
from typing import Any

import fastavro
import grpc
import pytest
from google.api_core import exceptions
from google.api_core.retry import Retry, if_exception_type
from google.protobuf import field_mask_pb2
from google.pubsub_v1 import types

from tests.fakes.pubsub import (
    ATTR_SCHEMA_ENCODING,
    ATTR_SCHEMA_NAME,
    ATTR_SCHEMA_REVISION,
    PubSubServer,
    PubSubWorld,
    pubsub_world,
    running_fake,
    running_pubsub,
)

ORDER_V1 = {
    "type": "record",
    "name": "Order",
    "namespace": "shop",
    "fields": [{"name": "id", "type": "string"}, {"name": "amount", "type": "long"}],
}
# adds an optional field with a default: each revision reads the other's data
ORDER_V2 = {
    **ORDER_V1,
    "fields": [*ORDER_V1["fields"], {"name": "note", "type": ["null", "string"], "default": None}],
}
# drops `amount` (no default in v1): v2 reads v1's data, v1 cannot read v2's
ORDER_WITHOUT_AMOUNT = {**ORDER_V1, "fields": [ORDER_V1["fields"][0]]}
# adds a field without a default: v1 reads v2's data, v2 cannot read v1's
ORDER_WITH_CURRENCY = {
    **ORDER_V1,
    "fields": [*ORDER_V1["fields"], {"name": "currency", "type": "string"}],
}
# Google documents that a schema cannot have more than 20 revisions.
DOCUMENTED_REVISION_LIMIT = 20
AVRO = types.Schema.Type.AVRO
ENCODINGS = {"JSON": types.Encoding.JSON, "BINARY": types.Encoding.BINARY}


@pytest.fixture(scope="module")
def pubsub_server() -> Iterator[PubSubServer]:
    with running_pubsub() as server, pytest.MonkeyPatch.context() as patch:
        patch.setenv("PUBSUB_EMULATOR_HOST", server.host)
        yield server


@pytest.fixture
def pubsub(pubsub_server: PubSubServer) -> Iterator[PubSubWorld]:
    with pubsub_world(pubsub_server) as world:
        yield world


@pytest.fixture
def faked(monkeypatch: pytest.MonkeyPatch) -> Iterator[PubSubWorld]:
    """Always this fake, whatever PUBSUB_EMULATOR_HOST says: its fault switches are its own."""
    with running_fake() as server:
        monkeypatch.setenv("PUBSUB_EMULATOR_HOST", server.host)
        with pubsub_world(server) as world:
            yield world


def create_schema(pubsub: PubSubWorld, schema_id: str, definition: dict[str, Any]) -> Any:
    return pubsub.schemas.create_schema(
        parent=f"projects/{pubsub.project}",
        schema=types.Schema(type_=AVRO, definition=json.dumps(definition)),
        schema_id=schema_id,
    )


def commit(pubsub: PubSubWorld, schema_id: str, definition: dict[str, Any]) -> Any:
    return pubsub.schemas.commit_schema(
        name=pubsub.schema_path(schema_id),
        schema=types.Schema(type_=AVRO, definition=json.dumps(definition)),
    )


def revision_ids(pubsub: PubSubWorld, schema_id: str) -> list[str]:
    return [
        s.revision_id
        for s in pubsub.schemas.list_schema_revisions(name=pubsub.schema_path(schema_id))
    ]


def encode(definition: dict[str, Any], datum: dict[str, Any], encoding: str) -> bytes:
    """The Avro encoding of `datum`, written by fastavro."""
    parsed = fastavro.parse_schema(definition)
    if encoding == "BINARY":
        out = io.BytesIO()
        fastavro.schemaless_writer(out, parsed, datum)
        return out.getvalue()
    text = io.StringIO()
    fastavro.json_writer(text, parsed, [datum])
    return text.getvalue().strip().encode()


def decode(definition: dict[str, Any], data: bytes, encoding: str) -> Any:
    parsed = fastavro.parse_schema(definition)
    if encoding == "BINARY":
        return fastavro.schemaless_reader(io.BytesIO(data), parsed)
    return next(iter(fastavro.json_reader(io.StringIO(data.decode()), parsed)))


def pull(pubsub: PubSubWorld, subscription: str, count: int, timeout: float = 20) -> list[Any]:
    """Pull until `count` messages arrived (the server may answer with fewer at a time)."""
    received: list[Any] = []
    end = time.monotonic() + timeout
    while len(received) < count and time.monotonic() < end:
        try:
            response = pubsub.subscriber.pull(subscription=subscription, max_messages=10, timeout=5)
        except exceptions.DeadlineExceeded:
            continue
        received += response.received_messages
    return received


# -- schemas and revisions -------------------------------------------------------------------
def test_a_schema_lives_through_commit_rollback_and_deletion_of_its_revisions(pubsub):
    first = create_schema(pubsub, "orders", ORDER_V1)
    assert re.fullmatch(r"[0-9a-f]{8}", first.revision_id)
    assert first.name == pubsub.schema_path("orders")
    assert first.revision_create_time is not None

    second = commit(pubsub, "orders", ORDER_V2)
    assert second.revision_id != first.revision_id
    assert second.revision_create_time > first.revision_create_time
    assert revision_ids(pubsub, "orders") == [second.revision_id, first.revision_id]

    full = pubsub.schemas.get_schema(name=pubsub.schema_path("orders"))
    assert json.loads(full.definition) == ORDER_V2
    basic = pubsub.schemas.get_schema(
        request={"name": pubsub.schema_path("orders"), "view": types.SchemaView.BASIC}
    )
    assert basic.definition == ""
    assert basic.type_ == AVRO
    old = pubsub.schemas.get_schema(name=f"{pubsub.schema_path('orders')}@{first.revision_id}")
    assert json.loads(old.definition) == ORDER_V1

    rolled = pubsub.schemas.rollback_schema(
        name=pubsub.schema_path("orders"), revision_id=first.revision_id
    )
    assert json.loads(rolled.definition) == ORDER_V1
    assert rolled.revision_id not in (first.revision_id, second.revision_id)

    pubsub.schemas.delete_schema_revision(
        name=f"{pubsub.schema_path('orders')}@{second.revision_id}"
    )
    assert revision_ids(pubsub, "orders") == [rolled.revision_id, first.revision_id]
    listed = pubsub.schemas.list_schemas(parent=f"projects/{pubsub.project}")
    assert [s.name for s in listed] == [pubsub.schema_path("orders")]

    pubsub.schemas.delete_schema(name=pubsub.schema_path("orders"))
    with pytest.raises(exceptions.NotFound):
        pubsub.schemas.get_schema(name=pubsub.schema_path("orders"))


def test_the_last_revision_of_a_schema_cannot_be_deleted(pubsub):
    only = create_schema(pubsub, "single", ORDER_V1)
    with pytest.raises(exceptions.GoogleAPICallError):
        pubsub.schemas.delete_schema_revision(
            name=f"{pubsub.schema_path('single')}@{only.revision_id}"
        )
    assert revision_ids(pubsub, "single") == [only.revision_id]


@pytest.mark.parametrize(
    ("candidate", "failing_reader", "failing_writer", "direction"),
    [
        # the old revision cannot read the new one's data
        (ORDER_WITHOUT_AMOUNT, ORDER_V1, ORDER_WITHOUT_AMOUNT, "be read by"),
        # the new revision cannot read the old one's data
        (ORDER_WITH_CURRENCY, ORDER_WITH_CURRENCY, ORDER_V1, "read data written with"),
    ],
)
def test_a_revision_not_compatible_both_ways_is_refused(
    pubsub, candidate, failing_reader, failing_writer, direction
):
    # the independent oracle: fastavro itself fails to resolve the pair the fake refuses
    written = encode(failing_writer, {"id": "o-1", "amount": 3, "currency": "EUR"}, "BINARY")
    with pytest.raises(fastavro.read.SchemaResolutionError):
        fastavro.schemaless_reader(
            io.BytesIO(written),
            fastavro.parse_schema(failing_writer),
            fastavro.parse_schema(failing_reader),
        )
    first = create_schema(pubsub, "orders", ORDER_V1)

    with pytest.raises(exceptions.InvalidArgument) as refused:
        commit(pubsub, "orders", candidate)

    assert first.revision_id in refused.value.message
    if pubsub.server.fake is not None:
        assert direction in refused.value.message
    assert revision_ids(pubsub, "orders") == [first.revision_id]


def test_removing_one_enum_symbol_among_many_is_refused(pubsub):
    symbols = [f"STATE_{n}" for n in range(200)]
    with_all = {
        **ORDER_V1,
        "fields": [
            {"name": "state", "type": {"type": "enum", "name": "State", "symbols": symbols}}
        ],
    }
    without_last = json.loads(json.dumps(with_all))
    without_last["fields"][0]["type"]["symbols"] = symbols[:-1]
    # the oracle: fastavro cannot read the removed symbol through the new revision
    with pytest.raises(fastavro.read.SchemaResolutionError):
        fastavro.schemaless_reader(
            io.BytesIO(encode(with_all, {"state": symbols[-1]}, "BINARY")),
            fastavro.parse_schema(with_all),
            fastavro.parse_schema(without_last),
        )
    create_schema(pubsub, "states", with_all)

    with pytest.raises(exceptions.InvalidArgument):
        commit(pubsub, "states", without_last)
    assert len(revision_ids(pubsub, "states")) == 1


def test_a_schema_keeps_at_most_the_documented_number_of_revisions(pubsub):
    create_schema(pubsub, "capped", ORDER_V1)
    for _ in range(DOCUMENTED_REVISION_LIMIT - 1):
        commit(pubsub, "capped", ORDER_V1)
    assert len(revision_ids(pubsub, "capped")) == DOCUMENTED_REVISION_LIMIT

    with pytest.raises(exceptions.GoogleAPICallError) as refused:
        commit(pubsub, "capped", ORDER_V2)
    assert str(DOCUMENTED_REVISION_LIMIT) in refused.value.message
    assert len(revision_ids(pubsub, "capped")) == DOCUMENTED_REVISION_LIMIT

    oldest = revision_ids(pubsub, "capped")[-1]
    pubsub.schemas.delete_schema_revision(name=f"{pubsub.schema_path('capped')}@{oldest}")
    newest = commit(pubsub, "capped", ORDER_V2)
    assert revision_ids(pubsub, "capped")[0] == newest.revision_id


def test_schemas_and_messages_are_validated_on_request(pubsub):
    parent = f"projects/{pubsub.project}"
    pubsub.schemas.validate_schema(
        parent=parent, schema=types.Schema(type_=AVRO, definition=json.dumps(ORDER_V1))
    )
    with pytest.raises(exceptions.InvalidArgument):
        pubsub.schemas.validate_schema(
            parent=parent, schema=types.Schema(type_=AVRO, definition='{"type": "record"}')
        )
    create_schema(pubsub, "orders", ORDER_V1)
    for encoding, value in ENCODINGS.items():
        pubsub.schemas.validate_message(
            request={
                "parent": parent,
                "name": pubsub.schema_path("orders"),
                "message": encode(ORDER_V1, {"id": "o-1", "amount": 1}, encoding),
                "encoding": value,
            }
        )
        with pytest.raises(exceptions.InvalidArgument):
            pubsub.schemas.validate_message(
                request={
                    "parent": parent,
                    "name": pubsub.schema_path("orders"),
                    "message": encode(ORDER_WITHOUT_AMOUNT, {"id": "o-1"}, encoding),
                    "encoding": value,
                }
            )


# -- topics with schema settings and publish-time validation ---------------------------------
def schema_topic(
    pubsub: PubSubWorld, topic: str, encoding: str, first: str = "", last: str = ""
) -> str:
    """A topic validated by schema `orders`, with one subscription (returned)."""
    settings = types.SchemaSettings(
        schema=pubsub.schema_path("orders"),
        encoding=ENCODINGS[encoding],
        first_revision_id=first,
        last_revision_id=last,
    )
    pubsub.publisher.create_topic(
        request={"name": pubsub.topic_path(topic), "schema_settings": settings}
    )
    subscription = pubsub.subscription_path(f"{topic}-reader")
    pubsub.subscriber.create_subscription(name=subscription, topic=pubsub.topic_path(topic))
    return subscription


@pytest.mark.parametrize("encoding", ["JSON", "BINARY"])
def test_publish_accepts_only_messages_valid_under_a_revision_in_range(pubsub, encoding):
    first = create_schema(pubsub, "orders", ORDER_V1)
    second = commit(pubsub, "orders", ORDER_V2)
    subscription = schema_topic(pubsub, "orders", encoding, first.revision_id, second.revision_id)
    topic = pubsub.topic_path("orders")
    as_v2 = encode(ORDER_V2, {"id": "o-2", "amount": 2, "note": "gift"}, encoding)
    as_v1 = encode(ORDER_V1, {"id": "o-1", "amount": 1}, encoding)

    pubsub.publisher.publish(topic, as_v2).result(timeout=10)
    pubsub.publisher.publish(topic, as_v1).result(timeout=10)
    with pytest.raises(exceptions.InvalidArgument):
        pubsub.publisher.publish(topic, b'{"id": 7}' if encoding == "JSON" else b"\x07").result(
            timeout=10
        )

    received = sorted(pull(pubsub, subscription, 2), key=lambda r: r.message.data)
    by_revision = {r.message.attributes[ATTR_SCHEMA_REVISION]: r.message for r in received}
    assert set(by_revision) == {first.revision_id, second.revision_id}
    for message in by_revision.values():
        assert message.attributes[ATTR_SCHEMA_NAME] == pubsub.schema_path("orders")
        assert message.attributes[ATTR_SCHEMA_ENCODING] == encoding
    # the revision Pub/Sub names really decodes the message (fastavro as the oracle)
    assert decode(ORDER_V2, by_revision[second.revision_id].data, encoding)["note"] == "gift"
    assert decode(ORDER_V1, by_revision[first.revision_id].data, encoding) == {
        "id": "o-1",
        "amount": 1,
    }


def test_narrowing_the_revision_range_refuses_the_older_revisions_messages(pubsub):
    first = create_schema(pubsub, "orders", ORDER_V1)
    second = commit(pubsub, "orders", ORDER_V2)
    schema_topic(pubsub, "orders", "BINARY", first.revision_id)
    topic = pubsub.topic_path("orders")
    as_v1 = encode(ORDER_V1, {"id": "o-1", "amount": 1}, "BINARY")
    pubsub.publisher.publish(topic, as_v1).result(timeout=10)

    updated = pubsub.publisher.update_topic(
        request={
            "topic": {
                "name": topic,
                "schema_settings": {
                    "schema": pubsub.schema_path("orders"),
                    "encoding": types.Encoding.BINARY,
                    "first_revision_id": second.revision_id,
                    "last_revision_id": second.revision_id,
                },
            },
            "update_mask": field_mask_pb2.FieldMask(paths=["schema_settings"]),
        }
    )

    assert updated.schema_settings.first_revision_id == second.revision_id
    assert pubsub.publisher.get_topic(topic=topic).schema_settings == updated.schema_settings
    with pytest.raises(exceptions.InvalidArgument):
        pubsub.publisher.publish(topic, as_v1).result(timeout=10)
    pubsub.publisher.publish(
        topic, encode(ORDER_V2, {"id": "o-2", "amount": 2, "note": None}, "BINARY")
    ).result(timeout=10)


def test_schema_settings_must_name_a_schema_and_revisions_that_exist(pubsub):
    first = create_schema(pubsub, "orders", ORDER_V1)
    settings = {"schema": pubsub.schema_path("orders"), "encoding": types.Encoding.JSON}
    with pytest.raises(exceptions.GoogleAPICallError):
        pubsub.publisher.create_topic(
            request={
                "name": pubsub.topic_path("missing"),
                "schema_settings": {**settings, "schema": pubsub.schema_path("nope")},
            }
        )
    with pytest.raises(exceptions.GoogleAPICallError):
        pubsub.publisher.create_topic(
            request={
                "name": pubsub.topic_path("unknown-revision"),
                "schema_settings": {**settings, "last_revision_id": "deadbeef"},
            }
        )
    created = pubsub.publisher.create_topic(
        request={
            "name": pubsub.topic_path("orders"),
            "schema_settings": {**settings, "first_revision_id": first.revision_id},
        }
    )
    assert created.schema_settings.first_revision_id == first.revision_id
    topics = pubsub.publisher.list_topics(project=f"projects/{pubsub.project}")
    assert [t.name for t in topics] == [pubsub.topic_path("orders")]

    cleared = pubsub.publisher.update_topic(
        request={
            "topic": {"name": pubsub.topic_path("orders")},
            "update_mask": field_mask_pb2.FieldMask(paths=["schema_settings"]),
        }
    )
    assert not cleared.schema_settings.schema
    pubsub.publisher.publish(pubsub.topic_path("orders"), b"anything").result(timeout=10)


def test_a_revision_deleted_at_the_edge_of_a_range_leaves_the_rest_of_the_range(pubsub):
    first = create_schema(pubsub, "orders", ORDER_V1)
    second = commit(pubsub, "orders", ORDER_V2)
    schema_topic(pubsub, "orders", "BINARY", first.revision_id, second.revision_id)
    pubsub.schemas.delete_schema_revision(
        name=f"{pubsub.schema_path('orders')}@{first.revision_id}"
    )

    as_v2 = encode(ORDER_V2, {"id": "o-2", "amount": 2, "note": None}, "BINARY")
    pubsub.publisher.publish(pubsub.topic_path("orders"), as_v2).result(timeout=10)
    with pytest.raises(exceptions.InvalidArgument):
        pubsub.publisher.publish(
            pubsub.topic_path("orders"), encode(ORDER_V1, {"id": "o-1", "amount": 1}, "BINARY")
        ).result(timeout=10)


def test_a_topic_whose_schema_was_deleted_refuses_every_message(pubsub):
    create_schema(pubsub, "orders", ORDER_V1)
    schema_topic(pubsub, "orders", "JSON")
    pubsub.schemas.delete_schema(name=pubsub.schema_path("orders"))

    topic = pubsub.publisher.get_topic(topic=pubsub.topic_path("orders"))
    assert topic.schema_settings.schema == "_deleted-schema_"
    with pytest.raises(exceptions.GoogleAPICallError):
        pubsub.publisher.publish(
            pubsub.topic_path("orders"), encode(ORDER_V1, {"id": "o-1", "amount": 1}, "JSON")
        ).result(timeout=10)


def test_a_protocol_buffer_definition_is_stored(pubsub):
    definition = 'syntax = "proto3";\nmessage Order {\n  string id = 1;\n  int64 amount = 2;\n}\n'
    created = pubsub.schemas.create_schema(
        parent=f"projects/{pubsub.project}",
        schema=types.Schema(type_=types.Schema.Type.PROTOCOL_BUFFER, definition=definition),
        schema_id="orders-proto",
    )
    fetched = pubsub.schemas.get_schema(name=pubsub.schema_path("orders-proto"))
    assert fetched.type_ == types.Schema.Type.PROTOCOL_BUFFER
    assert fetched.definition == definition
    assert fetched.revision_id == created.revision_id


# -- subscriptions ---------------------------------------------------------------------------
def test_subscriptions_are_created_listed_and_updated_with_their_settings(pubsub):
    pubsub.publisher.create_topic(name=pubsub.topic_path("orders"))
    pubsub.publisher.create_topic(name=pubsub.topic_path("orders-dead"))
    name = pubsub.subscription_path("orders.billing")
    created = pubsub.subscriber.create_subscription(
        request={
            "name": name,
            "topic": pubsub.topic_path("orders"),
            "ack_deadline_seconds": 30,
            "labels": {"team": "billing"},
            "dead_letter_policy": {
                "dead_letter_topic": pubsub.topic_path("orders-dead"),
                "max_delivery_attempts": 7,
            },
        }
    )
    assert created.ack_deadline_seconds == 30
    assert created.dead_letter_policy.max_delivery_attempts == 7
    assert dict(pubsub.subscriber.get_subscription(subscription=name).labels) == {"team": "billing"}

    updated = pubsub.subscriber.update_subscription(
        request={
            "subscription": {"name": name, "ack_deadline_seconds": 60, "labels": {"team": "x"}},
            "update_mask": field_mask_pb2.FieldMask(paths=["ack_deadline_seconds", "labels"]),
        }
    )
    assert updated.ack_deadline_seconds == 60
    assert dict(updated.labels) == {"team": "x"}
    assert updated.dead_letter_policy.max_delivery_attempts == 7

    project = f"projects/{pubsub.project}"
    assert [s.name for s in pubsub.subscriber.list_subscriptions(project=project)] == [name]
    assert list(pubsub.publisher.list_topic_subscriptions(topic=pubsub.topic_path("orders"))) == [
        name
    ]
    assert (
        list(pubsub.publisher.list_topic_subscriptions(topic=pubsub.topic_path("orders-dead")))
        == []
    )


@pytest.mark.parametrize(
    "settings",
    [
        {"ack_deadline_seconds": 601},
        {"dead_letter_policy": {"max_delivery_attempts": 4}},
        {"dead_letter_policy": {"max_delivery_attempts": 101}},
    ],
)
def test_subscription_settings_outside_pub_subs_bounds_are_refused(pubsub, settings):
    pubsub.publisher.create_topic(name=pubsub.topic_path("orders"))
    if "dead_letter_policy" in settings:
        settings["dead_letter_policy"]["dead_letter_topic"] = pubsub.topic_path("orders")
    name = pubsub.subscription_path("orders.billing")
    with pytest.raises(exceptions.InvalidArgument):
        pubsub.subscriber.create_subscription(
            request={"name": name, "topic": pubsub.topic_path("orders"), **settings}
        )
    with pytest.raises(exceptions.NotFound):
        pubsub.subscriber.get_subscription(subscription=name)


def test_a_message_nacked_max_delivery_attempts_times_is_dead_lettered(pubsub):
    pubsub.publisher.create_topic(name=pubsub.topic_path("orders"))
    pubsub.publisher.create_topic(name=pubsub.topic_path("orders-dead"))
    dead = pubsub.subscription_path("orders-dead.audit")
    pubsub.subscriber.create_subscription(name=dead, topic=pubsub.topic_path("orders-dead"))
    name = pubsub.subscription_path("orders.billing")
    pubsub.subscriber.create_subscription(
        request={
            "name": name,
            "topic": pubsub.topic_path("orders"),
            "dead_letter_policy": {
                "dead_letter_topic": pubsub.topic_path("orders-dead"),
                "max_delivery_attempts": 5,
            },
        }
    )
    pubsub.publisher.publish(pubsub.topic_path("orders"), b"poison", kind="test").result(10)

    attempts = []
    for _ in range(5):
        (received,) = pull(pubsub, name, 1)
        attempts.append(received.delivery_attempt)
        pubsub.subscriber.modify_ack_deadline(
            subscription=name, ack_ids=[received.ack_id], ack_deadline_seconds=0
        )

    assert attempts == [1, 2, 3, 4, 5]
    (letter,) = pull(pubsub, dead, 1)
    assert letter.message.data == b"poison"
    assert letter.message.attributes["kind"] == "test"
    assert letter.message.attributes["CloudPubSubDeadLetterSourceDeliveryCount"] == "5"
    assert pull(pubsub, name, 1, timeout=2) == []


# -- names -----------------------------------------------------------------------------------
BAD_IDS = [
    pytest.param("ab", id="too-short"),
    pytest.param("a" * 256, id="too-long"),
    pytest.param("1orders", id="starts-with-a-digit"),
    pytest.param("goog-orders", id="starts-with-goog"),
    pytest.param("orders!now", id="forbidden-character"),
]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_names_pub_sub_cannot_accept_are_refused(pubsub, bad):
    pubsub.publisher.create_topic(name=pubsub.topic_path("orders"))
    with pytest.raises(exceptions.InvalidArgument):
        pubsub.publisher.create_topic(name=pubsub.topic_path(bad))
    with pytest.raises(exceptions.InvalidArgument):
        pubsub.subscriber.create_subscription(
            name=pubsub.subscription_path(bad), topic=pubsub.topic_path("orders")
        )
    with pytest.raises(exceptions.InvalidArgument):
        create_schema(pubsub, bad, ORDER_V1)


# -- the fake's own switches (always this fake) ----------------------------------------------
def test_a_refused_permission_reaches_the_client_and_creates_nothing(faked):
    faked.server.fake.faults.refuse("CreateSchema", grpc.StatusCode.PERMISSION_DENIED)
    with pytest.raises(exceptions.PermissionDenied):
        create_schema(faked, "orders", ORDER_V1)
    assert list(faked.schemas.list_schemas(parent=f"projects/{faked.project}")) == []


def test_unavailable_for_a_while_is_retried_by_the_client_and_counted(faked):
    faked.publisher.create_topic(name=faked.topic_path("orders"))
    fake = faked.server.fake
    fake.faults.refuse("GetTopic", grpc.StatusCode.UNAVAILABLE, times=2)
    retry = Retry(predicate=if_exception_type(exceptions.ServiceUnavailable), initial=0.01)

    topic = faked.publisher.get_topic(topic=faked.topic_path("orders"), retry=retry)

    assert topic.name == faked.topic_path("orders")
    assert fake.faults.calls["GetTopic"] == 3
    assert fake.faults.calls_by_resource[("GetTopic", faked.topic_path("orders"))] == 3
    fake.faults.refuse("*", grpc.StatusCode.UNAVAILABLE)
    with pytest.raises(exceptions.ServiceUnavailable):
        faked.publisher.get_topic(topic=faked.topic_path("orders"), retry=None)


def test_list_calls_are_paged_and_each_page_is_a_counted_call(faked):
    for n in range(5):
        faked.publisher.create_topic(name=faked.topic_path(f"topic-{n}"))
    fake = faked.server.fake
    fake.faults.reset_calls()

    pages = faked.publisher.list_topics(
        request={"project": f"projects/{faked.project}", "page_size": 2}
    )

    assert [t.name for t in pages] == [faked.topic_path(f"topic-{n}") for n in range(5)]
    assert fake.faults.calls == {"ListTopics": 3}


def test_a_deleted_topic_leaves_its_subscriptions_naming_the_deleted_topic(pubsub):
    (subscription,) = pubsub.create_topic("orders", "orders.billing")
    pubsub.publisher.delete_topic(topic=pubsub.topic_path("orders"))
    assert pubsub.subscriber.get_subscription(subscription=subscription).topic == "_deleted-topic_"


def test_an_unknown_project_is_not_found(faked):
    faked.server.fake.faults.unknown_projects.add(faked.project)
    with pytest.raises(exceptions.NotFound) as refused:
        faked.publisher.create_topic(name=faked.topic_path("orders"))
    assert faked.project in refused.value.message
    assert faked.server.fake.topics == {}
