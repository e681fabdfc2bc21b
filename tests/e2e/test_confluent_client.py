"""confluent-kafka's own SchemaRegistryClient and serializers, unchanged, against `accord serve`.

No Kafka broker is needed: the serializers are called directly with a SerializationContext, which
is exactly what a producer does before handing bytes to Kafka (or, here, to Pub/Sub).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import httpx
import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext

pytestmark = pytest.mark.slow

CUSTOMER_V1 = json.dumps(
    {
        "type": "record",
        "name": "Customer",
        "namespace": "crm",
        "fields": [{"name": "id", "type": "string"}, {"name": "name", "type": "string"}],
    }
)
CUSTOMER_V2 = json.dumps(
    {
        "type": "record",
        "name": "Customer",
        "namespace": "crm",
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "name", "type": "string"},
            {"name": "email", "type": ["null", "string"], "default": None},
        ],
    }
)
CUSTOMER_BREAKING = json.dumps(
    {
        "type": "record",
        "name": "Customer",
        "namespace": "crm",
        "fields": [{"name": "id", "type": "string"}, {"name": "age", "type": "int"}],
    }
)
EMAIL_SENT = json.dumps(
    {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "EmailSent",
        "type": "object",
        "properties": {"customer_id": {"type": "string"}, "subject": {"type": "string"}},
        "required": ["customer_id"],
    }
)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def registry_url(request: pytest.FixtureRequest) -> str:
    # One server per store for the module; every test uses subjects of its own.
    fixture = (
        "shared_accord_server" if request.param == "sqlite" else "shared_accord_server_postgres"
    )
    url: str = request.getfixturevalue(fixture).url
    return url


@pytest.fixture
def new_client(registry_url: str) -> Iterator[Callable[[], SchemaRegistryClient]]:
    """Fresh clients (empty caches, as in another process); all closed after the test."""
    made: list[SchemaRegistryClient] = []

    def make() -> SchemaRegistryClient:
        made.append(SchemaRegistryClient({"url": registry_url}))
        return made[-1]

    yield make
    for sr_client in made:
        sr_client.close()


@pytest.fixture
def client(new_client: Callable[[], SchemaRegistryClient]) -> SchemaRegistryClient:
    return new_client()


def test_register_evolve_refuse_look_up_and_read(client: SchemaRegistryClient) -> None:
    subject = "crm/CUSTOMER_CREATED-value"  # a slash: the client sends it as %2F
    first = client.register_schema(subject, Schema(CUSTOMER_V1, "AVRO"))
    second = client.register_schema(subject, Schema(CUSTOMER_V2, "AVRO"))
    assert first != second
    assert client.register_schema(subject, Schema(CUSTOMER_V1, "AVRO")) == first

    with pytest.raises(SchemaRegistryError) as refused:
        client.register_schema(subject, Schema(CUSTOMER_BREAKING, "AVRO"))
    assert refused.value.http_status_code == 409
    assert refused.value.error_code == 409
    assert "age" in refused.value.error_message

    latest = client.get_latest_version(subject)
    assert (latest.version, latest.schema_id, latest.subject) == (2, second, subject)
    assert latest.schema.schema_str is not None
    assert json.loads(latest.schema.schema_str) == json.loads(CUSTOMER_V2)
    assert client.get_version(subject, 1).schema_id == first
    assert client.get_versions(subject) == [1, 2]
    assert subject in client.get_subjects()
    looked_up = client.lookup_schema(subject, Schema(CUSTOMER_V1, "AVRO"))
    assert (looked_up.version, looked_up.schema_id) == (1, first)
    by_id = client.get_schema(first)
    assert by_id.schema_type == "AVRO"
    assert by_id.schema_str is not None
    assert json.loads(by_id.schema_str) == json.loads(CUSTOMER_V1)
    assert client.get_schema_types() == ["JSON", "AVRO"]

    other = client.register_schema("crm/ANOTHER_TOPIC-value", Schema(CUSTOMER_V1, "AVRO"))
    assert other == first  # global, content-based ids


def test_compatibility_and_config(client: SchemaRegistryClient) -> None:
    subject = "COMPAT_CUSTOMER_CREATED-value"
    client.register_schema(subject, Schema(CUSTOMER_V1, "AVRO"))
    assert client.test_compatibility(subject, Schema(CUSTOMER_V2, "AVRO")) is True
    assert client.test_compatibility(subject, Schema(CUSTOMER_BREAKING, "AVRO")) is False
    assert client.test_compatibility_all_versions(subject, Schema(CUSTOMER_V2, "AVRO")) is True

    assert client.get_compatibility() == "BACKWARD"
    client.set_compatibility(subject_name=subject, level="NONE")
    assert client.get_compatibility(subject) == "NONE"
    assert client.test_compatibility(subject, Schema(CUSTOMER_BREAKING, "AVRO")) is True
    level = client.get_config(subject).compatibility_level
    assert level is not None
    assert level.value == "NONE"
    client.delete_config(subject)
    with pytest.raises(SchemaRegistryError) as missing:
        client.get_compatibility(subject)
    assert missing.value.error_code == 40408

    client.set_compatibility(level="FULL")
    assert client.get_compatibility() == "FULL"
    client.set_compatibility(level="BACKWARD")  # the server is shared by the module's tests
    assert client.update_mode(subject, "READONLY") == "READONLY"
    assert client.get_mode(subject) == "READONLY"
    with pytest.raises(SchemaRegistryError) as read_only:
        client.register_schema(subject, Schema(CUSTOMER_V2, "AVRO"))
    assert read_only.value.error_code == 42205


def test_compatibility_is_false_when_a_consumer_contract_would_break(
    client: SchemaRegistryClient, registry_url: str
) -> None:
    """No false green: a schema the level allows but a registered contract forbids is reported
    incompatible to Confluent tooling, exactly as registering it is refused."""
    subject = "CONTRACTED_CUSTOMER_CREATED-value"
    client.register_schema(subject, Schema(CUSTOMER_V1, "AVRO"))
    # Marketing reads `name`; dropping it is BACKWARD-compatible (a reader ignores extra fields).
    contract = json.dumps(
        {
            "type": "record",
            "name": "Customer",
            "namespace": "crm",
            "fields": [{"name": "name", "type": "string"}],
        }
    )
    drops_name = json.dumps(
        {
            "type": "record",
            "name": "Customer",
            "namespace": "crm",
            "fields": [{"name": "id", "type": "string"}],
        }
    )
    httpx.put(
        f"{registry_url}/subjects/{subject}/consumers/marketing", json={"schema": contract}
    ).raise_for_status()

    assert client.test_compatibility(subject, Schema(drops_name, "AVRO")) is False
    assert client.test_compatibility_all_versions(subject, Schema(drops_name, "AVRO")) is False
    assert client.test_compatibility(subject, Schema(drops_name, "AVRO"), version=1) is False
    verbose = httpx.post(
        f"{registry_url}/compatibility/subjects/{subject}/versions/latest?verbose=true",
        json={"schema": drops_name},
    ).json()
    assert verbose["is_compatible"] is False
    assert any("marketing" in m and "name" in m for m in verbose["messages"]), verbose
    with pytest.raises(SchemaRegistryError) as refused:
        client.register_schema(subject, Schema(drops_name, "AVRO"))
    assert refused.value.http_status_code == 409
    assert "marketing" in refused.value.error_message

    # A change the contract survives is green, and registering it is accepted.
    assert client.test_compatibility(subject, Schema(CUSTOMER_V2, "AVRO")) is True
    client.register_schema(subject, Schema(CUSTOMER_V2, "AVRO"))


def test_soft_and_permanent_deletes(client: SchemaRegistryClient) -> None:
    subject = "CUSTOMER_DELETED-value"
    first = client.register_schema(subject, Schema(CUSTOMER_V1, "AVRO"))
    client.register_schema(subject, Schema(CUSTOMER_V2, "AVRO"))
    assert client.delete_version(subject, 2) == 2
    assert client.get_versions(subject) == [1]
    with pytest.raises(SchemaRegistryError) as twice:
        client.delete_version(subject, 2)
    assert twice.value.error_code == 40406
    assert client.delete_version(subject, 2, permanent=True) == 2
    with pytest.raises(SchemaRegistryError) as not_soft:
        client.delete_subject(subject, permanent=True)
    assert not_soft.value.error_code == 40405
    assert client.delete_subject(subject) == [1]
    assert client.delete_subject(subject, permanent=True) == [1]
    assert subject not in client.get_subjects()
    with pytest.raises(SchemaRegistryError) as gone:
        client.get_latest_version(subject)
    assert gone.value.error_code == 40401
    assert client.get_schema(first).schema_type == "AVRO"  # still decodable by id


def test_avro_serializer_and_deserializer(
    new_client: Callable[[], SchemaRegistryClient], client: SchemaRegistryClient
) -> None:
    serializer = AvroSerializer(client, CUSTOMER_V1)
    context = SerializationContext("CUSTOMER_CREATED", MessageField.VALUE)
    payload = serializer({"id": "c-1", "name": "Ada"}, context)
    assert payload is not None
    assert payload[0] == 0  # Confluent wire format: magic byte, then the 4-byte schema id
    schema_id = int.from_bytes(payload[1:5], "big")
    assert client.get_latest_version("CUSTOMER_CREATED-value").schema_id == schema_id

    # A fresh client (empty caches) decodes by fetching the schema by id from the registry.
    reader = AvroDeserializer(new_client())
    assert reader(payload, context) == {"id": "c-1", "name": "Ada"}

    # The evolved writer registers version 2; an old-schema reader still decodes its messages.
    evolved = AvroSerializer(client, CUSTOMER_V2)
    newer = evolved({"id": "c-2", "name": "Bo", "email": "bo@example.com"}, context)
    assert newer is not None
    old_reader = AvroDeserializer(new_client(), CUSTOMER_V1)
    assert old_reader(newer, context) == {"id": "c-2", "name": "Bo"}
    assert client.get_versions("CUSTOMER_CREATED-value") == [1, 2]

    breaking = AvroSerializer(client, CUSTOMER_BREAKING)
    with pytest.raises(SchemaRegistryError) as refused:
        breaking({"id": "c-3", "age": 3}, context)
    assert refused.value.http_status_code == 409


def test_json_serializer_and_deserializer(
    new_client: Callable[[], SchemaRegistryClient], client: SchemaRegistryClient
) -> None:
    serializer = JSONSerializer(EMAIL_SENT, client)
    context = SerializationContext("EMAIL_SENT", MessageField.VALUE)
    message = {"customer_id": "c-1", "subject": "Welcome"}
    payload = serializer(message, context)
    assert payload is not None
    registered = client.get_latest_version("EMAIL_SENT-value")
    assert registered.schema.schema_type == "JSON"
    assert int.from_bytes(payload[1:5], "big") == registered.schema_id

    reader = JSONDeserializer(None, schema_registry_client=new_client())
    assert reader(payload, context) == message


def test_kafka_serializers_with_a_topic_subject_strategy(
    new_client: Callable[[], SchemaRegistryClient], client: SchemaRegistryClient
) -> None:
    """Accord's subjects are topic names: confluent-kafka's default `{topic}-value` subject does
    not exist. A `subject.name.strategy` returning the topic makes the serializers use it."""
    topic = "KAFKA_ERA_CUSTOMER"
    registered = client.register_schema(topic, Schema(CUSTOMER_V1, "AVRO"))
    context = SerializationContext(topic, MessageField.VALUE)

    # The default strategy asks for KAFKA_ERA_CUSTOMER-value: 404, saying what to set.
    default = AvroSerializer(client, CUSTOMER_V1, conf={"auto.register.schemas": False})
    with pytest.raises(SchemaRegistryError) as missing:
        default({"id": "c-1", "name": "Ada"}, context)
    assert missing.value.http_status_code == 404
    assert missing.value.error_code == 40401
    assert f"Topic '{topic}' exists" in missing.value.error_message
    assert "subject.name.strategy" in missing.value.error_message

    def topic_strategy(ctx: SerializationContext, record_name: str | None) -> str:
        return ctx.topic

    writer = AvroSerializer(
        client,
        CUSTOMER_V1,
        conf={"auto.register.schemas": False, "subject.name.strategy": topic_strategy},
    )
    payload = writer({"id": "c-1", "name": "Ada"}, context)
    assert payload is not None
    assert int.from_bytes(payload[1:5], "big") == registered
    # The registry gained no `-value` subject, and a fresh reader decodes by id.
    assert f"{topic}-value" not in client.get_subjects()
    reader = AvroDeserializer(new_client())
    assert reader(payload, context) == {"id": "c-1", "name": "Ada"}

    # A subject that is not a Kafka-style name of an existing topic gets the plain 404.
    with pytest.raises(SchemaRegistryError) as plain:
        client.get_latest_version("KAFKA_ERA_NOWHERE-value")
    assert plain.value.error_message == "Subject 'KAFKA_ERA_NOWHERE-value' not found."
