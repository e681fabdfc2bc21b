"""Drift reported and repaired; Pub/Sub's refusals said clearly, nothing half-applied, the registry unaffected."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.pubsub_v1 import types

from tests.fakes.pubsub import FakePubSub
from tests.pubsub.pubsub_registry import avro, register, status, sync, topic_status

TOPIC = "CUSTOMER_CREATED"
V1 = avro(("id", "string"))
V2 = avro(("id", "string"), ("email", "string", ""))
FOREIGN = avro(("id", "string"), ("phone", "string", ""))


def admin_clients(fake: FakePubSub, host: str) -> tuple[Any, Any]:
    """Google's admin clients, as someone changing Pub/Sub behind Accord's back would use them."""
    from google.pubsub_v1 import PublisherClient, SchemaServiceClient
    from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport
    from google.pubsub_v1.services.schema_service.transports import SchemaServiceGrpcTransport

    return (
        PublisherClient(transport=PublisherGrpcTransport(channel=grpc.insecure_channel(host))),
        SchemaServiceClient(
            transport=SchemaServiceGrpcTransport(channel=grpc.insecure_channel(host))
        ),
    )


def test_drift_is_reported_and_repaired(
    make_registry: Any, fake: FakePubSub, project: str, pubsub_server: Any
) -> None:
    client = make_registry()
    register(client, TOPIC, V1)
    register(client, TOPIC, V2)
    sync(client)
    synced = topic_status(client, TOPIC)
    publisher, schemas = admin_clients(fake, pubsub_server.host)
    topic_path = f"projects/{project}/topics/{TOPIC}"
    schema_name = f"projects/{project}/schemas/{TOPIC}.gen1"
    try:
        # Someone narrows the topic to version 2 and commits a revision of their own.
        publisher.update_topic(
            request=types.UpdateTopicRequest(
                topic=types.Topic(
                    name=topic_path,
                    schema_settings=types.SchemaSettings(
                        schema=schema_name,
                        encoding=types.Encoding.BINARY,
                        first_revision_id=synced["lastRevisionId"],
                        last_revision_id=synced["lastRevisionId"],
                    ),
                ),
                update_mask={"paths": ["schema_settings"]},
            )
        )
        foreign = schemas.commit_schema(
            name=schema_name,
            schema=types.Schema(name=schema_name, type_=types.Schema.Type.AVRO, definition=FOREIGN),
        )
    finally:
        publisher.transport.close()
        schemas.transport.close()

    drift = topic_status(client, TOPIC)["drift"]
    assert drift == [
        "schema settings changed outside Accord: first revision "
        f"{synced['lastRevisionId']} (Accord set {synced['firstRevisionId']})",
        f"revision {foreign.revision_id} of {schema_name} was committed outside Accord",
    ]
    assert sync(client)["synced"] == []  # a plain sync owes nothing: drift waits for --repair
    repaired = sync(client, repair=True)
    assert repaired["repaired"] == [TOPIC]
    assert topic_status(client, TOPIC)["drift"] == []
    settings = fake.topics[topic_path].schema_settings
    assert settings.first_revision_id == synced["firstRevisionId"]
    stored = fake.schema_service.schemas[schema_name]
    assert [r.schema.definition for r in stored.revisions] == [V1, V2]


def test_a_commit_whose_record_was_lost_is_adopted_not_repeated(
    make_registry: Any, fake: FakePubSub, project: str, pubsub_server: Any
) -> None:
    """A crash after CommitSchema but before the mapping was stored: the next run finds the
    revision by its definition."""
    client = make_registry()
    register(client, TOPIC, V1)
    sync(client)
    register(client, TOPIC, V2)
    _, schemas = admin_clients(fake, pubsub_server.host)
    schema_name = f"projects/{project}/schemas/{TOPIC}.gen1"
    try:
        lost = schemas.commit_schema(
            name=schema_name,
            schema=types.Schema(name=schema_name, type_=types.Schema.Type.AVRO, definition=V2),
        )
    finally:
        schemas.transport.close()
    fake.faults.reset_calls()
    sync(client)
    assert fake.faults.calls["CommitSchema"] == 0
    revisions = {r["version"]: r["revisionId"] for r in topic_status(client, TOPIC)["revisions"]}
    assert revisions[2] == lost.revision_id


def test_a_topic_name_pubsub_cannot_accept_is_said_before_any_call(
    make_registry: Any, fake: FakePubSub
) -> None:
    client = make_registry()
    register(client, "ab", V1)  # a fine registry subject, too short for a Pub/Sub ID
    register(client, TOPIC, V1)
    fake.faults.reset_calls()
    report = sync(client)
    assert report["synced"] == [TOPIC]
    [failure] = report["failed"]
    assert failure["topic"] == "ab"
    assert (
        "cannot be a Pub/Sub topic or schema ID: it must be 3 to 255 characters"
        in (failure["error"])
    )
    touched = {resource for _, resource in fake.faults.calls_by_resource}
    assert not any(resource.endswith(("/ab", "/ab.gen1")) for resource in touched)
    # The registry itself is unaffected.
    assert client.get("/subjects/ab/versions/1").status_code == 200


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("permission", "no permission (PERMISSION_DENIED: User not authorized"),
        ("project", "does not exist or is not accessible (PROJECT_NOT_FOUND"),
    ],
)
def test_refusals_are_clear_in_status_and_leave_nothing_half_applied(
    make_registry: Any, fake: FakePubSub, project: str, fault: str, said: str
) -> None:
    client = make_registry()
    if fault == "permission":
        fake.faults.refuse("*", grpc.StatusCode.PERMISSION_DENIED)
    else:
        fake.faults.unknown_projects.add(project)
    try:
        register(client, TOPIC, V1)
        [failure] = sync(client)["failed"]
        assert said in failure["error"]
        found = status(client)
        assert said in found["pubsubError"]
        assert found["driftChecked"] is False
        [topic] = found["topics"]
        assert said in topic["error"]
        assert topic["revisions"] == []
        assert topic["lastSync"] is None
    finally:
        fake.faults.clear()
    assert not any(name.startswith(f"projects/{project}/") for name in fake.topics)
    assert sync(client)["synced"] == [TOPIC]


def test_a_schema_created_before_a_crash_is_adopted_not_created_again(
    make_registry: Any, fake: FakePubSub, project: str, pubsub_server: Any
) -> None:
    """A crash after CreateSchema (Accord creates a new generation without looking first):
    Pub/Sub answers ALREADY_EXISTS, and the revision it holds is adopted."""
    client = make_registry()
    register(client, TOPIC, V1)
    register(client, TOPIC, V2)
    _, schemas = admin_clients(fake, pubsub_server.host)
    try:
        created = schemas.create_schema(
            parent=f"projects/{project}",
            schema=types.Schema(type_=types.Schema.Type.AVRO, definition=V1),
            schema_id=f"{TOPIC}.gen1",
        )
    finally:
        schemas.transport.close()
    fake.faults.reset_calls()
    assert sync(client)["synced"] == [TOPIC]
    assert (fake.faults.calls["CreateSchema"], fake.faults.calls["CommitSchema"]) == (1, 1)
    revisions = {r["version"]: r["revisionId"] for r in topic_status(client, TOPIC)["revisions"]}
    assert revisions[1] == created.revision_id
    stored = fake.schema_service.schemas[f"projects/{project}/schemas/{TOPIC}.gen1"]
    assert [r.schema.definition for r in stored.revisions] == [V1, V2]
