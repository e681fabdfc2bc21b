"""Two `accord serve` processes on one PostgreSQL database, eight concurrent writers: no lost versions."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.support.ports import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

V1 = "application/vnd.schemaregistry.v1+json"
REPO = Path(__file__).resolve().parents[2]
WRITERS = 8
VERSIONS_ON_ONE_TOPIC = 200
DISTINCT_TOPICS = 200
SHARED_TOPIC = "orders-value"


@pytest.fixture
def fresh_database(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL database of this test's own (the servers migrate it themselves); dropped after.

    A whole database rather than a schema: the servers run exactly as in production, in `public`,
    racing each other to migrate it at start.
    """
    name = f"accord_conc_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _query = postgres_url.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(postgres_url, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


def _start(database_url: str, log: Path) -> Server:
    port = free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from clients.cli import main; main()",
                "serve",
                "--port",
                str(port),
                "--database-url",
                database_url,
                "--log-level",
                "warning",
            ],
            cwd=REPO,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env={k: v for k, v in os.environ.items() if not k.startswith("ACCORD_")},
        )
    return Server(url=f"http://127.0.0.1:{port}", process=process, log=log)


def _wait_ready(server: Server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"accord serve exited with {server.process.returncode}:\n{server.log.read_text()}"
            )
        try:
            if httpx.get(f"{server.url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"accord serve did not become ready:\n{server.log.read_text()}")


@pytest.fixture
def two_servers(fresh_database: str, tmp_path: Path) -> Iterator[list[Server]]:
    # Both start at once on the empty database, so both race to migrate it.
    servers = [_start(fresh_database, tmp_path / f"server{i}.log") for i in range(2)]
    try:
        for server in servers:
            _wait_ready(server)
        yield servers
    finally:
        for server in servers:
            server.process.terminate()
        for server in servers:
            try:
                server.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()


def _record(name: str, field: str) -> dict[str, object]:
    """A record with a required `id` and one optional field: any two of these are compatible
    both ways (the reader ignores the writer's extra field and defaults its own), so the topic's
    BACKWARD check passes whichever order the writers win in."""
    return {
        "type": "record",
        "name": name,
        "namespace": "accord.concurrency",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": field, "type": ["null", "string"], "default": None},
        ],
    }


@dataclass(frozen=True)
class Job:
    subject: str
    schema: dict[str, object]
    # Same schema, different text: extra whitespace must not make a new schema (canonical form).
    spaced: bool = False

    @property
    def text(self) -> str:
        return json.dumps(self.schema, indent=3) if self.spaced else json.dumps(self.schema)

    @property
    def key(self) -> str:
        return json.dumps(self.schema, sort_keys=True)


@dataclass(frozen=True)
class Outcome:
    job: Job
    server: str
    status: int
    body: dict[str, object]


def _jobs() -> list[Job]:
    shared = [
        Job(SHARED_TOPIC, _record("Order", f"extra_{k}")) for k in range(VERSIONS_ON_ONE_TOPIC)
    ]
    own = [Job(f"topic-{k}-value", _record(f"Event{k}", "note")) for k in range(DISTINCT_TOPICS)]
    # Races on purpose: the same schema sent twice to the shared topic (one version, not two);
    # a topic's schema sent again (stays version 1); a schema copied, reformatted, to a new topic
    # (the same global id).
    again = [Job(SHARED_TOPIC, shared[k].schema, spaced=True) for k in range(0, 200, 10)]
    repeated = [own[k] for k in range(0, 200, 20)]
    copies = [Job(f"copy-{k}-value", own[k].schema, spaced=True) for k in range(5, 200, 20)]
    jobs = shared + own + again + repeated + copies
    random.Random(3).shuffle(jobs)
    return jobs


