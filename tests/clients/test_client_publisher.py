"""ValidatingPublisher through the real google-cloud-pubsub client, on the Pub/Sub test fake."""

from __future__ import annotations

import io
import json
import logging
import threading
from pathlib import Path
from typing import Any

import fastavro
import pytest

from clients import (
    ATTR_ENCODING,
    ATTR_SCHEMA_ID,
    ATTR_SCHEMA_TYPE,
    ATTR_SCHEMA_VERSION,
    ATTR_TOPIC,
    InvalidMessage,
    RegistryClient,
    UnknownTopic,
    ValidatingPublisher,
)
from tests.clients.client_scenario import (
    CUSTOMER_CREATED_AVRO_V1,
    CUSTOMER_CREATED_AVRO_V2,
    CUSTOMER_CREATED_JSON,
    customer,
    json_customer,
)
from tests.clients.fake_registry import FakeRegistry
from tests.support.clock import Clock
from tests.support.publisher import SpyPublisher

TOPIC = "CUSTOMER_CREATED"


@pytest.fixture
def fake_registry() -> FakeRegistry:
    fake = FakeRegistry()
    fake.add(TOPIC, CUSTOMER_CREATED_AVRO_V1)
    fake.add("CUSTOMER_CREATED_JSON", CUSTOMER_CREATED_JSON, "JSON")
    return fake


@pytest.fixture
def clock() -> Clock:
    return Clock()


def registry_client(fake: FakeRegistry, clock: Clock, **options: Any) -> RegistryClient:
    return RegistryClient(
        "http://registry.test", http=fake.client(), clock=clock, sleep=lambda s: None, **options
    )


def fastavro_read(schema_text: str, data: bytes) -> Any:
    """The independent oracle: fastavro itself, with the schema parsed by fastavro alone."""
    return fastavro.schemaless_reader(
        io.BytesIO(data), fastavro.parse_schema(json.loads(schema_text))
    )


def test_valid_messages_are_encoded_tagged_and_published(pubsub, fake_registry, clock):
    pubsub.create_topic(TOPIC)
    publisher = ValidatingPublisher(
        registry_client(fake_registry, clock), pubsub.publisher, project_id=pubsub.project
    )
    futures = [publisher.publish(TOPIC, customer(n), source="crm") for n in range(5)]
    ids = [f.result(timeout=10) for f in futures]
    assert len(set(ids)) == 5
    received = pubsub.published(TOPIC)
    assert len(received) == 5
    for n, message in enumerate(received):
        assert dict(message.attributes) == {
            "source": "crm",
            ATTR_TOPIC: TOPIC,
            ATTR_SCHEMA_ID: "1",
            ATTR_SCHEMA_VERSION: "1",
            ATTR_SCHEMA_TYPE: "AVRO",
            ATTR_ENCODING: "binary",
        }
        decoded = fastavro_read(CUSTOMER_CREATED_AVRO_V1, message.data)
        assert decoded["customer_id"] == f"c-{n}"
        assert decoded["tags"] == customer(n)["tags"]
        assert decoded["created_at"].timestamp() * 1000 == customer(n)["created_at"]


def test_an_invalid_message_raises_every_problem_and_is_never_sent(pubsub, fake_registry, clock):
    pubsub.create_topic(TOPIC)
    publisher = ValidatingPublisher(
        registry_client(fake_registry, clock), pubsub.publisher, project_id=pubsub.project
    )
    publisher.publish(TOPIC, customer(1)).result(timeout=10)
    bad = {**customer(2), "tags": ["ok", 7], "created_at": "yesterday"}
    del bad["email"]
    with pytest.raises(InvalidMessage) as raised:
        publisher.publish(TOPIC, bad)
    paths = sorted(f.pointer for f in raised.value.findings)
    assert paths == ["/created_at", "/email", "/tags/1"]
    assert "/email" in str(raised.value)
    assert raised.value.schema_id == 1
    publisher.publish(TOPIC, customer(3)).result(timeout=10)
    received = pubsub.published(TOPIC)
    decoded = [fastavro_read(CUSTOMER_CREATED_AVRO_V1, m.data)["customer_id"] for m in received]
    assert decoded == ["c-1", "c-3"]


