"""End to end, the polyglot story: a producer with Google's client only (no Accord code) is held to the registry's schemas by Pub/Sub itself; every team decodes through its own contract."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import fastavro
import pytest
from google.api_core import exceptions as google_errors

from clients import MessageDecoder, RegistryClient, ValidatingPublisher
from clients.cli import run
from tests.fakes.pubsub import PubSubWorld, pubsub_world, running_fake

pytestmark = pytest.mark.slow

TOPIC = "CUSTOMER_CREATED"
V1 = {
    "type": "record",
    "name": "CustomerCreated",
    "namespace": "crm",
    "fields": [
        {"name": "customer_id", "type": "string"},
        {"name": "email", "type": "string"},
    ],
}
# v2 adds an optional field: Pub/Sub takes it as a revision (compatible both ways with v1)
V2 = {
    **V1,
    "fields": [*V1["fields"], {"name": "name", "type": ["null", "string"], "default": None}],
}
CONTRACTS: dict[str, dict[str, Any]] = {
    "marketing": {**V1, "namespace": "marketing"},
    "analysis": {
        **V1,
        "namespace": "analysis",
        "fields": [
            {"name": "customer_id", "type": "string"},
            {"name": "segment", "type": "string", "default": "unknown"},
        ],
    },
    "billing": {**V2, "namespace": "billing"},
}
WRITES = ("CreateTopic", "CreateSubscription", "UpdateSubscription", "DeleteSubscription")


@pytest.fixture
def pubsub(monkeypatch: pytest.MonkeyPatch) -> Iterator[PubSubWorld]:
    """The fake: its call counters prove that applying twice changes nothing."""
    with running_fake() as server:
        monkeypatch.setenv("PUBSUB_EMULATOR_HOST", server.host)
        with pubsub_world(server) as world:
            yield world


@pytest.fixture
def registry_url(
    pubsub: PubSubWorld,
    accord_server_factory: Callable[..., AbstractContextManager[Any]],
    tmp_path: Path,
) -> Iterator[str]:
    # The worker stays off: syncs happen when the test says (`accord pubsub sync`), not in a race.
    env = {
        "ACCORD_PUBSUB_PROJECT": pubsub.project,
        "PUBSUB_EMULATOR_HOST": pubsub.server.host,
        "ACCORD_PUBSUB_WORKER": "false",
    }
    with accord_server_factory(f"sqlite:///{tmp_path / 'accord.db'}", env=env) as server:
        yield server.url


def accord(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err)
    assert (code, err.getvalue()) == (0, ""), out.getvalue()
    return out.getvalue()


def avro_binary(schema: dict[str, Any], datum: dict[str, Any]) -> bytes:
    """What a Go or Node producer sends: Avro binary written by its own library (here fastavro)."""
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, fastavro.parse_schema(schema), datum)
    return buffer.getvalue()


def writes(pubsub: PubSubWorld) -> dict[str, int]:
    assert pubsub.server.fake is not None
    calls = pubsub.server.fake.faults.calls
    return {method: calls[method] for method in WRITES if calls[method]}


def test_a_producer_without_accord_is_held_to_the_schemas_and_read_through_contracts(
    pubsub: PubSubWorld, registry_url: str
) -> None:
    with RegistryClient(registry_url) as crm:
        crm.register_schema(TOPIC, json.dumps(V1))
        crm.register_schema(TOPIC, json.dumps(V2))
        for team, contract in CONTRACTS.items():
            crm.register_contract(TOPIC, team, json.dumps(contract))
    accord("pubsub", "sync", "--registry", registry_url)  # versions 1 and 2 become revisions
    # the sync made the topic (with its schema settings): the plan adds the teams' subscriptions
    assert "9 changes planned" in accord("pubsub", "plan", "--registry", registry_url)
    accord("pubsub", "apply", "--registry", registry_url)

    decoders = {
        team: MessageDecoder(RegistryClient(registry_url), contracts={TOPIC: contract})
        for team, contract in CONTRACTS.items()
    }
    received = {
        team: pubsub.listen(pubsub.subscription_path(f"{TOPIC}.{team}"), decoder.decode)
        for team, decoder in decoders.items()
    }

    # The producer: Google's PublisherClient and its own Avro library, no Accord code.
    path = pubsub.topic_path(TOPIC)
    v2 = {"customer_id": "c-2", "email": "b@example.com", "name": "Bea"}
    v1 = {"customer_id": "c-1", "email": "a@example.com"}
    pubsub.publisher.publish(path, avro_binary(V2, v2)).result(timeout=30)
    pubsub.publisher.publish(path, avro_binary(V1, v1)).result(timeout=30)
    for broken in (b'{"customer_id": "c-3"}', avro_binary({**V1, "fields": V1["fields"][:1]}, v1)):
        with pytest.raises(google_errors.InvalidArgument, match="schema validation"):
            pubsub.publisher.publish(path, broken).result(timeout=30)

    for found in received.values():
        assert found.wait_for(2)
        assert found.errors == []
    by_id = {team: {r["customer_id"]: r for r in found.results} for team, found in received.items()}
    assert by_id["marketing"] == {
        "c-1": {"customer_id": "c-1", "email": "a@example.com"},
        "c-2": {"customer_id": "c-2", "email": "b@example.com"},
    }
    assert by_id["analysis"] == {
        "c-1": {"customer_id": "c-1", "segment": "unknown"},
        "c-2": {"customer_id": "c-2", "segment": "unknown"},
    }
    assert by_id["billing"] == {"c-1": {**v1, "name": None}, "c-2": v2}
    accepted = pubsub.published(TOPIC)
    assert len(accepted) == 2  # never the invalid ones
    assert {m.attributes["googclient_schemaencoding"] for m in accepted} == {"BINARY"}
    assert len({m.attributes["googclient_schemarevisionid"] for m in accepted}) == 2

    # A fourth team subscribes on its own, without a contract: reported as uncontracted.
    pubsub.subscriber.create_subscription(
        name=pubsub.subscription_path(f"{TOPIC}.finance"), topic=path
    )
    before = writes(pubsub)
    out = accord("pubsub", "apply", "--registry", registry_url)
    assert "already matches the registry" in out
    assert f"{TOPIC}.finance on {TOPIC} (team finance, no contract)" in out
    assert writes(pubsub) == before  # apply twice: no change made
    for decoder in decoders.values():
        decoder.registry.close()


def test_the_publisher_encodes_in_the_topics_pubsub_encoding(
    pubsub: PubSubWorld, registry_url: str
) -> None:
    with RegistryClient(registry_url) as crm:
        crm.register_schema(TOPIC, json.dumps(V1))
        crm.request("PUT", f"/config/{TOPIC}", json={"pubsubEncoding": "JSON"})
        accord("pubsub", "sync", "--registry", registry_url)
        marketing = MessageDecoder(crm, contracts={TOPIC: CONTRACTS["marketing"]})
        subscription = pubsub.subscription_path(f"{TOPIC}.marketing")
        pubsub.subscriber.create_subscription(name=subscription, topic=pubsub.topic_path(TOPIC))
        received = pubsub.listen(subscription, marketing.decode)
        publisher = ValidatingPublisher(crm, pubsub.publisher, project_id=pubsub.project)
        publisher.publish(TOPIC, {"customer_id": "c-1", "email": "a@example.com"}).result(30)
        assert received.wait_for(1)
        assert received.errors == []
        assert received.results == [{"customer_id": "c-1", "email": "a@example.com"}]
        [accepted] = pubsub.published(TOPIC)
        assert accepted.attributes["googclient_schemaencoding"] == "JSON"
        assert json.loads(accepted.data) == {"customer_id": "c-1", "email": "a@example.com"}
