"""End to end: a real `accord serve` process, the real google-cloud-pubsub clients, CRM → Marketing/Analysis.

The Pub/Sub server is the test fake in tests/fakes (or PUBSUB_EMULATOR_HOST when set). The outage
test kills the registry process mid-stream and counts, on the subscriber side, that no valid
message was lost.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from clients import (
    ATTR_SCHEMA_ID,
    InvalidMessage,
    MessageDecoder,
    RegistryClient,
    UnknownTopic,
    ValidatingPublisher,
)
from tests.fakes.pubsub_server import PubSubServer, PubSubWorld, pubsub_world, running_pubsub

pytestmark = pytest.mark.slow

TOPIC = "CUSTOMER_CREATED"
CUSTOMER_CREATED = json.dumps(
    {
        "type": "record",
        "name": "CustomerCreated",
        "namespace": "crm",
        "fields": [
            {"name": "customer_id", "type": "string"},
            {"name": "email", "type": "string"},
            {"name": "name", "type": "string"},
            {"name": "created_at", "type": "long"},
        ],
    }
)
MARKETING = {
    "type": "record",
    "name": "CustomerCreated",
    "namespace": "marketing",
    "fields": [
        {"name": "customer_id", "type": "string"},
        {"name": "email", "type": "string"},
    ],
}
ANALYSIS = {
    "type": "record",
    "name": "CustomerCreated",
    "namespace": "analysis",
    "fields": [
        {"name": "customer_id", "type": "string"},
        {"name": "created_at", "type": "long"},
        {"name": "segment", "type": "string", "default": "unknown"},
    ],
}
EMAIL_SENT = json.dumps(
    {
        "type": "object",
        "properties": {
            "email_id": {"type": "string"},
            "to": {"type": "string", "format": "email"},
            "campaign": {"type": "string"},
        },
        "required": ["email_id", "to"],
    }
)
EMAIL_SENT_CONTRACT = {
    "type": "object",
    "properties": {"email_id": {"type": "string"}},
    "required": ["email_id"],
}


def customer(n: int) -> dict[str, Any]:
    return {
        "customer_id": f"c-{n}",
        "email": f"customer{n}@example.com",
        "name": f"Customer {n}",
        "created_at": 1_700_000_000_000 + n,
    }


@pytest.fixture
def connect() -> Iterator[Callable[..., RegistryClient]]:
    """RegistryClient factory: every client (and its sockets) is closed after the test."""
    made: list[RegistryClient] = []

    def make(url: str, **options: Any) -> RegistryClient:
        made.append(RegistryClient(url, **options))
        return made[-1]

    yield make
    for client in made:
        client.close()


@pytest.fixture(scope="module")
def pubsub_server() -> Iterator[PubSubServer]:
    with running_pubsub() as server, pytest.MonkeyPatch.context() as patch:
        patch.setenv("PUBSUB_EMULATOR_HOST", server.host)
        yield server


@pytest.fixture
def pubsub(pubsub_server: PubSubServer) -> Iterator[PubSubWorld]:
    with pubsub_world(pubsub_server) as world:
        yield world


def by_customer(results: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["customer_id"]: r for r in results}


# -- the scenario --------------------------------------------------------------------------------
def test_crm_publishes_and_each_team_decodes_its_own_shape(accord_server, pubsub, connect):
    crm_registry = connect(accord_server.url)
    crm_registry.register_schema(TOPIC, CUSTOMER_CREATED)
    crm_registry.register_schema("EMAIL_SENT", EMAIL_SENT, "JSON")
    marketing_sub, analysis_sub = pubsub.create_topic(TOPIC, "marketing", "analysis")
    (analysis_email_sub,) = pubsub.create_topic("EMAIL_SENT", "analysis-email")

    # Each team has its own process, hence its own registry client and decoder.
    marketing = MessageDecoder(connect(accord_server.url), contracts={TOPIC: MARKETING})
    analysis = MessageDecoder(
        connect(accord_server.url),
        contracts={TOPIC: ANALYSIS, "EMAIL_SENT": EMAIL_SENT_CONTRACT},
    )
    got_marketing = pubsub.listen(marketing_sub, marketing.decode)
    got_analysis = pubsub.listen(analysis_sub, analysis.decode)
    got_emails = pubsub.listen(analysis_email_sub, analysis.decode)

    crm = ValidatingPublisher(crm_registry, pubsub.publisher, project_id=pubsub.project)
    refused = 0
    for n in range(60):
        if n % 10 == 9:  # a bug in CRM: a message without the email marketing needs
            broken = customer(n)
            del broken["email"]
            with pytest.raises(InvalidMessage, match="/email"):
                crm.publish(TOPIC, broken)
            refused += 1
        else:
            crm.publish(TOPIC, customer(n))
    crm.publish("EMAIL_SENT", {"email_id": "e-1", "to": "a@example.com", "campaign": "x"})
    with pytest.raises(InvalidMessage):
        crm.publish("EMAIL_SENT", {"to": "a@example.com"})
    sent = [n for n in range(60) if n % 10 != 9]

    assert got_marketing.wait_for(len(sent))
    assert got_analysis.wait_for(len(sent))
    assert got_emails.wait_for(1)
    assert got_marketing.errors == got_analysis.errors == got_emails.errors == []
    assert by_customer(got_marketing.results) == {
        f"c-{n}": {"customer_id": f"c-{n}", "email": f"customer{n}@example.com"} for n in sent
    }
    assert by_customer(got_analysis.results) == {
        f"c-{n}": {
            "customer_id": f"c-{n}",
            "created_at": 1_700_000_000_000 + n,
            "segment": "unknown",
        }
        for n in sent
    }
    assert got_emails.results == [{"email_id": "e-1", "to": "a@example.com", "campaign": "x"}]
    assert refused == 6
    received = pubsub.published(TOPIC)  # what the Pub/Sub server itself accepted
    assert len(received) == len(sent)  # never the invalid ones
    assert {m.attributes[ATTR_SCHEMA_ID] for m in received} == {"1"}
    assert len(pubsub.published("EMAIL_SENT")) == 1


def test_registry_killed_mid_stream_loses_no_valid_message(
    accord_server, pubsub, connect, tmp_path, caplog
):
    connect(accord_server.url).register_schema(TOPIC, CUSTOMER_CREATED)
    marketing_sub, analysis_sub = pubsub.create_topic(TOPIC, "marketing", "analysis")
    cache_dir = tmp_path / "crm-cache"
    # A short TTL so that the publisher keeps going back to the registry during the stream.
    crm_registry = connect(
        accord_server.url,
        cache_dir=cache_dir,
        latest_ttl=0.05,
        max_retries=1,
        backoff=0.01,
        outage_cooldown=0.2,
        timeout=3.0,  # generous: a slow answer before the kill must not look like an outage
    )
    # The consumers started before the outage and hold the writer schema by id.
    marketing = MessageDecoder(connect(accord_server.url), contracts={TOPIC: MARKETING})
    analysis = MessageDecoder(connect(accord_server.url), contracts={TOPIC: ANALYSIS})
    marketing.registry.get_schema(1)  # warm, as a consumer that has been running is
    analysis.registry.get_schema(1)
    got_marketing = pubsub.listen(marketing_sub, marketing.decode)
    got_analysis = pubsub.listen(analysis_sub, analysis.decode)

    crm = ValidatingPublisher(crm_registry, pubsub.publisher, project_id=pubsub.project)
    total = 300
    published = threading.Event()
    halfway = threading.Event()
    halfway_killed = threading.Event()
    failures: list[BaseException] = []
    futures: list[Any] = []

    def stream() -> None:
        try:
            for n in range(total):
                futures.append(crm.publish(TOPIC, customer(n)))
                if n == total // 3:
                    halfway.set()
                    halfway_killed.wait(10)
                time.sleep(0.002)
        except BaseException as exc:
            failures.append(exc)
        finally:
            published.set()

    with caplog.at_level(logging.WARNING, logger="clients.publisher"):
        producer = threading.Thread(target=stream)
        producer.start()
        assert halfway.wait(20)
        accord_server.process.kill()  # SIGKILL: the registry process is gone, its port refuses
        accord_server.process.wait(timeout=10)
        halfway_killed.set()
        producer.join(60)
        assert published.is_set()
        assert failures == []
        with pytest.raises(InvalidMessage):  # still validating, from the cache
            crm.publish(TOPIC, {"customer_id": "c-x"})
        with pytest.raises(UnknownTopic, match="never seen"):
            crm.publish("EMAIL_SENT", {"email_id": "e-1", "to": "a@example.com"})

        # A producer restarted during the outage publishes from its cache directory.
        restarted = ValidatingPublisher(
            connect(accord_server.url, cache_dir=cache_dir, max_retries=0),
            pubsub.publisher,
            project_id=pubsub.project,
        )
        for n in range(total, total + 20):
            futures.append(restarted.publish(TOPIC, customer(n)))

    ids = {f.result(timeout=20) for f in futures}
    assert len(ids) == total + 20
    assert got_marketing.wait_for(total + 20, timeout=30)
    assert got_analysis.wait_for(total + 20, timeout=30)
    assert got_marketing.errors == got_analysis.errors == []
    expected = {f"c-{n}" for n in range(total + 20)}
    assert set(by_customer(got_marketing.results)) == expected  # 0 valid messages lost
    assert set(by_customer(got_analysis.results)) == expected
    assert crm.published_from_cache > 0
    assert crm.registry_outages == 1
    assert restarted.published_from_cache == 20
    outage_warnings = [r for r in caplog.records if "registry unreachable" in r.getMessage()]
    assert len(outage_warnings) == 2  # one for each publisher, not one per message
    assert os.listdir(cache_dir)  # what the restarted producer read