def test_validation_happens_before_any_call_to_pubsub(fake_registry, clock):
    spy = SpyPublisher()
    publisher = ValidatingPublisher(registry_client(fake_registry, clock), spy, project_id="p")
    with pytest.raises(InvalidMessage):
        publisher.publish(TOPIC, {"customer_id": "c-1"})
    assert spy.calls == []
    publisher.publish(TOPIC, customer(1))
    assert [call[0] for call in spy.calls] == ["projects/p/topics/CUSTOMER_CREATED"]


def test_json_schema_topics_publish_compact_utf8_json(pubsub, fake_registry, clock):
    pubsub.create_topic("CUSTOMER_CREATED_JSON")
    publisher = ValidatingPublisher(
        registry_client(fake_registry, clock), pubsub.publisher, project_id=pubsub.project
    )
    publisher.publish("CUSTOMER_CREATED_JSON", json_customer(1)).result(timeout=10)
    with pytest.raises(InvalidMessage) as raised:
        publisher.publish("CUSTOMER_CREATED_JSON", {**json_customer(2), "fax": "+44"})
    (finding,) = raised.value.findings
    assert "fax" in finding.message
    received = pubsub.published("CUSTOMER_CREATED_JSON")
    (message,) = received
    expected = json.dumps(json_customer(1), separators=(",", ":"), ensure_ascii=False)
    assert message.data == expected.encode("utf-8")
    assert message.attributes[ATTR_ENCODING] == "json"
    assert message.attributes[ATTR_SCHEMA_TYPE] == "JSON"


def test_avro_json_encoding_on_request(fake_registry, clock):
    spy = SpyPublisher()
    publisher = ValidatingPublisher(
        registry_client(fake_registry, clock), spy, project_id="p", avro_encoding="json"
    )
    message = {**customer(1), "name": None}
    with pytest.raises(InvalidMessage):
        publisher.publish(TOPIC, message)
    publisher.publish(TOPIC, customer(1))
    _, data, attrs = spy.calls[0]
    assert attrs[ATTR_ENCODING] == "json"
    schema = fastavro.parse_schema(json.loads(CUSTOMER_CREATED_AVRO_V1))
    decoded: Any
    (decoded,) = list(fastavro.json_reader(io.StringIO(data.decode()), schema))
    assert decoded["email"] == "customer1@example.com"


def test_version_pins_an_older_schema(fake_registry, clock):
    fake_registry.add(TOPIC, CUSTOMER_CREATED_AVRO_V2)
    spy = SpyPublisher()
    publisher = ValidatingPublisher(registry_client(fake_registry, clock), spy, project_id="p")
    publisher.publish(TOPIC, {**customer(1), "phone": "+1"})
    publisher.publish(TOPIC, customer(2), version=1)
    with pytest.raises(InvalidMessage):  # version 1 has no phone field: extra fields are refused
        publisher.publish(TOPIC, {**customer(3), "phone": "+1"}, version=1)
    with pytest.raises(UnknownTopic, match="no version 7"):
        publisher.publish(TOPIC, customer(4), version=7)
    versions = [(c[2][ATTR_SCHEMA_ID], c[2][ATTR_SCHEMA_VERSION]) for c in spy.calls]
    assert versions == [("3", "2"), ("1", "1")]  # id 2 is the JSON topic's schema
    assert fastavro_read(CUSTOMER_CREATED_AVRO_V1, spy.calls[1][1])["customer_id"] == "c-2"


def test_reserved_attribute_names_are_refused(fake_registry, clock):
    spy = SpyPublisher()
    publisher = ValidatingPublisher(registry_client(fake_registry, clock), spy, project_id="p")
    with pytest.raises(ValueError, match="accord_"):
        publisher.publish(TOPIC, customer(1), accord_schema_id="99")
    assert spy.calls == []


