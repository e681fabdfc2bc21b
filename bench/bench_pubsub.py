"""Pub/Sub schema sync: initial sync of 500 topics x 5 versions and status of 500 topics, against the test fake."""

from __future__ import annotations

import json
import sys
import tempfile
import time
import uuid
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The repository root, for the packages and the tests' Pub/Sub fake (tests.fakes).
sys.path[:0] = [str(ROOT)]

from starlette.exceptions import StarletteDeprecationWarning  # noqa: E402

from registry import Settings, create_app  # noqa: E402
from registry.principal import ANONYMOUS_ADMIN  # noqa: E402
from registry.usecases.register import Registration, register_version  # noqa: E402
from tests.fakes.pubsub import FakePubSub, running_fake  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

TOPICS, VERSIONS = 500, 5


def version_text(number: int) -> str:
    """Version `number` of a topic: each adds an optional field, so all are compatible both ways."""
    fields: list[dict[str, Any]] = [{"name": "id", "type": "string"}]
    fields += [{"name": f"f{k}", "type": "string", "default": ""} for k in range(2, number + 1)]
    return json.dumps({"type": "record", "name": "Event", "fields": fields})


def seed(database_url: str) -> None:
    """500 topics x 5 versions registered while enforcement was off (the initial sync's case)."""
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        ctx = client.app.state.registry  # type: ignore[attr-defined]
        for t in range(TOPICS):
            for n in range(1, VERSIONS + 1):
                register_version(
                    ctx, ANONYMOUS_ADMIN, Registration(f"TOPIC_{t:04d}", "AVRO", version_text(n))
                )


def calls_of(fake: FakePubSub) -> Counter[str]:
    return Counter(fake.faults.calls)


def baseline_sync(fake: FakePubSub, host: str) -> tuple[float, Counter[str]]:
    """The same Pub/Sub calls in a bare loop with Google's clients: per topic, CreateSchema, four
    CommitSchema and CreateTopic with its schema settings; no registry, no database."""
    import grpc
    from google.pubsub_v1 import PublisherClient, SchemaServiceClient, types
    from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport
    from google.pubsub_v1.services.schema_service.transports import SchemaServiceGrpcTransport

    project = f"baseline-{uuid.uuid4().hex[:6]}"
    schemas = SchemaServiceClient(
        transport=SchemaServiceGrpcTransport(channel=grpc.insecure_channel(host))
    )
    publisher = PublisherClient(
        transport=PublisherGrpcTransport(channel=grpc.insecure_channel(host))
    )
    avro = types.Schema.Type.AVRO
    fake.faults.reset_calls()
    start = time.perf_counter()
    for t in range(TOPICS):
        schema_id = f"TOPIC_{t:04d}.gen1"
        name = f"projects/{project}/schemas/{schema_id}"
        first = schemas.create_schema(
            parent=f"projects/{project}",
            schema=types.Schema(type_=avro, definition=version_text(1)),
            schema_id=schema_id,
        )
        last = first
        for n in range(2, VERSIONS + 1):
            last = schemas.commit_schema(
                name=name, schema=types.Schema(name=name, type_=avro, definition=version_text(n))
            )
        publisher.create_topic(
            request=types.Topic(
                name=f"projects/{project}/topics/TOPIC_{t:04d}",
                schema_settings=types.SchemaSettings(
                    schema=name,
                    encoding=types.Encoding.BINARY,
                    first_revision_id=first.revision_id,
                    last_revision_id=last.revision_id,
                ),
            )
        )
    elapsed = time.perf_counter() - start
    schemas.transport.close()
    publisher.transport.close()
    return elapsed, calls_of(fake)


