"""Publisher benchmark: validate+encode per message vs raw encoders and Confluent's serializers; registry calls.

Run: .venv/bin/python bench/bench_publisher.py   (starts a real `accord serve` on a free port)

Every figure is a ratio against a baseline measured in the same run, on the same messages:
- Avro: ValidatingPublisher.publish (schema from the client's cache, validate, encode, attributes;
  the Pub/Sub client replaced by a sink) vs raw fastavro.schemaless_writer, and vs confluent-kafka's
  AvroSerializer (which validates nothing beyond what fastavro's writer checks);
- JSON Schema: the same publish vs plain json.dumps, and vs confluent-kafka's JSONSerializer (which
  validates with jsonschema);
- registry HTTP calls per 10,000 publishes after warm-up, counted at the httpx transport.
Confluent's serializers use a real SchemaRegistryClient pointed at the same `accord serve`; after
their first call they serve the schema from their own cache, as ours do.
"""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import fastavro
import httpx
from _timing import interleaved

from clients import RegistryClient, ValidatingPublisher

ROUNDS = 25
MESSAGES = 1_000

AVRO_SCHEMA = json.dumps(
    {
        "type": "record",
        "name": "CustomerCreated",
        "namespace": "crm",
        "fields": [
            {"name": "customer_id", "type": "string"},
            {"name": "email", "type": "string"},
            {"name": "name", "type": "string"},
            {"name": "phone", "type": ["null", "string"], "default": None},
            {"name": "tags", "type": {"type": "array", "items": "string"}},
            {"name": "score", "type": "double"},
            {"name": "created_at", "type": "long"},
        ],
    }
)
JSON_SCHEMA = json.dumps(
    {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
            "customer_id": {"type": "string"},
            "email": {"type": "string"},
            "name": {"type": "string"},
            "phone": {"type": ["string", "null"]},
            "tags": {"type": "array", "items": {"type": "string"}},
            "score": {"type": "number"},
            "created_at": {"type": "integer"},
        },
        "required": ["customer_id", "email", "name", "tags", "score", "created_at"],
        "additionalProperties": False,
    }
)


def customers() -> list[dict[str, Any]]:
    return [
        {
            "customer_id": f"c-{n}",
            "email": f"customer{n}@example.com",
            "name": f"Customer Number {n}",
            "phone": None if n % 3 else f"+44 20 7946 {n:04d}",
            "tags": ["new", "newsletter"][: n % 3],
            "score": n / 7,
            "created_at": 1_700_000_000_000 + n,
        }
        for n in range(MESSAGES)
    ]


class Sink:
    """Stands in for PublisherClient: what remains is Accord's own per-message cost."""

    def publish(self, topic: str, data: bytes, ordering_key: str = "", **attrs: str) -> None:
        return None


class CountingTransport(httpx.HTTPTransport):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        return super().handle_request(request)


def start_registry(directory: Path) -> tuple[str, subprocess.Popen[bytes]]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from clients.cli import main; main()",
            "serve",
            "--port",
            str(port),
            "--database-url",
            f"sqlite:///{directory / 'bench.db'}",
            "--log-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(f"{url}/subjects", timeout=1).status_code == 200:
                return url, process
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("accord serve did not start")


def main() -> None:
    messages = customers()
    with tempfile.TemporaryDirectory() as tmp:
        url, process = start_registry(Path(tmp))
        try:
            run(url, messages)
        finally:
            process.terminate()
            process.wait(timeout=10)


