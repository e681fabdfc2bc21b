"""Schema sync through the real google-cloud-pubsub clients against the Pub/Sub test fake."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import fastavro
import pytest
from google.api_core import exceptions
from google.pubsub_v1 import types

from tests.fakes.pubsub import FakePubSub, PubSubServer
from tests.pubsub.pubsub_registry import avro, register, set_config, status, sync, topic_status

TOPIC = "CUSTOMER_CREATED"
V1 = avro(("id", "string"))
V2 = avro(("id", "string"), ("email", "string", ""))  # FULL: a default both ways
# BACKWARD only: v3 reads v1-2's messages, but v1-2 cannot read v3's (they require `id`).
V3 = avro(("email", "string", ""), ("age", "int", 0))


@pytest.fixture
def publisher(pubsub_server: PubSubServer) -> Iterator[Any]:
    """Google's own publisher (the GAPIC client, so a refused publish fails at once)."""
    import grpc
    from google.pubsub_v1 import PublisherClient
    from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport

    client = PublisherClient(
        transport=PublisherGrpcTransport(channel=grpc.insecure_channel(pubsub_server.host))
    )
    yield client
    client.transport.close()


def binary(schema_text: str, datum: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    fastavro.schemaless_writer(out, fastavro.parse_schema(json.loads(schema_text)), datum)
    return out.getvalue()


def accepted(publisher: Any, project: str, data: bytes) -> bool:
    """Whether Pub/Sub's publish-time validation accepts `data` on the topic."""
    try:
        publisher.publish(
            topic=f"projects/{project}/topics/{TOPIC}",
            messages=[types.PubsubMessage(data=data)],
            retry=None,
            timeout=10,
        )
    except exceptions.InvalidArgument:
        return False
    return True


def settings_of(fake: FakePubSub, project: str) -> Any:
    return fake.topics[f"projects/{project}/topics/{TOPIC}"].schema_settings


def test_v1_and_a_compatible_v2_become_two_revisions_of_one_schema_and_the_range(
    make_registry: Any, fake: FakePubSub, project: str, publisher: Any
) -> None:
    client = make_registry()
    register(client, TOPIC, V1)
    register(client, TOPIC, V2)
    assert sync(client)["synced"] == [TOPIC]

    found = topic_status(client, TOPIC)
    revisions = {r["version"]: r["revisionId"] for r in found["revisions"]}
    schema_name = f"projects/{project}/schemas/{TOPIC}.gen1"
    stored = fake.schema_service.schemas[schema_name]
    assert [r.schema.revision_id for r in stored.revisions] == [revisions[1], revisions[2]]
    assert [r.schema.definition for r in stored.revisions] == [V1, V2]
    settings = settings_of(fake, project)
    assert (settings.schema, settings.first_revision_id, settings.last_revision_id) == (
        schema_name,
        revisions[1],
        revisions[2],
    )
    assert found["acceptedVersions"] == [1, 2]
    assert found["drift"] == []
    # Pub/Sub itself now accepts both versions' messages and refuses anything else.
    assert accepted(publisher, project, binary(V1, {"id": "c-1"}))
    assert accepted(publisher, project, binary(V2, {"id": "c-2", "email": "a@b"}))
    assert not accepted(publisher, project, b"\xff\xff not avro")


def test_a_second_sync_changes_nothing_in_pubsub(
    make_registry: Any, fake: FakePubSub, project: str
) -> None:
    client = make_registry()
    register(client, TOPIC, V1)
    sync(client)
    before = dict(fake.faults.calls)
    assert sync(client)["synced"] == []  # nothing owed
    writes = ("CreateSchema", "CommitSchema", "CreateTopic", "UpdateTopic", "DeleteSchemaRevision")
    assert all(fake.faults.calls[w] == before.get(w, 0) for w in writes)


def test_a_backward_only_version_is_announced_pending_and_applied_by_the_cutover(
    make_registry: Any, fake: FakePubSub, project: str, publisher: Any
) -> None:
    client = make_registry()
    register(client, TOPIC, V1)
    register(client, TOPIC, V2)
    register(client, TOPIC, V3)
    sync(client)

    found = topic_status(client, TOPIC)
    assert found["pendingCutover"] == [3]
    assert found["forecast"] == [
        "Pub/Sub will refuse version 3's messages until versions 1\u20132 are retired or you "
        f"cut over (accord pubsub cutover {TOPIC})"
    ]
    # The topic stays on generation 1: old producers keep publishing, v3's messages are refused.
    assert settings_of(fake, project).schema.endswith(".gen1")
    v1_message, v3_message = binary(V1, {"id": "c-1"}), binary(V3, {"email": "a@b", "age": 5})
    assert accepted(publisher, project, v1_message)
    assert not accepted(publisher, project, v3_message)

    answer = client.post(f"/pubsub/topics/{TOPIC}/cutover")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "topic": TOPIC,
        "fromGeneration": 1,
        "toGeneration": 2,
        "acceptedVersions": [3],
        "refusedVersions": [1, 2],
    }
    sync(client)
    assert settings_of(fake, project).schema == f"projects/{project}/schemas/{TOPIC}.gen2"
    assert accepted(publisher, project, v3_message)
    assert not accepted(publisher, project, v1_message)
    after = topic_status(client, TOPIC)
    assert after["refusedVersions"] == [1, 2]
    assert after["pendingCutover"] == []
    # Nothing left to cut over: a clear refusal, not a silent success.
    again = client.post(f"/pubsub/topics/{TOPIC}/cutover")
    assert (again.status_code, again.json()["error_code"]) == (409, 40980)