def test_a_topic_the_registry_does_not_know_fails_clearly(fake_registry, clock):
    publisher = ValidatingPublisher(
        registry_client(fake_registry, clock), SpyPublisher(), project_id="p"
    )
    with pytest.raises(UnknownTopic, match=r"NOT_A_TOPIC.*registry has no schema"):
        publisher.publish("NOT_A_TOPIC", customer(1))


def test_outage_publishes_from_cache_with_one_warning_and_a_counter(fake_registry, clock, caplog):
    spy = SpyPublisher()
    registry = registry_client(fake_registry, clock, latest_ttl=10.0, outage_cooldown=5.0)
    publisher = ValidatingPublisher(registry, spy, project_id="p")
    publisher.publish(TOPIC, customer(0))
    fake_registry.down = True
    clock.now += 60  # the cached latest is stale: the publisher must ask, and cannot
    with caplog.at_level(logging.WARNING, logger="clients.publisher"):
        for n in range(1, 50):
            publisher.publish(TOPIC, customer(n))
            clock.now += 1  # crossing several cool-downs: the registry is asked again, still down
        with pytest.raises(UnknownTopic, match="never seen"):
            publisher.publish("EMAIL_SENT", {"to": "x"})
    assert len(spy.calls) == 50
    assert publisher.published_from_cache == 49
    assert publisher.registry_outages == 1
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "registry unreachable" in warnings[0].getMessage()
    with pytest.raises(InvalidMessage):  # the outage relaxes nothing
        publisher.publish(TOPIC, {"customer_id": "c-x"})
    # Recovery: the next fetch succeeds, a later outage is a second episode with its own warning.
    fake_registry.down = False
    clock.now += 60
    publisher.publish(TOPIC, customer(99))
    assert publisher.published_from_cache == 49
    fake_registry.down = True
    clock.now += 60
    with caplog.at_level(logging.WARNING, logger="clients.publisher"):
        publisher.publish(TOPIC, customer(100))
    assert publisher.registry_outages == 2
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 2


def test_a_restarted_publisher_uses_its_cache_dir_while_the_registry_is_down(
    fake_registry, clock, tmp_path
):
    warm = ValidatingPublisher(
        registry_client(fake_registry, clock, cache_dir=tmp_path), SpyPublisher(), project_id="p"
    )
    warm.publish(TOPIC, customer(1))
    fake_registry.down = True
    spy = SpyPublisher()
    restarted = ValidatingPublisher(
        registry_client(fake_registry, clock, cache_dir=tmp_path), spy, project_id="p"
    )
    restarted.publish(TOPIC, customer(2))
    with pytest.raises(InvalidMessage):
        restarted.publish(TOPIC, {"customer_id": "c-3"})
    assert len(spy.calls) == 1
    assert spy.calls[0][2][ATTR_SCHEMA_ID] == "1"
    assert restarted.published_from_cache == 1


