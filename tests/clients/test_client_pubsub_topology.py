"""RegistryClient's Pub/Sub calls (plan, apply, topology, revision, encoding) and the clients' caches of what they answer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from clients import RegistryClient, RegistryError
from clients._pubsub_topics import PubSubWriters, TopicEncodings, pubsub_origin
from clients.errors import DecodeError, SchemaNotFound
from tests.support.clock import Clock

PLAN = {
    "project": "acme",
    "prune": False,
    "inSync": False,
    "actions": [
        {
            "action": "CREATE_SUBSCRIPTION",
            "resource": "ORDERS.billing",
            "accordTopic": "ORDERS",
            "topic": "ORDERS",
            "team": "billing",
            "ackDeadlineSeconds": 60,
            "deadLetterTopic": "ORDERS.billing.dead-letter",
            "maxDeliveryAttempts": 5,
            "changes": [],
            "reason": "team 'billing' has contract version 2",
        }
    ],
    "uncontractedSubscriptions": [
        {"subscription": "ORDERS.x", "topic": "ORDERS", "team": "x", "managedByAccord": False}
    ],
    "contractsWithoutSubscription": [
        {
            "topic": "ORDERS",
            "team": "billing",
            "contractVersion": 2,
            "subscription": "ORDERS.billing",
            "reason": "no subscription of this name exists",
        }
    ],
    "problems": [{"topic": "Café", "resource": "Café", "message": "Pub/Sub cannot accept it"}],
}
TOPOLOGY = {
    "project": "acme",
    "producers": [
        {
            "team": "shop",
            "topics": [
                {
                    "topic": "ORDERS",
                    "liveVersions": [1],
                    "exists": True,
                    "subscriptions": [],
                    "uncontractedSubscriptions": [],
                }
            ],
        }
    ],
    "problems": [],
}
REVISION = {
    "subject": "ORDERS",
    "version": 2,
    "id": 7,
    "schemaType": "AVRO",
    "schema": '{"type": "record", "name": "Order", "fields": []}',
    "pubsubSchema": "projects/acme/schemas/ORDERS",
    "revisionId": "0a1b2c3d",
}


def answering(handle: Callable[[httpx.Request], httpx.Response], **options: Any) -> RegistryClient:
    http = httpx.Client(transport=httpx.MockTransport(handle))
    return RegistryClient("http://registry.test", http=http, max_retries=0, **options)


def recording(answer: Any, seen: list[httpx.Request], status: int = 200) -> RegistryClient:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=answer)

    return answering(handle)


@pytest.mark.parametrize(
    ("call", "method", "path", "prune"),
    [
        (lambda c: c.pubsub_plan(), "GET", "/pubsub/plan", "false"),
        (lambda c: c.pubsub_plan(prune=True), "GET", "/pubsub/plan", "true"),
        (lambda c: c.pubsub_apply(prune=True), "POST", "/pubsub/apply", "true"),
    ],
)
def test_plan_and_apply_send_prune_and_read_every_part(
    call: Callable[[RegistryClient], Any], method: str, path: str, prune: str
) -> None:
    seen: list[httpx.Request] = []
    plan = call(recording(PLAN, seen))
    [request] = seen
    assert (request.method, request.url.path, request.url.params["prune"]) == (method, path, prune)
    assert plan.project == "acme"
    assert not plan.in_sync
    [change] = plan.changes
    assert (change.action, change.resource, change.dead_letter_topic) == (
        "CREATE_SUBSCRIPTION",
        "ORDERS.billing",
        "ORDERS.billing.dead-letter",
    )
    assert [u.team for u in plan.uncontracted] == ["x"]
    assert [c.contract_version for c in plan.unsubscribed] == [2]
    assert [p.topic for p in plan.problems] == ["Café"]
    assert plan.body == PLAN


def test_topology_is_read_with_its_shape_checked() -> None:
    seen: list[httpx.Request] = []
    found = recording(TOPOLOGY, seen).pubsub_topology()
    assert seen[0].url.path == "/pubsub/topology"
    assert found.producers[0]["topics"][0]["topic"] == "ORDERS"


@pytest.mark.parametrize(
    ("call", "body"),
    [
        (lambda c: c.pubsub_plan(), {**PLAN, "actions": [{"action": "CREATE_TOPIC"}]}),
        (lambda c: c.pubsub_plan(), {**PLAN, "inSync": "no"}),
        (lambda c: c.pubsub_apply(), {**PLAN, "problems": "none"}),
        (lambda c: c.pubsub_apply(), [PLAN]),
        (lambda c: c.pubsub_topology(), {**TOPOLOGY, "producers": [{"team": "x"}]}),
        (lambda c: c.pubsub_topology(), {"project": 1, "producers": [], "problems": []}),
        (lambda c: c.pubsub_revision("projects/a/schemas/S", "r1"), {**REVISION, "id": "7"}),
        (lambda c: c.pubsub_revision("projects/a/schemas/S", "r1"), {"id": 7, "schema": "{}"}),
        (lambda c: c.pubsub_encoding("ORDERS"), {"pubsubEncoding": "PROTO"}),
        (lambda c: c.pubsub_encoding("ORDERS"), ["BINARY"]),
    ],
)
def test_an_answer_of_another_shape_is_a_registry_error(
    call: Callable[[RegistryClient], Any], body: Any
) -> None:
    with pytest.raises(RegistryError) as raised:
        call(recording(body, []))
    assert type(raised.value) is RegistryError
    assert raised.value.status == 200


def test_a_revision_is_read_with_its_topic_version_and_schema_id() -> None:
    seen: list[httpx.Request] = []
    client = recording(REVISION, seen)
    found = client.pubsub_revision("projects/acme/schemas/ORDERS", "0a1b2c3d")
    assert seen[0].url.path == "/pubsub/revisions/0a1b2c3d"
    assert seen[0].url.params["schema"] == "projects/acme/schemas/ORDERS"
    assert (found.topic, found.version, found.schema_id) == ("ORDERS", 2, 7)
    client.get_schema(7)  # the schema by id came with the answer: no second request
    assert len(seen) == 1


def test_a_topic_encoding_defaults_to_binary_and_follows_the_config() -> None:
    seen: list[httpx.Request] = []
    assert recording({"compatibilityLevel": "BACKWARD"}, seen).pubsub_encoding("A B") == "BINARY"
    assert seen[0].url.raw_path == b"/config/A%20B?defaultToGlobal=true"
    answer = {"compatibilityLevel": "BACKWARD", "pubsubEncoding": "JSON"}
    assert recording(answer, []).pubsub_encoding("ORDERS") == "JSON"


# -- the caches ----------------------------------------------------------------------------------


def test_topic_encodings_are_fresh_for_the_ttl_then_asked_again() -> None:
    answers = ["JSON", "BINARY"]
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"pubsubEncoding": answers[0]})

    clock = Clock()
    encodings = TopicEncodings(answering(handle, latest_ttl=30, clock=clock), clock=clock)
    assert encodings.encoding("ORDERS") == "json"
    clock.now = 29
    assert encodings.encoding("ORDERS") == "json"
    assert len(seen) == 1
    answers.pop(0)
    clock.now = 31
    assert encodings.encoding("ORDERS") == "binary"
    assert len(seen) == 2


def test_topic_encodings_survive_an_outage_and_a_restart(tmp_path: Path) -> None:
    down = {"now": False}

    def handle(request: httpx.Request) -> httpx.Response:
        if down["now"]:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={"pubsubEncoding": "JSON"})

    clock = Clock()
    first = TopicEncodings(
        answering(handle, latest_ttl=1, clock=clock, cache_dir=tmp_path), clock=clock
    )
    assert first.encoding("ORDERS") == "json"
    down["now"] = True
    clock.now = 5
    assert first.encoding("ORDERS") == "json"  # the last one known, from memory
    restarted = TopicEncodings(answering(handle, cache_dir=tmp_path, outage_cooldown=0))
    assert restarted.encoding("ORDERS") == "json"  # from the cache directory
    assert restarted.encoding("NEVER_SEEN") == "binary"  # Pub/Sub's default


def test_pubsub_writers_ask_once_per_revision_and_remember_it_on_disk(tmp_path: Path) -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=REVISION)

    attributes = {
        "googclient_schemaname": "projects/acme/schemas/ORDERS",
        "googclient_schemarevisionid": "0a1b2c3d",
        "googclient_schemaencoding": "JSON",
    }
    writers = PubSubWriters(answering(handle, cache_dir=tmp_path))
    found = writers.writer(attributes)
    assert found is not None
    assert (found.schema.topic, found.schema.version, found.encoding) == ("ORDERS", 2, "json")
    writers.writer(attributes)
    assert len(seen) == 1
    restarted = PubSubWriters(answering(handle, cache_dir=tmp_path))
    again = restarted.writer(attributes)
    assert again is not None
    assert (again.schema.topic, again.schema.version, again.schema.schema_id) == ("ORDERS", 2, 7)
    assert len(seen) == 1


def test_a_revision_the_registry_never_synced_is_a_decode_error() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"error_code": 40480, "message": "no such revision"})

    attributes = {
        "googclient_schemaname": "projects/acme/schemas/ORDERS",
        "googclient_schemarevisionid": "ffffffff",
        "googclient_schemaencoding": "BINARY",
    }
    with pytest.raises(DecodeError, match="which the registry did not sync: no such revision"):
        PubSubWriters(answering(handle)).writer(attributes)
    with pytest.raises(SchemaNotFound):
        answering(handle).pubsub_revision("projects/acme/schemas/ORDERS", "ffffffff")


@pytest.mark.parametrize(
    ("attributes", "problem"),
    [
        ({"googclient_schemaname": "projects/a/schemas/S"}, "without a revision"),
        ({"googclient_schemarevisionid": "r"}, "without a revision"),
        (
            {
                "googclient_schemaname": "projects/a/schemas/S",
                "googclient_schemarevisionid": "r",
                "googclient_schemaencoding": "PROTO",
            },
            "Pub/Sub writes BINARY or JSON",
        ),
    ],
)
def test_pubsub_attributes_that_do_not_go_together_are_a_decode_error(
    attributes: dict[str, str], problem: str
) -> None:
    with pytest.raises(DecodeError, match=problem):
        pubsub_origin(attributes)


def test_a_message_without_pubsub_attributes_has_no_pubsub_origin() -> None:
    assert pubsub_origin({"accord_schema_id": "1"}) is None