def run(url: str, messages: list[dict[str, Any]]) -> None:
    transport = CountingTransport()
    registry = RegistryClient(url, http=httpx.Client(transport=transport))
    registry.register_schema("CUSTOMER_CREATED", AVRO_SCHEMA)
    registry.register_schema("CUSTOMER_SIGNED_UP", JSON_SCHEMA, "JSON")
    publisher = ValidatingPublisher(registry, Sink(), project_id="bench")

    # -- Avro ------------------------------------------------------------------------------------
    parsed = fastavro.parse_schema(json.loads(AVRO_SCHEMA))

    def raw_avro(message: dict[str, Any]) -> bytes:
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, parsed, message)
        return buffer.getvalue()

    def accord_avro(message: dict[str, Any]) -> object:
        # What publish() does before handing bytes to Pub/Sub: find the topic's schema in the
        # client's cache, validate, encode.
        return publisher.encode(
            "CUSTOMER_CREATED", publisher.schema_for("CUSTOMER_CREATED"), message
        )

    writer_avro = publisher.schema_for("CUSTOMER_CREATED")

    def accord_avro_encode(message: dict[str, Any]) -> object:
        # Validate+encode alone, the schema in hand (the cost the publisher adds to every message).
        return publisher.encode("CUSTOMER_CREATED", writer_avro, message)

    def accord_avro_publish(message: dict[str, Any]) -> object:
        return publisher.publish("CUSTOMER_CREATED", message)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # authlib's import-time deprecation notice
        from confluent_kafka.schema_registry import SchemaRegistryClient
        from confluent_kafka.schema_registry.avro import AvroSerializer
        from confluent_kafka.schema_registry.json_schema import JSONSerializer
        from confluent_kafka.serialization import MessageField, SerializationContext

    confluent_registry = SchemaRegistryClient({"url": url})
    avro_serializer = AvroSerializer(confluent_registry, AVRO_SCHEMA)
    avro_context = SerializationContext("CUSTOMER_CREATED", MessageField.VALUE)

    def confluent_avro(message: dict[str, Any]) -> object:
        return avro_serializer(message, avro_context)

    # -- JSON Schema -----------------------------------------------------------------------------
    def raw_json(message: dict[str, Any]) -> bytes:
        return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()

    def accord_json(message: dict[str, Any]) -> object:
        topic = "CUSTOMER_SIGNED_UP"
        return publisher.encode(topic, publisher.schema_for(topic), message)

    def accord_json_publish(message: dict[str, Any]) -> object:
        return publisher.publish("CUSTOMER_SIGNED_UP", message)

    json_serializer = JSONSerializer(JSON_SCHEMA, confluent_registry)
    json_context = SerializationContext("CUSTOMER_SIGNED_UP", MessageField.VALUE)

    def confluent_json(message: dict[str, Any]) -> object:
        return json_serializer(message, json_context)

    for warm in (accord_avro, confluent_avro, accord_json, confluent_json):
        warm(messages[0])  # first calls fetch schemas; warm-up is not measured

    # Best of ROUNDS interleaved rounds in CPU time of this thread (bench/_timing.py).
    results = interleaved(
        {
            "raw_avro": raw_avro,
            "accord_avro_encode": accord_avro_encode,
            "accord_avro": accord_avro,
            "accord_avro_publish": accord_avro_publish,
            "confluent_avro": confluent_avro,
            "raw_json": raw_json,
            "accord_json": accord_json,
            "accord_json_publish": accord_json_publish,
            "confluent_json": confluent_json,
        },
        messages,
        rounds=ROUNDS,
    )

    # -- registry calls after warm-up ------------------------------------------------------------
    before = transport.calls
    for n in range(10_000):
        publisher.publish("CUSTOMER_CREATED", messages[n % len(messages)])
    calls_latest = transport.calls - before
    before = transport.calls
    for n in range(10_000):
        publisher.publish("CUSTOMER_CREATED", messages[n % len(messages)], version=1)
    calls_pinned = transport.calls - before

    us = {k: v * 1e6 for k, v in results.items()}
    print(f"bench_publisher: {len(messages)} messages, best of {ROUNDS} rounds, CPU µs per message")
    rows = [
        ("Avro  raw fastavro.schemaless_writer", "raw_avro"),
        ("Avro  Accord validate+encode (schema in hand)", "accord_avro_encode"),
        ("Avro  Accord schema lookup+validate+encode", "accord_avro"),
        ("Avro  ValidatingPublisher.publish (sink)", "accord_avro_publish"),
        ("Avro  confluent AvroSerializer", "confluent_avro"),
        ("JSON  json.dumps", "raw_json"),
        ("JSON  Accord schema lookup+validate+encode", "accord_json"),
        ("JSON  ValidatingPublisher.publish (sink)", "accord_json_publish"),
        ("JSON  confluent JSONSerializer", "confluent_json"),
    ]
    for label, key in rows:
        print(f"  {label:44s} {us[key]:8.2f}")
    print("ratios (lower is better for Accord)")

    def ratio(label: str, ours: str, theirs: str, goal: str = "") -> None:
        print(f"  {label:44s} {results[ours] / results[theirs]:6.2f}x  {goal}")

    ratio(
        "Avro  validate+encode / raw fastavro", "accord_avro_encode", "raw_avro", "(goal <= 1.2x)"
    )
    ratio("Avro  lookup+validate+encode / raw fastavro", "accord_avro", "raw_avro")
    ratio("Avro  validate+encode / AvroSerializer", "accord_avro", "confluent_avro", "(goal < 1)")
    ratio("Avro  publish(sink) / AvroSerializer", "accord_avro_publish", "confluent_avro")
    ratio("JSON  validate+encode / json.dumps", "accord_json", "raw_json")
    ratio("JSON  validate+encode / JSONSerializer", "accord_json", "confluent_json", "(goal < 1)")
    ratio("JSON  publish(sink) / JSONSerializer", "accord_json_publish", "confluent_json")
    print("registry HTTP calls per 10,000 publishes after warm-up (goal 0)")
    latest_label = f"latest version (TTL {registry.cache.ttl:.0f} s)"
    print(f"  {latest_label:44s} {calls_latest:8d}")
    print(f"  {'pinned version=1':44s} {calls_pinned:8d}")
    registry.close()
    if os.environ.get("BENCH_STRICT") and calls_latest + calls_pinned:
        raise SystemExit("registry calls after warm-up")


if __name__ == "__main__":
    main()