def test_bundled_schemas_are_checked_at_start_then_need_no_registry(
    pubsub, fake_registry, clock, tmp_path: Path
):
    bundled = tmp_path / "customer_created.avsc"
    bundled.write_text(CUSTOMER_CREATED_AVRO_V1)
    json_bundled = tmp_path / "customer_created.json"
    json_bundled.write_text(CUSTOMER_CREATED_JSON)
    pubsub.create_topic(TOPIC)
    pubsub.create_topic("CUSTOMER_CREATED_JSON")
    publisher = ValidatingPublisher(
        registry_client(fake_registry, clock),
        pubsub.publisher,
        project_id=pubsub.project,
        schemas={TOPIC: bundled, "CUSTOMER_CREATED_JSON": str(json_bundled)},
    )
    # Each bundled file's format is the topic's registered type (its latest version), then the
    # file is looked up under the topic; then the Avro topic's Pub/Sub encoding (this fake
    # registry keeps none: Avro binary).
    assert [r.url.path for r in fake_registry.requests] == [
        f"/subjects/{TOPIC}/versions/latest",
        f"/subjects/{TOPIC}",
        "/subjects/CUSTOMER_CREATED_JSON/versions/latest",
        "/subjects/CUSTOMER_CREATED_JSON",
        f"/config/{TOPIC}",
    ]
    fake_registry.down = True
    clock.now += 10**6
    publisher.publish(TOPIC, customer(1)).result(timeout=10)
    publisher.publish("CUSTOMER_CREATED_JSON", json_customer(1)).result(timeout=10)
    with pytest.raises(UnknownTopic, match="not one of the bundled"):
        publisher.publish("EMAIL_SENT", {})
    with pytest.raises(UnknownTopic, match="version 1, not version 2"):
        publisher.publish(TOPIC, customer(2), version=2)
    assert len(fake_registry.requests) == 5
    assert publisher.published_from_cache == 0


def test_an_unregistered_bundled_schema_fails_at_start_up(fake_registry, clock, tmp_path):
    bundled = tmp_path / "v2.avsc"
    bundled.write_text(CUSTOMER_CREATED_AVRO_V2)
    with pytest.raises(UnknownTopic, match=r"v2\.avsc is not registered"):
        ValidatingPublisher(
            registry_client(fake_registry, clock),
            SpyPublisher(),
            project_id="p",
            schemas={TOPIC: bundled},
        )


def test_concurrent_publishers_share_one_object(pubsub, fake_registry, clock):
    pubsub.create_topic(TOPIC)
    publisher = ValidatingPublisher(
        registry_client(fake_registry, clock), pubsub.publisher, project_id=pubsub.project
    )
    futures: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(worker: int) -> None:
        try:
            for n in range(40):
                future = publisher.publish(TOPIC, customer(worker * 1000 + n))
                with lock:
                    futures.append(future)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ids = {f.result(timeout=20) for f in futures}
    assert len(ids) == 240
    received = pubsub.published(TOPIC)
    decoded = [fastavro_read(CUSTOMER_CREATED_AVRO_V1, m.data)["customer_id"] for m in received]
    assert sorted(decoded) == sorted(f"c-{w * 1000 + n}" for w in range(6) for n in range(40))


def test_batch_settings_pass_through_to_the_created_client(fake_registry, clock, pubsub_server):
    from google.cloud.pubsub_v1.types import BatchSettings

    publisher = ValidatingPublisher(
        registry_client(fake_registry, clock),
        project_id="p",
        batch_settings=BatchSettings(max_messages=7, max_latency=0.05),
    )
    try:
        assert publisher.publisher.batch_settings.max_messages == 7
        assert publisher.publisher.batch_settings.max_latency == 0.05
    finally:
        publisher.stop()
    with pytest.raises(ValueError, match="pass through only"):
        ValidatingPublisher(
            registry_client(fake_registry, clock),
            SpyPublisher(),
            project_id="p",
            batch_settings=BatchSettings(max_messages=7),
        )


def test_ordering_keys_reach_pubsub(pubsub, fake_registry, clock):
    from google.cloud.pubsub_v1.types import PublisherOptions

    pubsub.create_topic(TOPIC)
    publisher = ValidatingPublisher(
        registry_client(fake_registry, clock),
        project_id=pubsub.project,
        publisher_options=PublisherOptions(enable_message_ordering=True),
    )
    try:
        for n in range(3):
            publisher.publish(TOPIC, customer(n), ordering_key="customer-7").result(timeout=10)
    finally:
        publisher.stop()
    received = pubsub.published(TOPIC)
    assert [m.ordering_key for m in received] == ["customer-7"] * 3
    assert [fastavro_read(CUSTOMER_CREATED_AVRO_V1, m.data)["customer_id"] for m in received] == [
        "c-0",
        "c-1",
        "c-2",
    ]
