"""RegistryClient over httpx.MockTransport: caches, TTL revalidation, retries, cool-down, errors, disk cache."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import httpx
import pytest

from clients import (
    AccordError,
    IncompatibleSchema,
    InvalidSchemaError,
    NotAuthorized,
    RegistryClient,
    RegistryError,
    RegistryUnavailable,
    SchemaNotFound,
)
from clients._cache import write_atomically
from tests.clients.fake_registry import FakeRegistry, error, ok
from tests.support.clock import Clock

CUSTOMER_V1 = json.dumps(
    {
        "type": "record",
        "name": "CustomerCreated",
        "fields": [{"name": "id", "type": "string"}, {"name": "email", "type": "string"}],
    }
)
CUSTOMER_V2 = json.dumps(
    {
        "type": "record",
        "name": "CustomerCreated",
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "email", "type": "string"},
            {"name": "name", "type": ["null", "string"], "default": None},
        ],
    }
)


@pytest.fixture
def registry() -> FakeRegistry:
    fake = FakeRegistry()
    fake.add("CUSTOMER_CREATED", CUSTOMER_V1)
    return fake


@pytest.fixture
def clock() -> Clock:
    return Clock(now=1000.0)


@pytest.fixture
def sleeps() -> list[float]:
    return []


def make_client(
    fake: FakeRegistry, clock: Clock, sleeps: list[float], **options: object
) -> RegistryClient:
    return RegistryClient(
        "http://registry.test",
        http=fake.client(),
        clock=clock,
        sleep=sleeps.append,
        rng=lambda: 0.5,
        **options,  # type: ignore[arg-type]
    )


def test_schema_by_id_is_fetched_once_and_cached_forever(registry, clock, sleeps):
    client = make_client(registry, clock, sleeps)
    first = client.get_schema(1)
    clock.now += 10**6  # ids are immutable: no TTL applies
    second = client.get_schema(1)
    assert first is second
    assert first.text == CUSTOMER_V1
    assert first.parsed.validate({"id": "c1", "email": "a@b.c"}) == []
    assert registry.paths() == ["/schemas/ids/1"]


def test_latest_is_cached_for_the_ttl_then_revalidated(registry, clock, sleeps):
    client = make_client(registry, clock, sleeps, latest_ttl=30.0)
    assert client.get_latest_version("CUSTOMER_CREATED").version == 1
    registry.add("CUSTOMER_CREATED", CUSTOMER_V2)
    clock.now += 29.9
    assert client.get_latest_version("CUSTOMER_CREATED").version == 1  # still fresh: no call
    assert len(registry.requests) == 1
    clock.now += 0.2
    latest = client.get_latest_version("CUSTOMER_CREATED")
    assert (latest.version, latest.schema_id, latest.text) == (2, 2, CUSTOMER_V2)
    assert len(registry.requests) == 2
    # What `latest` taught is also known by version and by id: no further calls.
    assert client.get_version("CUSTOMER_CREATED", 2).schema_id == 2
    assert client.get_schema(2).text == CUSTOMER_V2
    assert len(registry.requests) == 2


def test_versions_are_cached_forever(registry, clock, sleeps):
    client = make_client(registry, clock, sleeps)
    client.get_version("CUSTOMER_CREATED", 1)
    clock.now += 10**6
    client.get_version("CUSTOMER_CREATED", 1)
    assert registry.paths() == ["/subjects/CUSTOMER_CREATED/versions/1"]


def test_register_and_lookup_speak_the_confluent_api(registry, clock, sleeps):
    client = make_client(registry, clock, sleeps)
    registered = client.register_schema("CUSTOMER_CREATED", CUSTOMER_V2)
    assert (registered.schema_id, registered.version) == (2, 2)
    found = client.lookup_schema("CUSTOMER_CREATED", CUSTOMER_V1)
    assert (found.schema_id, found.version) == (1, 1)
    sent = json.loads(registry.requests[0].content)
    assert sent == {"schema": CUSTOMER_V2, "schemaType": "AVRO"}
    assert registry.requests[0].headers["Content-Type"] == "application/vnd.schemaregistry.v1+json"
    assert "application/vnd.schemaregistry.v1+json" in registry.requests[0].headers["Accept"]
    assert client.get_versions("CUSTOMER_CREATED") == [1, 2]


def test_topic_names_are_one_path_segment(registry, clock, sleeps):
    registry.add("crm/customer created", CUSTOMER_V1)
    client = make_client(registry, clock, sleeps)
    assert client.get_latest_version("crm/customer created").schema_id == 1
    assert (
        registry.requests[0].url.raw_path == b"/subjects/crm%2Fcustomer%20created/versions/latest"
    )


def test_bearer_token_is_sent_only_when_given(registry, clock, sleeps):
    make_client(registry, clock, sleeps, token="s3cret").get_schema(1)
    make_client(registry, clock, sleeps).get_schema(1)
    assert registry.requests[0].headers["Authorization"] == "Bearer s3cret"
    assert "Authorization" not in registry.requests[1].headers


@pytest.mark.parametrize(
    "failure",
    [
        error(503, 50001, "store unavailable"),
        error(500, 50002, "timeout"),
        httpx.Response(502, text="bad gateway"),
        httpx.Response(429, json={}),
        httpx.ConnectError("refused"),
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("server hung up"),
    ],
    ids=["503", "500", "502-not-json", "429", "connect", "read-timeout", "protocol"],
)
def test_transient_failures_are_retried_with_growing_backoff(registry, clock, sleeps, failure):
    registry.script = [failure, failure]
    client = make_client(registry, clock, sleeps, backoff=0.1, max_retries=3)
    assert client.get_schema(1).schema_id == 1
    assert len(registry.requests) == 3
    # rng pinned at 0.5: each delay is 3/4 of a doubling ceiling (0.1, 0.2…).
    assert sleeps == pytest.approx([0.075, 0.15])


def test_retry_after_is_honoured_but_capped(registry, clock, sleeps):
    registry.script = [
        httpx.Response(429, headers={"Retry-After": "0.7"}),
        httpx.Response(429, headers={"Retry-After": "3600"}),
    ]
    client = make_client(registry, clock, sleeps, max_backoff=2.0)
    client.get_schema(1)
    assert sleeps == [0.7, 2.0]


def test_exhausted_retries_raise_unavailable_then_cool_down(registry, clock, sleeps):
    registry.down = True
    client = make_client(registry, clock, sleeps, max_retries=2, outage_cooldown=5.0)
    with pytest.raises(RegistryUnavailable, match="after 3 attempts") as raised:
        client.get_schema(1)
    assert raised.value.status is None
    assert len(registry.requests) == 3
    assert len(sleeps) == 2
    # During the cool-down a dead registry costs nothing: no request, no sleep.
    with pytest.raises(RegistryUnavailable, match="not retrying"):
        client.get_latest_version("CUSTOMER_CREATED")
    assert len(registry.requests) == 3
    assert len(sleeps) == 2
    # After it, the client tries again, and recovers.
    registry.down = False
    clock.now += 5.0
    assert client.get_schema(1).schema_id == 1


def test_persistent_5xx_reports_the_last_status(registry, clock, sleeps):
    registry.script = [error(503, 50003, "no leader")] * 4
    client = make_client(registry, clock, sleeps, max_retries=3)
    with pytest.raises(RegistryUnavailable) as raised:
        client.get_schema(1)
    assert raised.value.status == 503


@pytest.mark.parametrize(
    "case",
    [
        (error(404, 40401, "Subject 'X' not found."), SchemaNotFound, 40401),
        (error(404, 40403, "Schema 9 not found"), SchemaNotFound, 40403),
        (error(409, 40901, "incompatible"), IncompatibleSchema, 40901),
        (error(422, 42201, "Invalid schema"), InvalidSchemaError, 42201),
        (error(401, 40101, "unauthorised"), NotAuthorized, 40101),
        (error(403, 40301, "owned by team 'crm'"), NotAuthorized, 40301),
        (httpx.Response(400, text="<html>nope</html>"), RegistryError, -1),
    ],
    ids=["subject", "schema", "incompatible", "invalid", "unauthorised", "forbidden", "not-json"],
)
def test_error_answers_map_to_the_exception_tree_without_retry(registry, clock, sleeps, case):
    answer, expected, code = case
    registry.script = [answer]
    client = make_client(registry, clock, sleeps)
    with pytest.raises(expected) as raised:
        client.register_schema("X", CUSTOMER_V1)
    assert type(raised.value) is expected
    assert raised.value.status == answer.status_code
    assert raised.value.error_code == code
    assert sleeps == []


def test_real_answers_for_unknown_things(registry, clock, sleeps):
    client = make_client(registry, clock, sleeps)
    with pytest.raises(SchemaNotFound) as raised:
        client.get_latest_version("NEVER_REGISTERED")
    assert raised.value.error_code == 40401
    with pytest.raises(SchemaNotFound):
        client.get_schema(99)
    with pytest.raises(SchemaNotFound):
        client.lookup_schema("CUSTOMER_CREATED", CUSTOMER_V2)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, text="not json"),
        httpx.Response(200, json=["a list"]),
        httpx.Response(200, json={"schemaType": "AVRO"}),
        httpx.Response(200, json={"schema": 42}),
        httpx.Response(200, json={"schema": "{}", "schemaType": "PROTOBUF"}),
    ],
    ids=["not-json", "list", "no-schema", "schema-not-text", "protobuf"],
)
def test_malformed_success_answers_are_registry_errors(registry, clock, sleeps, answer):
    registry.script = [answer]
    client = make_client(registry, clock, sleeps)
    with pytest.raises(RegistryError) as raised:
        client.get_schema(1)
    assert raised.value.error_code == -1


def test_no_httpx_exception_ever_escapes(registry, clock, sleeps):
    registry.script = [httpx.UnsupportedProtocol("ftp?")] * 2
    client = make_client(registry, clock, sleeps, max_retries=1)
    with pytest.raises(AccordError) as raised:
        client.get_schema(1)
    assert not isinstance(raised.value, httpx.HTTPError)


def test_restarted_client_with_cache_dir_works_while_the_registry_is_down(
    registry, clock, sleeps, tmp_path
):
    warm = make_client(registry, clock, sleeps, cache_dir=tmp_path)
    latest = warm.get_latest_version("CUSTOMER_CREATED")
    warm.get_version("CUSTOMER_CREATED", 1)
    registry.down = True
    cold = make_client(registry, clock, sleeps, cache_dir=tmp_path)
    stale = cold.cached_version("CUSTOMER_CREATED")
    assert stale == latest
    assert stale is not None
    assert stale.parsed.validate({"id": "c1", "email": "a@b.c"}) == []
    assert cold.get_schema(latest.schema_id).text == CUSTOMER_V1  # by id: from disk, no network
    assert cold.get_version("CUSTOMER_CREATED", 1).schema_id == 1
    assert cold.cached_version("NEVER_SEEN") is None
    assert len(registry.requests) == 1  # only the warm client's first fetch reached the registry
    leftovers = [p.name for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_corrupt_cache_file_is_ignored_and_refetched(registry, clock, sleeps, tmp_path, caplog):
    make_client(registry, clock, sleeps, cache_dir=tmp_path).get_schema(1)
    (tmp_path / "schemas" / "1.json").write_text('{"id": 1, "sche')  # torn by another tool
    fresh = make_client(registry, clock, sleeps, cache_dir=tmp_path)
    assert fresh.get_schema(1).text == CUSTOMER_V1
    assert len(registry.requests) == 2
    assert "unreadable schema cache file" in caplog.text


def test_atomic_write_keeps_the_old_file_when_replacing_fails(tmp_path, monkeypatch):
    target = tmp_path / "latest.json"
    write_atomically(target, {"id": 1})

    def fail(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_atomically(target, {"id": 2})
    assert json.loads(target.read_text()) == {"id": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest.json"]


def test_readers_never_see_a_torn_cache_file(tmp_path: Path):
    target = tmp_path / "latest.json"
    big = {"schema": "x" * 200_000}
    write_atomically(target, {**big, "n": 0})
    torn: list[str] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            text = target.read_text()
            try:
                json.loads(text)
            except ValueError:
                torn.append(text[-20:])

    reader = threading.Thread(target=read)
    reader.start()
    for n in range(1, 60):
        write_atomically(target, {**big, "n": n})
    stop.set()
    reader.join()
    assert torn == []
    assert json.loads(target.read_text())["n"] == 59


def test_cache_write_failure_does_not_fail_the_call(registry, clock, sleeps, tmp_path, caplog):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache directory should be")
    client = make_client(registry, clock, sleeps, cache_dir=blocker)
    assert client.get_schema(1).schema_id == 1
    assert "could not write the schema cache file" in caplog.text


def test_concurrent_callers_share_one_client(registry, clock, sleeps):
    client = make_client(registry, clock, sleeps)
    results: list[int] = []
    failures: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(50):
                results.append(client.get_schema(1).schema_id)
                results.append(client.get_latest_version("CUSTOMER_CREATED").schema_id)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert results == [1] * 800
    # Each thread may race to fill a cold cache once, never more.
    assert len(registry.requests) <= 16


def test_compatibility_and_config_calls(registry, clock, sleeps):
    registry.script = [
        ok({"is_compatible": False, "messages": ["field 'email' removed"]}),
        ok({"compatibilityLevel": "FULL"}),
        ok({"compatibility": "NONE"}),
        ok(["CUSTOMER_CREATED"]),
    ]
    client = make_client(registry, clock, sleeps)
    report = client.test_compatibility("CUSTOMER_CREATED", CUSTOMER_V2, version="latest")
    assert not report.is_compatible
    assert report.messages == ("field 'email' removed",)
    assert client.get_compatibility("CUSTOMER_CREATED") == "FULL"
    assert client.set_compatibility("NONE", "CUSTOMER_CREATED") == "NONE"
    assert client.get_subjects() == ["CUSTOMER_CREATED"]
    assert [(r.method, r.url.path) for r in registry.requests] == [
        ("POST", "/compatibility/subjects/CUSTOMER_CREATED/versions/latest"),
        ("GET", "/config/CUSTOMER_CREATED"),
        ("PUT", "/config/CUSTOMER_CREATED"),
        ("GET", "/subjects"),
    ]
    assert json.loads(registry.requests[2].content) == {"compatibility": "NONE"}


def test_delete_forgets_the_cached_versions(registry, clock, sleeps, tmp_path):
    client = make_client(registry, clock, sleeps, cache_dir=tmp_path)
    client.get_latest_version("CUSTOMER_CREATED")
    registry.script = [ok([1])]
    assert client.delete_subject("CUSTOMER_CREATED") == [1]
    assert client.cached_version("CUSTOMER_CREATED") is None
    assert client.cached_version("CUSTOMER_CREATED", 1) is None