def test_retiring_the_old_versions_moves_the_topic_without_a_cutover_and_prunes_them(
    make_registry: Any, fake: FakePubSub, project: str
) -> None:
    client = make_registry()
    for schema in (V1, V2, V3):
        register(client, TOPIC, schema)
    sync(client)
    for version in (1, 2):
        assert client.delete(f"/subjects/{TOPIC}/versions/{version}").status_code == 200
    sync(client)

    assert settings_of(fake, project).schema.endswith(".gen2")
    found = topic_status(client, TOPIC)
    assert found["acceptedVersions"] == [3]
    assert found["forecast"] == []
    pruned = {r["version"]: r["pruned"] for r in found["revisions"]}
    # Version 1's revision is deleted; version 2's is generation 1's last, which Pub/Sub keeps.
    assert pruned == {1: True, 2: False, 3: False}
    gen1 = fake.schema_service.schemas[f"projects/{project}/schemas/{TOPIC}.gen1"]
    assert [r.schema.definition for r in gen1.revisions] == [V2]


def test_latest_and_json_encoding_per_topic(
    make_registry: Any, fake: FakePubSub, project: str, publisher: Any
) -> None:
    client = make_registry()
    register(client, TOPIC, V1)
    register(client, TOPIC, V2)
    echoed = set_config(client, TOPIC, pubsubRevisions="latest", pubsubEncoding="JSON")
    assert echoed == {"pubsubRevisions": "LATEST", "pubsubEncoding": "JSON"}
    assert client.get(f"/config/{TOPIC}").json()["pubsubRevisions"] == "LATEST"
    sync(client)

    found = topic_status(client, TOPIC)
    assert found["acceptedVersions"] == [2]
    settings = settings_of(fake, project)
    assert settings.encoding == types.Encoding.JSON
    assert settings.first_revision_id == settings.last_revision_id == found["lastRevisionId"]
    assert accepted(publisher, project, json.dumps({"id": "c-1", "email": "a@b"}).encode())
    assert not accepted(publisher, project, json.dumps({"id": "c-1"}).encode())  # v1 only


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"pubsubRevisions": "SOME"}, "pubsubRevisions"),
        ({"pubsubEncoding": "XML"}, "pubsubEncoding"),
        ({"pubsubEncoding": 3}, "pubsubEncoding"),
    ],
)
def test_bad_pubsub_settings_are_refused_and_store_nothing(
    make_registry: Any, body: dict[str, Any], where: str
) -> None:
    client = make_registry()
    register(client, TOPIC, V1)
    answer = client.put(f"/config/{TOPIC}", json=body)
    assert answer.status_code == 422
    assert where in answer.json()["message"]
    assert "pubsubRevisions" not in client.get(f"/config/{TOPIC}?defaultToGlobal=true").json()


def test_pubsub_settings_are_per_topic(make_registry: Any) -> None:
    client = make_registry()
    answer = client.put("/config", json={"pubsubRevisions": "LATEST"})
    assert (answer.status_code, answer.json()["error_code"]) == (422, 42281)
    assert "per topic" in answer.json()["message"]


def test_a_json_schema_topic_is_reported_as_not_enforceable(
    make_registry: Any, fake: FakePubSub, project: str
) -> None:
    client = make_registry()
    answer = client.post(
        "/subjects/ORDERS/versions",
        json={"schemaType": "JSON", "schema": json.dumps({"type": "object"})},
    )
    assert answer.status_code == 200
    assert sync(client)["failed"] == []
    found = topic_status(client, "ORDERS")
    assert found["enforceable"] is False
    assert "Pub/Sub cannot enforce JSON schemas" in found["note"]
    assert not any(name.startswith(f"projects/{project}/") for name in fake.schema_service.schemas)


def test_status_says_when_enforcement_is_off(make_registry: Any) -> None:
    client = make_registry(pubsub_project=None)
    register(client, TOPIC, V1)
    assert status(client) == {
        "enabled": False,
        "project": None,
        "driftChecked": False,
        "pubsubError": None,
        "topics": [],
    }
    answer = client.post("/pubsub/sync")
    assert (answer.status_code, answer.json()["error_code"]) == (422, 42280)
    assert "ACCORD_PUBSUB_PROJECT" in answer.json()["message"]


def test_the_check_and_the_registration_answer_say_beforehand_what_pubsub_will_do(
    make_registry: Any,
) -> None:
    client = make_registry()
    assert "pubsub" not in register(client, TOPIC, V1)
    assert "pubsub" not in register(client, TOPIC, V2)  # compatible both ways: one more revision
    sync(client)

    checked = client.post(f"/subjects/{TOPIC}/check", json={"schema": V3})
    assert checked.status_code == 200
    report = checked.json()
    assert report["ok"] is True  # BACKWARD holds: the registry accepts it
    why, then = report["notes"]
    assert why.startswith(
        f"Pub/Sub cannot take version 3 as a revision of {TOPIC}.gen1: it writes messages "
        "version 1 cannot read"
    )
    assert why.endswith(f"it starts {TOPIC}.gen2")
    assert then == (
        "Pub/Sub will refuse version 3's messages until versions 1\u20132 are retired or you "
        f"cut over (accord pubsub cutover {TOPIC})"
    )
    # The registration answer says the same, and registering changed nothing in Pub/Sub yet.
    assert register(client, TOPIC, V3)["pubsub"] == [why, then]
    assert topic_status(client, TOPIC)["acceptedVersions"] == [1, 2]
