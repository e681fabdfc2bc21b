"""MessageDecoder on messages delivered by the real google-cloud-pubsub subscriber (streaming and sync pull)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import fastavro
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clients import (
    ATTR_ENCODING,
    ATTR_SCHEMA_ID,
    ATTR_TOPIC,
    ContractViolation,
    DecodeError,
    MessageDecoder,
    RegistryClient,
    RegistryUnavailable,
    ValidatingPublisher,
)
from tests.clients.client_scenario import (
    ANALYSIS_AVRO,
    CUSTOMER_CREATED_AVRO_V1,
    CUSTOMER_CREATED_JSON,
    MARKETING_AVRO,
    MARKETING_JSON,
    customer,
    json_customer,
)
from tests.clients.fake_registry import FakeRegistry

TOPIC = "CUSTOMER_CREATED"


@pytest.fixture
def fake_registry() -> FakeRegistry:
    fake = FakeRegistry()
    fake.add(TOPIC, CUSTOMER_CREATED_AVRO_V1)
    fake.add("CUSTOMER_CREATED_JSON", CUSTOMER_CREATED_JSON, "JSON")
    return fake


def registry_client(fake: FakeRegistry) -> RegistryClient:
    return RegistryClient("http://registry.test", http=fake.client(), sleep=lambda s: None)


def message(data: bytes, **attributes: str) -> Any:
    """A received message as the subscriber callback sees it: `data` and `attributes`."""
    return SimpleNamespace(data=data, attributes=attributes)


def millis(value: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=value)


def avro_bytes(record: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    fastavro.schemaless_writer(
        buffer, fastavro.parse_schema(json.loads(CUSTOMER_CREATED_AVRO_V1)), record
    )
    return buffer.getvalue()


def test_subscribers_decode_into_their_own_contract_shape(pubsub, fake_registry):
    marketing, analysis, raw = pubsub.create_topic(TOPIC, "marketing", "analysis", "raw")
    registry = registry_client(fake_registry)
    publisher = ValidatingPublisher(registry, pubsub.publisher, project_id=pubsub.project)
    marketing_decoder = MessageDecoder(registry, contracts={TOPIC: MARKETING_AVRO})
    analysis_decoder = MessageDecoder(registry, contracts={TOPIC: json.dumps(ANALYSIS_AVRO)})
    plain_decoder = MessageDecoder(registry)
    # The decoders run inside the real client's streaming-pull callback threads.
    got_marketing = pubsub.listen(marketing, marketing_decoder.decode)
    got_analysis = pubsub.listen(analysis, analysis_decoder.decode)
    got_raw = pubsub.listen(raw, plain_decoder.decode)
    for n in range(20):
        publisher.publish(TOPIC, customer(n))
    assert got_marketing.wait_for(20)
    assert got_analysis.wait_for(20)
    assert got_raw.wait_for(20)
    assert got_marketing.errors == got_analysis.errors == got_raw.errors == []
    by_id = sorted(got_marketing.results, key=lambda m: int(m["customer_id"][2:]))
    assert by_id == [
        {"customer_id": f"c-{n}", "email": f"customer{n}@example.com"} for n in range(20)
    ]
    assert sorted(got_analysis.results, key=lambda m: m["created_at"]) == [
        {"customer_id": f"c-{n}", "created_at": millis(1_700_000_000_000 + n), "segment": "unknown"}
        for n in range(20)
    ]
    raw_one = next(r for r in got_raw.results if r["customer_id"] == "c-3")
    assert raw_one["name"] == "Ada Lovelace-3 ✓"
    assert raw_one["tags"] == ["new"]


def test_sync_pull_messages_decode_too(pubsub, fake_registry):
    (subscription,) = pubsub.create_topic(TOPIC, "batch")
    registry = registry_client(fake_registry)
    publisher = ValidatingPublisher(registry, pubsub.publisher, project_id=pubsub.project)
    publisher.publish(TOPIC, customer(1)).result(timeout=10)
    response = pubsub.subscriber.pull(subscription=subscription, max_messages=10, timeout=10)
    (received,) = response.received_messages
    decoded = MessageDecoder(registry, contracts={TOPIC: MARKETING_AVRO}).decode(received)
    assert decoded == {"customer_id": "c-1", "email": "customer1@example.com"}
    pubsub.subscriber.acknowledge(subscription=subscription, ack_ids=[received.ack_id])


def test_json_topics_are_validated_against_the_contract(fake_registry):
    registry = registry_client(fake_registry)
    decoder = MessageDecoder(registry, contracts={"CUSTOMER_CREATED_JSON": MARKETING_JSON})
    attrs = {ATTR_SCHEMA_ID: "2", ATTR_TOPIC: "CUSTOMER_CREATED_JSON", ATTR_ENCODING: "json"}
    good = json.dumps(json_customer(1)).encode()
    assert decoder.decode(message(good, **attrs)) == json_customer(1)
    # A payload its writer accepts in principle but the contract does not (email is not a string):
    # the decoder must not hand it to the consumer as if it were fine.
    wrong = json.dumps({**json_customer(1), "email": 42}).encode()
    with pytest.raises(ContractViolation, match="/email"):
        decoder.decode(message(wrong, **attrs))


def test_an_avro_contract_that_cannot_read_the_writer_is_refused(fake_registry):
    needs_country = {
        **MARKETING_AVRO,
        "fields": [*MARKETING_AVRO["fields"], {"name": "country", "type": "string"}],
    }
    decoder = MessageDecoder(registry_client(fake_registry), contracts={TOPIC: needs_country})
    attrs = {ATTR_SCHEMA_ID: "1", ATTR_TOPIC: TOPIC}
    with pytest.raises(ContractViolation) as raised:
        decoder.decode(message(avro_bytes(customer(1)), **attrs))
    assert any("country" in f.path or "country" in f.message for f in raised.value.findings)


@pytest.mark.parametrize(
    ("attrs", "data", "reason"),
    [
        ({}, b"x", "no 'accord_schema_id' attribute"),
        ({ATTR_SCHEMA_ID: "one"}, b"x", "not a schema id"),
        ({ATTR_SCHEMA_ID: "99"}, b"x", "schema id 99, which the registry does not know"),
        ({ATTR_SCHEMA_ID: "1", ATTR_ENCODING: "protobuf"}, b"x", "'protobuf'"),
        ({ATTR_SCHEMA_ID: "2", ATTR_ENCODING: "binary"}, b"{}", "JSON schema cannot have"),
        ({ATTR_SCHEMA_ID: "1"}, b"\x02\x01", "does not decode with schema id 1"),
        ({ATTR_SCHEMA_ID: "1"}, avro_bytes(customer(1)) + b"junk", "does not decode"),
        ({ATTR_SCHEMA_ID: "1", ATTR_ENCODING: "json"}, b"{not json", "does not decode"),
        ({ATTR_SCHEMA_ID: "2"}, b"\xff\xfe", "does not decode with schema id 2"),
    ],
    ids=[
        "no-id",
        "bad-id",
        "unknown-id",
        "unknown-encoding",
        "binary-json-schema",
        "truncated",
        "trailing-bytes",
        "bad-avro-json",
        "not-utf8",
    ],
)
def test_unusable_messages_raise_clear_decode_errors(fake_registry, attrs, data, reason):
    decoder = MessageDecoder(registry_client(fake_registry))
    with pytest.raises(DecodeError, match=reason):
        decoder.decode(message(data, **attrs))


def test_registry_outage_is_not_blamed_on_the_message(fake_registry):
    fake_registry.down = True
    decoder = MessageDecoder(registry_client(fake_registry))
    with pytest.raises(RegistryUnavailable):  # nack and retry later; not a DecodeError
        decoder.decode(message(avro_bytes(customer(1)), **{ATTR_SCHEMA_ID: "1"}))


def test_writer_schemas_are_fetched_once(fake_registry):
    decoder = MessageDecoder(registry_client(fake_registry), contracts={TOPIC: MARKETING_AVRO})
    for n in range(30):
        decoder.decode(message(avro_bytes(customer(n)), **{ATTR_SCHEMA_ID: "1", ATTR_TOPIC: TOPIC}))
    assert fake_registry.paths() == ["/schemas/ids/1"]


@settings(max_examples=60)
@given(
    st.fixed_dictionaries(
        {
            "customer_id": st.text(max_size=20),
            "email": st.text(max_size=30),
            "name": st.text(max_size=30),
            "tags": st.lists(st.text(max_size=8), max_size=4),
            # Up to year 9999: fastavro reads timestamp-millis as datetime, which ends there
            # (a larger long is valid Avro but fastavro cannot decode it, so the oracle stops there).
            "created_at": st.integers(min_value=0, max_value=253_402_300_799_999),
        }
    ),
    st.sampled_from(["binary", "json"]),
)
def test_whatever_the_publisher_sends_the_decoder_reads_back(record, encoding):
    """Round trip through the attributes the publisher sets, with fastavro as the second reader."""
    fake = FakeRegistry()
    fake.add(TOPIC, CUSTOMER_CREATED_AVRO_V1)
    registry = registry_client(fake)
    sent: list[tuple[bytes, dict[str, str]]] = []

    class Capture:
        def publish(self, topic: str, data: bytes, ordering_key: str = "", **attrs: str) -> None:
            sent.append((data, attrs))

    publisher = ValidatingPublisher(registry, Capture(), project_id="p", avro_encoding=encoding)
    publisher.publish(TOPIC, record)
    ((data, attrs),) = sent
    decoded = MessageDecoder(registry, contracts={TOPIC: MARKETING_AVRO}).decode(
        message(data, **attrs)
    )
    assert decoded == {"customer_id": record["customer_id"], "email": record["email"]}
    full = MessageDecoder(registry).decode(message(data, **attrs))
    assert full["tags"] == record["tags"]
    assert full["customer_id"] == record["customer_id"]
    if encoding == "binary":
        oracle: Any = fastavro.schemaless_reader(
            io.BytesIO(data), fastavro.parse_schema(json.loads(CUSTOMER_CREATED_AVRO_V1))
        )
        assert oracle["name"] == record["name"]
        assert oracle["created_at"] == millis(record["created_at"])