def baseline_status(fake: FakePubSub, host: str, project: str) -> tuple[float, float]:
    """Reading what status reads, bare: the two paged list calls; and, for comparison, one
    GetTopic per topic (what a naive per-topic status would cost)."""
    import grpc
    from google.pubsub_v1 import PublisherClient, SchemaServiceClient, types
    from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport
    from google.pubsub_v1.services.schema_service.transports import SchemaServiceGrpcTransport

    schemas = SchemaServiceClient(
        transport=SchemaServiceGrpcTransport(channel=grpc.insecure_channel(host))
    )
    publisher = PublisherClient(
        transport=PublisherGrpcTransport(channel=grpc.insecure_channel(host))
    )
    start = time.perf_counter()
    list(publisher.list_topics(request={"project": f"projects/{project}", "page_size": 1000}))
    list(
        schemas.list_schemas(
            request={
                "parent": f"projects/{project}",
                "view": types.SchemaView.BASIC,
                "page_size": 1000,
            }
        )
    )
    lists = time.perf_counter() - start
    start = time.perf_counter()
    for t in range(TOPICS):
        publisher.get_topic(topic=f"projects/{project}/topics/TOPIC_{t:04d}")
    per_topic = time.perf_counter() - start
    schemas.transport.close()
    publisher.transport.close()
    return lists, per_topic


def main() -> None:
    with tempfile.TemporaryDirectory() as home, running_fake() as server:
        fake = server.fake
        assert fake is not None
        database_url = f"sqlite:///{home}/accord.db"
        start = time.perf_counter()
        seed(database_url)
        print(
            f"seeded {TOPICS} topics x {VERSIONS} versions in {time.perf_counter() - start:.1f} s"
        )

        project = f"bench-{uuid.uuid4().hex[:6]}"
        settings = Settings(
            database_url=database_url,
            pubsub_project=project,
            pubsub_emulator_host=server.host,
            pubsub_worker=False,
        )
        with TestClient(create_app(settings)) as client:
            fake.faults.reset_calls()
            start = time.perf_counter()
            answer = client.post("/pubsub/sync")
            sync_seconds = time.perf_counter() - start
            report = answer.json()
            assert answer.status_code == 200, answer.text
            assert len(report["synced"]) == TOPICS, report["failed"][:3]
            sync_calls = calls_of(fake)
            for t in range(TOPICS):  # everything really arrived
                stored = fake.schema_service.schemas[
                    f"projects/{project}/schemas/TOPIC_{t:04d}.gen1"
                ]
                assert len(stored.revisions) == VERSIONS
                settings_of = fake.topics[
                    f"projects/{project}/topics/TOPIC_{t:04d}"
                ].schema_settings
                assert settings_of.last_revision_id == stored.revisions[-1].schema.revision_id

            fake.faults.reset_calls()
            start = time.perf_counter()
            answer = client.get("/pubsub/status")
            status_seconds = time.perf_counter() - start
            body = answer.json()
            assert body["driftChecked"] is True
            assert len(body["topics"]) == TOPICS
            assert not any(t["drift"] for t in body["topics"])
            status_calls = calls_of(fake)

        base_seconds, base_calls = baseline_sync(fake, server.host)
        lists_seconds, per_topic_seconds = baseline_status(fake, server.host, project)

    def per_topic(calls: Counter[str]) -> str:
        return ", ".join(f"{name} {count / TOPICS:g}" for name, count in sorted(calls.items()))

    print(f"\ninitial sync of {TOPICS} topics x {VERSIONS} versions (POST /pubsub/sync):")
    print(f"  Accord:                     {sync_seconds:8.2f} s")
    print(f"  bare loop of the same calls:{base_seconds:8.2f} s")
    print(f"  ratio Accord / bare loop:   {sync_seconds / base_seconds:8.2f}x")
    print(
        f"  Pub/Sub calls per topic, Accord:    {sum(sync_calls.values()) / TOPICS:g} ({per_topic(sync_calls)})"
    )
    print(
        f"  Pub/Sub calls per topic, bare loop: {sum(base_calls.values()) / TOPICS:g} ({per_topic(base_calls)})"
    )
    print(f"\nstatus of {TOPICS} topics with drift check (GET /pubsub/status):")
    print(f"  Accord:                     {status_seconds:8.3f} s")
    print(f"  bare list calls alone:      {lists_seconds:8.3f} s")
    print(f"  one GetTopic per topic:     {per_topic_seconds:8.3f} s")
    print(f"  ratio Accord / bare lists:  {status_seconds / lists_seconds:8.2f}x")
    print(f"  ratio Accord / GetTopic loop: {status_seconds / per_topic_seconds:6.2f}x")
    print(
        f"  Pub/Sub calls in all: {sum(status_calls.values())} ({dict(sorted(status_calls.items()))})"
    )


if __name__ == "__main__":
    main()