def _register(servers: list[Server], jobs: list[Job]) -> list[Outcome]:
    """Eight threads, each with its own client, alternating between the two servers."""
    queue = iter(jobs)
    lock = threading.Lock()
    outcomes: list[Outcome] = []

    def writer(index: int) -> None:
        clients = [httpx.Client(base_url=s.url, timeout=60) for s in servers]
        try:
            turn = index
            while True:
                with lock:
                    job = next(queue, None)
                if job is None:
                    return
                client = clients[turn % len(clients)]
                turn += 1
                response = client.post(
                    f"/subjects/{job.subject}/versions",
                    json={"schema": job.text},
                    headers={"Content-Type": V1},
                )
                body = response.json()
                with lock:
                    outcomes.append(Outcome(job, str(client.base_url), response.status_code, body))
        finally:
            for client in clients:
                client.close()

    with ThreadPoolExecutor(WRITERS) as pool:
        for future in [pool.submit(writer, i) for i in range(WRITERS)]:
            future.result()
    return outcomes


def test_concurrent_writers_on_two_servers_allocate_contiguous_versions_and_shared_ids(
    two_servers: list[Server],
) -> None:
    jobs = _jobs()
    outcomes = _register(two_servers, jobs)

    assert len(outcomes) == len(jobs)
    failures = [(o.job.subject, o.server, o.status, o.body) for o in outcomes if o.status != 200]
    assert failures == [], f"{len(failures)} registrations failed, first: {failures[:3]}"
    assert {o.server for o in outcomes} == {s.url for s in two_servers}

    # One id per distinct canonical schema, whichever server, writer or text registered it.
    ids_by_schema: dict[str, set[int]] = {}
    for outcome in outcomes:
        ids_by_schema.setdefault(outcome.job.key, set()).add(int(str(outcome.body["id"])))
    assert len(ids_by_schema) == VERSIONS_ON_ONE_TOPIC + DISTINCT_TOPICS
    assert all(len(ids) == 1 for ids in ids_by_schema.values()), "a schema got two ids"
    schema_ids = [next(iter(ids)) for ids in ids_by_schema.values()]
    assert len(set(schema_ids)) == len(schema_ids), "two schemas share an id"

    # A schema registered twice to one topic got the same version both times.
    versions_by_pair: dict[tuple[str, str], set[int]] = {}
    for outcome in outcomes:
        pair = (outcome.job.subject, outcome.job.key)
        versions_by_pair.setdefault(pair, set()).add(int(str(outcome.body["version"])))
    assert all(len(v) == 1 for v in versions_by_pair.values()), "one schema, two versions"

    first, second = (httpx.Client(base_url=s.url, timeout=30) for s in two_servers)
    with first, second:
        subjects = first.get("/subjects").json()
        expected_subjects = {j.subject for j in jobs}
        assert sorted(subjects) == sorted(expected_subjects)
        for subject in expected_subjects:
            registered = sorted(
                next(iter(v)) for (s, _), v in versions_by_pair.items() if s == subject
            )
            stored = second.get(f"/subjects/{subject}/versions").json()
            assert stored == list(range(1, len(stored) + 1)), f"{subject}: versions {stored}"
            assert stored == registered, f"{subject}: stored {stored} != returned {registered}"

        # Every version of the shared topic points at the id its registration returned.
        by_version = {
            next(iter(v)): next(iter(ids_by_schema[key]))
            for (subject, key), v in versions_by_pair.items()
            if subject == SHARED_TOPIC
        }
        assert len(by_version) == VERSIONS_ON_ONE_TOPIC
        for version, schema_id in by_version.items():
            entry = first.get(f"/subjects/{SHARED_TOPIC}/versions/{version}").json()
            assert entry["id"] == schema_id

        # Every returned id reads back, from both servers, as the schema that was sent.
        for key, ids in ids_by_schema.items():
            (schema_id,) = ids
            for client in (first, second):
                answer = client.get(f"/schemas/ids/{schema_id}")
                assert answer.status_code == 200, answer.text
                assert json.loads(answer.json()["schema"]) == json.loads(key)
