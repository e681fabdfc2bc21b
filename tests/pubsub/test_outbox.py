"""The outbox: written with the change, claimed once, retried with backoff, delivered after a restart."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import grpc
from sqlmodel import Session, select

from registry.pubsub import outbox
from registry.pubsub.tables import OutboxRow
from tests.fakes.pubsub import FakePubSub
from tests.pubsub.pubsub_registry import V1 as CONTENT_TYPE
from tests.pubsub.pubsub_registry import avro, register, status, sync, topic_status

TOPIC = "CUSTOMER_CREATED"
V1 = avro(("id", "string"))
V2 = avro(("id", "string"), ("email", "string", ""))
INCOMPATIBLE = avro(("id", "int"))


def ctx_of(client: Any) -> Any:
    return client.app.state.registry


def rows(client: Any) -> list[OutboxRow]:
    with Session(ctx_of(client).db.engine) as session:
        return list(session.exec(select(OutboxRow)).all())


def test_the_work_is_written_with_the_registration_and_not_with_a_refused_one(
    make_registry: Any,
) -> None:
    client = make_registry()
    register(client, TOPIC, V1)
    [row] = rows(client)
    assert (row.topic, row.reason, row.requested) == (TOPIC, "register", 1)
    refused = client.post(
        f"/subjects/{TOPIC}/versions",
        json={"schema": INCOMPATIBLE},
        headers={"Content-Type": CONTENT_TYPE},
    )
    assert refused.status_code == 409
    assert [r.requested for r in rows(client)] == [1]  # rolled back with the refusal
    register(client, TOPIC, V2)
    assert [(r.requested, r.reason) for r in rows(client)] == [(2, "register")]  # one row, bumped


def test_nothing_is_owed_while_enforcement_is_off(make_registry: Any) -> None:
    client = make_registry(pubsub_project=None)
    register(client, TOPIC, V1)
    assert rows(client) == []


def test_a_held_row_is_not_claimed_again_until_its_lease_runs_out(make_registry: Any) -> None:
    client = make_registry()
    register(client, TOPIC, V1)
    db = ctx_of(client).db
    first = outbox.claim(db, "a", lease_seconds=60, limit=10, kinds=[outbox.SCHEMA_SYNC])
    assert [c.topic for c in first] == [TOPIC]
    assert outbox.claim(db, "b", lease_seconds=60, limit=10, kinds=[outbox.SCHEMA_SYNC]) == []

    with Session(db.engine) as session, session.begin():  # worker "a" crashed long ago
        row = session.get(OutboxRow, (outbox.SCHEMA_SYNC, TOPIC))
        assert row is not None
        row.claimed_until = outbox.now() - timedelta(seconds=1)
    taken = outbox.claim(db, "b", lease_seconds=60, limit=10, kinds=[outbox.SCHEMA_SYNC])
    assert [(c.topic, c.attempts) for c in taken] == [(TOPIC, 2)]
    outbox.finish(db, first[0])  # the late worker's success is ignored: it no longer holds it
    assert len(rows(client)) == 1


def test_a_change_during_a_sync_is_synced_again(make_registry: Any) -> None:
    client = make_registry()
    register(client, TOPIC, V1)
    db = ctx_of(client).db
    [held] = outbox.claim(db, "a", lease_seconds=60, limit=10, kinds=[outbox.SCHEMA_SYNC])
    register(client, TOPIC, V2)  # arrives while "a" syncs version 1
    outbox.finish(db, held)
    [row] = rows(client)
    assert (row.claimed_by, row.requested) == (None, 2)
    assert sync(client)["synced"] == [TOPIC]
    assert rows(client) == []


def test_two_replicas_never_apply_one_row_twice(
    make_registry: Any, fake: FakePubSub, project: str
) -> None:
    first, second = make_registry(), make_registry()
    topics = [f"TOPIC_{n:02d}" for n in range(12)]
    for topic in topics:
        register(first, topic, V1)
        register(first, topic, V2)
    fake.faults.reset_calls()
    start = threading.Barrier(4)
    outcomes: list[Any] = []

    def work(client: Any) -> None:
        start.wait()
        outcomes.extend(ctx_of(client).pubsub.worker.run_once())

    threads = [threading.Thread(target=work, args=(c,)) for c in (first, second, first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(o.topic for o in outcomes) == topics
    assert all(o.error is None for o in outcomes)
    # Exactly one schema, one commit and one topic per topic: no replica repeated another's work.
    calls = fake.faults.calls
    assert (calls["CreateSchema"], calls["CommitSchema"], calls["CreateTopic"]) == (12, 12, 12)
    for topic in topics:
        stored = fake.schema_service.schemas[f"projects/{project}/schemas/{topic}.gen1"]
        assert [r.schema.definition for r in stored.revisions] == [V1, V2]
    assert rows(first) == []


def test_work_committed_before_a_restart_is_delivered_by_the_next_worker(
    make_registry: Any, fake: FakePubSub, project: str
) -> None:
    before = make_registry()  # a replica that commits and goes away before syncing
    register(before, TOPIC, V1)
    before.__exit__(None, None, None)
    assert f"projects/{project}/topics/{TOPIC}" not in fake.topics

    after = make_registry(pubsub_worker=True, pubsub_poll_seconds=0.05)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and topic_status(after, TOPIC)["lastSync"] is None:
        time.sleep(0.05)
    found = topic_status(after, TOPIC)
    assert found["lastSync"] is not None
    assert found["pending"] is None
    assert fake.topics[f"projects/{project}/topics/{TOPIC}"].schema_settings.first_revision_id


def test_pubsub_unavailable_leaves_the_registry_working_and_the_work_retried(
    make_registry: Any, fake: FakePubSub
) -> None:
    client = make_registry()
    fake.faults.refuse("*", grpc.StatusCode.UNAVAILABLE)
    try:
        register(client, TOPIC, V1)  # the registration itself never waits for Pub/Sub
        report = sync(client)
        [(topic, error)] = [(f["topic"], f["error"]) for f in report["failed"]]
        assert topic == TOPIC
        assert "Pub/Sub is unavailable" in error
        found = topic_status(client, TOPIC)
        assert found["pending"]["attempts"] == 1
        assert found["pending"]["error"] == found["error"] == error
        assert status(client)["pubsubError"].startswith("Listing the Pub/Sub topics")
    finally:
        fake.faults.clear()
    assert sync(client)["synced"] == [TOPIC]  # the one-shot sync does not wait out the backoff
    found = topic_status(client, TOPIC)
    assert found["error"] is None
    assert found["pending"] is None


def test_backoff_grows_between_attempts(make_registry: Any) -> None:
    client = make_registry()
    register(client, TOPIC, V1)
    db = ctx_of(client).db
    delays = []
    for _ in range(4):
        with Session(db.engine) as session, session.begin():
            row = session.get(OutboxRow, (outbox.SCHEMA_SYNC, TOPIC))
            assert row is not None
            row.available_at = outbox.now() - timedelta(seconds=1)
        [held] = outbox.claim(db, "w", lease_seconds=60, limit=1, kinds=[outbox.SCHEMA_SYNC])
        started = outbox.now()
        due = outbox.fail(db, held, "down", max_backoff_seconds=300)
        assert due is not None
        delays.append((outbox.aware(due) - started).total_seconds())  # type: ignore[operator]
    # 1, 2, 4, 8 seconds, each jittered down to no less than half.
    for attempt, delay in enumerate(delays):
        assert 2**attempt / 2 - 0.1 <= delay <= 2**attempt + 0.1


def test_rows_whose_lease_is_half_gone_are_given_back_untried(make_registry: Any) -> None:
    client = make_registry(pubsub_lease_seconds=1.0)
    for topic in ("TOPIC_A", "TOPIC_B", "TOPIC_C"):
        register(client, topic, V1)
    worker = ctx_of(client).pubsub.worker
    sync_topic = worker.handlers[outbox.SCHEMA_SYNC]

    def slow(*args: Any) -> object:  # a Pub/Sub that takes most of the lease for one topic
        time.sleep(0.6)
        return sync_topic(*args)

    worker.handlers[outbox.SCHEMA_SYNC] = slow
    assert [o.topic for o in worker.run_once(stopping=lambda: True)] == []  # stopping: no claim
    delivered = worker.run_once(topics=["TOPIC_A", "TOPIC_B", "TOPIC_C"])
    assert [o.topic for o in delivered] == ["TOPIC_A"]
    left = rows(client)
    assert sorted(r.topic for r in left) == ["TOPIC_B", "TOPIC_C"]
    assert all(r.claimed_by is None and r.attempts == 0 for r in left)
