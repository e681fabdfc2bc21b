"""`accord pubsub status|sync|cutover` and `accord check` against `accord serve` syncing to the Pub/Sub test fake, killed between commit and sync."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import grpc

from clients import RegistryClient
from tests.fakes.pubsub import running_fake
from tests.support.cli import accord

TOPIC = "CUSTOMER_CREATED"


def schema(*fields: tuple[str, str, Any]) -> str:
    return json.dumps(
        {
            "type": "record",
            "name": "Customer",
            "fields": [
                {"name": n, "type": t, **({"default": d} if d is not None else {})}
                for n, t, d in fields
            ],
        }
    )


V1 = schema(("id", "string", None))
V2 = schema(("id", "string", None), ("email", "string", ""))
V3 = schema(("email", "string", ""), ("age", "int", 0))  # BACKWARD only


def wait_for(condition: Any, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_commit_survives_a_kill_and_the_cli_drives_status_sync_and_cutover(
    accord_server_factory, tmp_path: Path
) -> None:
    database = f"sqlite:///{tmp_path / 'accord.db'}"
    project = f"accord-{uuid.uuid4().hex[:8]}"
    with running_fake() as pubsub:
        fake = pubsub.fake
        assert fake is not None
        env = {
            "ACCORD_PUBSUB_PROJECT": project,
            "PUBSUB_EMULATOR_HOST": pubsub.host,
            "ACCORD_PUBSUB_POLL_SECONDS": "0.1",
        }
        topic_path = f"projects/{project}/topics/{TOPIC}"
        fake.faults.refuse("CreateSchema", grpc.StatusCode.UNAVAILABLE)
        with accord_server_factory(database, env=env) as first:
            with RegistryClient(first.url) as client:
                client.register_schema(TOPIC, V1)
                client.register_schema(TOPIC, V2)
                assert wait_for(lambda: fake.faults.calls["CreateSchema"] >= 1)
            code, out, _ = accord("pubsub", "status", "--registry", first.url, "--format", "json")
            assert code == 1  # a topic with an error
            [topic] = json.loads(out)["topics"]
            assert "Pub/Sub is unavailable" in topic["pending"]["error"]
            first.process.kill()  # no shutdown: the outbox row is all that is left
            first.process.wait(timeout=10)
        assert topic_path not in fake.topics
        fake.faults.clear()

        with accord_server_factory(database, env=env) as second:
            registry = ("--registry", second.url)
            with RegistryClient(second.url) as client:
                assert wait_for(lambda: topic_path in fake.topics)
                assert wait_for(lambda: client.pubsub_status().topics[0].pending is None)
            code, text, err = accord("pubsub", "status", *registry)
            assert code == 0, err
            assert f"Pub/Sub project {project} (drift checked)" in text
            assert f"schema projects/{project}/schemas/{TOPIC}.gen1  accepts versions 1, 2" in text

            proposed = tmp_path / "v3.avsc"
            proposed.write_text(V3)
            code, text, err = accord("check", TOPIC, str(proposed), *registry)
            assert code == 0, err
            assert "note: Pub/Sub will refuse version 3's messages until versions 1\u20132" in text
            code, _, err = accord("schema", "register", TOPIC, str(proposed), *registry)
            assert code == 0, err
            code, out, err = accord("pubsub", "sync", *registry)
            assert code == 0, err
            code, text, _ = accord("pubsub", "status", *registry)
            assert "ahead: Pub/Sub will refuse version 3's messages" in text

            code, text, err = accord("pubsub", "cutover", TOPIC, *registry)
            assert code == 0, err
            assert text == (
                f"{TOPIC} cuts over to Pub/Sub schema generation 2: Pub/Sub accepts versions 3 "
                "and refuses versions 1, 2 once the registry has synced it\n"
            )
            code, out, err = accord("pubsub", "sync", *registry, "--format", "json")
            assert code == 0, err
            assert wait_for(
                lambda: fake.topics[topic_path].schema_settings.schema.endswith(".gen2")
            )
            code, _, err = accord("pubsub", "cutover", TOPIC, *registry)
            assert code == 1
            assert "no version waiting for a cutover" in err

        # The same commands when enforcement is off say so, in one line.
        with accord_server_factory(database) as off:
            code, text, _ = accord("pubsub", "status", "--registry", off.url)
            assert (code, text) == (
                0,
                "Pub/Sub enforcement is off on this registry (ACCORD_PUBSUB_PROJECT is not set)\n",
            )
            code, _, err = accord("pubsub", "sync", "--registry", off.url)
            assert code == 2
            assert "Pub/Sub enforcement is off" in err
