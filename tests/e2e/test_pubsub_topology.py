"""End to end: `accord pubsub plan|apply|topology` on a real `accord serve`, Google's own clients against the Pub/Sub test fake."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import fastavro
import pytest

from clients import RegistryClient
from clients.cli import run
from tests.fakes.pubsub import PubSubWorld, pubsub_world, running_pubsub

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
# v2 adds an optional field: compatible both ways with v1
V2 = {
    **V1,
    "fields": [*V1["fields"], {"name": "name", "type": ["null", "string"], "default": None}],
}
CONTRACTS = {
    "marketing": {**V1, "namespace": "marketing"},
    "analysis": {**V1, "namespace": "analysis", "fields": [V1["fields"][0]]},
    "billing": {
        **V1,
        "namespace": "billing",
        "fields": [V1["fields"][0], {"name": "email", "type": "string"}],
    },
}
WRITES = ("CreateTopic", "CreateSubscription", "UpdateSubscription", "DeleteSubscription")


@pytest.fixture
def pubsub(monkeypatch: pytest.MonkeyPatch) -> Iterator[PubSubWorld]:
    with running_pubsub() as server:
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


def accord(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def avro_binary(schema: dict[str, Any], datum: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, fastavro.parse_schema(schema), datum)
    return buffer.getvalue()


def writes(pubsub: PubSubWorld) -> dict[str, int] | None:
    """Pub/Sub's admin writes so far, counted by the fake (None on an external emulator)."""
    if pubsub.server.fake is None:
        return None
    calls = pubsub.server.fake.faults.calls
    return {method: calls[method] for method in WRITES if calls[method]}


def test_plan_apply_and_the_uncontracted_fourth_team(
    pubsub: PubSubWorld, registry_url: str
) -> None:
    with RegistryClient(registry_url) as crm:
        crm.register_schema(TOPIC, json.dumps(V1))
        crm.register_schema(TOPIC, json.dumps(V2))
        for team, contract in CONTRACTS.items():
            crm.register_contract(TOPIC, team, json.dumps(contract))

    code, out, err = accord("pubsub", "plan", "--registry", registry_url)
    assert (code, err) == (0, "")
    assert f"10 changes planned for Pub/Sub project {pubsub.project}" in out
    assert (
        f"  + subscription {TOPIC}.marketing on {TOPIC}, ack deadline 60 s, dead letters to "
        f"{TOPIC}.marketing.dead-letter after 5 attempts" in out
    )
    assert "Contracts without a subscription:" in out
    assert writes(pubsub) in ({}, None)  # a plan changes nothing

    code, out, err = accord("pubsub", "apply", "--registry", registry_url, "--format", "json")
    assert (code, err) == (0, "")
    applied = json.loads(out)
    assert len(applied["actions"]) == 10
    after_first = writes(pubsub)
    assert after_first in ({"CreateTopic": 4, "CreateSubscription": 6}, None)

    # A producer with Google's client only (no Accord code) publishes; every contracted team's
    # subscription, made by apply, receives the message.
    payload = avro_binary(V2, {"customer_id": "c-1", "email": "a@example.com", "name": None})
    pubsub.publisher.publish(pubsub.topic_path(TOPIC), payload).result(timeout=30)
    for team in CONTRACTS:
        pulled = pubsub.subscriber.pull(
            subscription=pubsub.subscription_path(f"{TOPIC}.{team}"), max_messages=10, timeout=10
        )
        assert [m.message.data for m in pulled.received_messages] == [payload]

    # A fourth team subscribes on its own, without a contract: reported, never deleted.
    pubsub.subscriber.create_subscription(
        name=pubsub.subscription_path(f"{TOPIC}.finance"), topic=pubsub.topic_path(TOPIC)
    )
    before_second = writes(pubsub)
    code, out, err = accord("pubsub", "apply", "--prune", "--registry", registry_url)
    assert (code, err) == (0, "")
    assert f"Pub/Sub project {pubsub.project} already matches the registry." in out
    assert "Uncontracted subscriptions (a consumer Accord cannot protect):" in out
    assert f"  {TOPIC}.finance on {TOPIC} (team finance, no contract)" in out
    assert writes(pubsub) == before_second  # applying again changed nothing

    code, out, err = accord("pubsub", "topology", "--registry", registry_url)
    assert (code, err) == (0, "")
    assert f"  topic {TOPIC} (versions 1, 2)" in out
    assert f"    {TOPIC}.billing -> billing (contract version 1)" in out
    assert f"    {TOPIC}.finance -> finance (UNCONTRACTED: Accord cannot protect it)" in out


def test_a_registry_without_pubsub_says_how_to_turn_it_on(accord_server: Any) -> None:
    code, out, err = accord("pubsub", "plan", "--registry", accord_server.url)
    assert code == 2
    assert out == ""
    assert "ACCORD_PUBSUB_PROJECT" in err
    assert err.count("\n") == 1
