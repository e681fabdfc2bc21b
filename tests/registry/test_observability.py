"""`/metrics` (read back with prometheus-client's own parser), request ids and structured logs."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.exc import IntegrityError

from registry import Settings, create_app
from registry.db import Database, create_db_engine
from registry.errors import PubSubFailed, ServiceUnavailable
from registry.metrics import RegistryMetrics
from registry.observability import JsonFormatter, TextFormatter
from registry.pubsub import outbox
from registry.pubsub.worker import OutboxWorker
from tests.registry.auth_world import ADMIN_TOKEN, bearer
from tests.registry.registry_schemas import V1, V2, V3_BREAKING

SCENARIO = Path(__file__).resolve().parents[2] / "examples" / "scenario" / "avro"
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(client: TestClient, **headers: str) -> Samples:
    """Every sample of `/metrics`, parsed by prometheus-client: (name, sorted labels) -> value."""
    answer = client.get("/metrics", headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def app_client(tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(**settings: Any) -> TestClient:
        url = f"sqlite:///{tmp_path / f'accord-{len(clients)}.db'}"
        client = TestClient(create_app(Settings(database_url=url, **settings)))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """Accord's log records as the server writes them (JSON lines), captured."""
    sink = io.StringIO()
    handler = logging.StreamHandler(sink)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("accord")
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield sink
    logger.removeHandler(handler)
    logger.setLevel(previous)


def json_lines(sink: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in sink.getvalue().splitlines()]


def avro(text: str) -> dict[str, str]:
    return {"schema": text}


def test_requests_are_counted_by_route_template_never_by_path(
    app_client: Callable[..., TestClient],
) -> None:
    client = app_client()
    for topic in ("ORDERS", "PAYMENTS", "team%2Fsecret"):
        assert client.post(f"/subjects/{topic}/versions", json=avro(V1)).status_code == 200
        assert client.get(f"/subjects/{topic}/versions/latest").status_code == 200
    assert client.get("/subjects/NOPE/versions/1").status_code == 404
    assert client.get("/no/such/route").status_code == 404
    samples = scrape(client)
    route = "/subjects/{subject}/versions"
    assert (
        value(samples, "accord_http_requests_total", route=route, method="POST", status="200") == 3
    )
    latest = "/subjects/{subject}/versions/{version}"
    assert (
        value(samples, "accord_http_requests_total", route=latest, method="GET", status="200") == 3
    )
    assert (
        value(samples, "accord_http_requests_total", route=latest, method="GET", status="404") == 1
    )
    assert (
        value(
            samples, "accord_http_requests_total", route="(unmatched)", method="GET", status="404"
        )
        == 1
    )
    assert (
        value(samples, "accord_http_request_duration_seconds_count", route=route, method="POST")
        == 3
    )
    # Bounded cardinality: no label anywhere holds a topic name or a raw path.
    labels = {v for _, pairs in samples for _, v in pairs}
    assert not labels & {"ORDERS", "PAYMENTS", "team/secret", "NOPE", "/no/such/route"}
    assert not any("ORDERS" in v or "/no/such" in v for v in labels)


def test_registrations_accepted_and_refused_by_reason(
    app_client: Callable[..., TestClient], logs: io.StringIO
) -> None:
    client = app_client()
    contract = (SCENARIO / "contracts" / "marketing.CUSTOMER_CREATED.avsc").read_text()
    producer = (SCENARIO / "CUSTOMER_CREATED.v1.avsc").read_text()
    breaks_marketing = (SCENARIO / "CUSTOMER_CREATED.v3-removes-email.avsc").read_text()
    assert client.post("/subjects/T/versions", json=avro(V1)).status_code == 200
    assert client.post("/subjects/T/versions", json=avro(V1)).status_code == 200  # existing
    assert client.post("/subjects/T/versions", json=avro(V2)).status_code == 200
    assert client.post("/subjects/T/versions", json=avro(V3_BREAKING)).status_code == 409
    assert client.post("/subjects/T/versions", json=avro("{not json")).status_code == 422
    assert client.post("/subjects/C/versions", json=avro(producer)).status_code == 200
    put = client.put("/subjects/C/consumers/marketing", json=avro(contract))
    assert put.status_code == 200, put.text
    assert client.post("/subjects/C/versions", json=avro(breaks_marketing)).status_code == 409
    assert client.put("/mode/T", json={"mode": "READONLY"}).status_code == 200
    assert client.post("/subjects/T/versions", json=avro(V1)).status_code == 422

    samples = scrape(client)
    accepted = "accord_registrations_accepted_total"
    refused = "accord_registrations_refused_total"
    assert value(samples, accepted, outcome="new_version") == 3
    assert value(samples, accepted, outcome="existing") == 1
    assert value(samples, refused, reason="not_permitted") == 1
    assert value(samples, refused, reason="level") == 1
    assert value(samples, refused, reason="contract") == 1
    assert value(samples, refused, reason="invalid") == 1

    refusals = [line for line in json_lines(logs) if line.get("event") == "refusal"]
    assert [(r["reason"], r["topic"], r["status"]) for r in refusals[:3]] == [
        ("level", "T", 409),
        ("invalid", "T", 422),
        ("contract", "C", 409),
    ]
    assert "incompatible" in refusals[0]["message"]
    assert "marketing" in refusals[2]["message"]
    assert all(r["request_id"] for r in refusals)


def test_checks_cache_and_database_are_measured(app_client: Callable[..., TestClient]) -> None:
    client = app_client(read_cache_ttl_seconds=3600)
    assert client.post("/subjects/T/versions", json=avro(V1)).status_code == 200
    compatible = client.post("/compatibility/subjects/T/versions/latest", json=avro(V2))
    assert compatible.json()["is_compatible"] is True
    incompatible = client.post("/compatibility/subjects/T/versions", json=avro(V3_BREAKING))
    assert incompatible.json()["is_compatible"] is False
    assert client.post("/subjects/T/check", json=avro(V2)).json()["ok"] is True
    before = scrape(client)
    for _ in range(3):
        assert client.get("/schemas/ids/1").status_code == 200
    after = scrape(client)
    checks = "accord_checks_total"
    assert value(after, checks, kind="compatibility", result="compatible") == 1
    assert value(after, checks, kind="compatibility", result="incompatible") == 1
    assert value(after, checks, kind="contracts", result="compatible") == 1
    lookups = "accord_cache_lookups_total"
    hits = value(after, lookups, cache="schemas_by_id", result="hit") - value(
        before, lookups, cache="schemas_by_id", result="hit"
    )
    assert hits == 3  # registering put the schema in the cache: every read is a hit
    assert value(after, lookups, cache="schemas_by_id", result="miss") == value(
        before, lookups, cache="schemas_by_id", result="miss"
    )
    for _ in range(2):  # the first read after the registration fills the entry, the second hits
        assert client.get("/subjects/T/versions/latest").status_code == 200
    last = scrape(client)
    for result in ("miss", "hit"):
        assert (
            value(last, lookups, cache="subject_versions", result=result)
            - value(after, lookups, cache="subject_versions", result=result)
            == 1
        )
    seconds = "accord_database_transaction_duration_seconds_count"
    assert value(after, seconds, operation="write") >= 1
    assert value(after, seconds, operation="read") >= 3


def test_database_errors_are_counted_by_kind(tmp_path: Path) -> None:
    metrics = RegistryMetrics()
    engine = create_db_engine(f"sqlite:///{tmp_path / 'x.db'}")
    database = Database(engine, write_retries=3, metrics=metrics)

    def always_loses(_session: object) -> None:
        raise IntegrityError("INSERT ...", {}, Exception("UNIQUE constraint failed"))

    with pytest.raises(ServiceUnavailable):
        database.write(always_loses)
    engine.dispose()
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for f in text_string_to_metric_families(metrics.exposition().decode())
        for s in f.samples
    }
    assert value(samples, "accord_database_errors_total", operation="write", kind="race") == 3
    assert (
        value(samples, "accord_database_transaction_duration_seconds_count", operation="write") == 1
    )


def test_authentication_failures_and_who_may_read_metrics(
    app_client: Callable[..., TestClient], logs: io.StringIO
) -> None:
    public = app_client(admin_token=ADMIN_TOKEN)
    assert public.get("/subjects").status_code == 401
    assert (
        public.get("/subjects", headers=bearer("accord_0123456789abcdef_" + "x" * 30)).status_code
        == 401
    )
    assert public.get("/subjects", headers={"Authorization": "Bearer "}).status_code == 401
    samples = scrape(public)  # public by default: no credentials needed
    # A scheme without a token is malformed credentials, not missing ones.
    assert value(samples, "accord_authentication_failures_total", reason="missing") == 1
    assert value(samples, "accord_authentication_failures_total", reason="invalid") == 2
    reasons = [line["reason"] for line in json_lines(logs) if line.get("event") == "refusal"]
    assert reasons == ["authentication_missing", "authentication_invalid", "authentication_invalid"]

    private = app_client(admin_token=ADMIN_TOKEN, metrics_public=False)
    assert private.get("/metrics").status_code == 401
    assert scrape(private, **bearer(ADMIN_TOKEN))
    # Without auth there is nobody to ask credentials of: the setting changes nothing.
    assert scrape(app_client(metrics_public=False))
    spec = public.get("/openapi.json", headers=bearer(ADMIN_TOKEN)).json()
    assert "security" not in spec["paths"]["/metrics"]["get"]
    spec = private.get("/openapi.json", headers=bearer(ADMIN_TOKEN)).json()
    assert "security" in spec["paths"]["/metrics"]["get"]


def test_outbox_depth_and_delivery_failures(app_client: Callable[..., TestClient]) -> None:
    client = app_client()
    assert not any(name == "accord_outbox_depth" for name, _ in scrape(client))
    ctx = client.app.state.registry  # type: ignore[attr-defined]
    owing = Settings(database_url="sqlite://", pubsub_project="accord-test")
    for topic in ("ORDERS", "PAYMENTS"):
        ctx.db.write(lambda session, t=topic: outbox.enqueue(owing, session, t, "test"))
    assert value(scrape(client), "accord_outbox_depth", kind=outbox.SCHEMA_SYNC) == 2

    def unreachable(_ctx: object, _gateway: object, topic: str) -> None:
        raise PubSubFailed(f"Pub/Sub did not answer for {topic}", retryable=True)

    worker = OutboxWorker(ctx, gateway=None, handlers={outbox.SCHEMA_SYNC: unreachable})  # type: ignore[arg-type]
    assert [o.error is not None for o in worker.run_once()] == [True, True]
    samples = scrape(client)
    assert value(samples, "accord_outbox_delivery_failures_total", kind=outbox.SCHEMA_SYNC) == 2
    assert value(samples, "accord_outbox_depth", kind=outbox.SCHEMA_SYNC) == 2  # still owed
    # Another outbox (webhooks, say) reports through the same hook, read at each scrape.
    pending = {"webhook": 3}
    client.app.state.metrics.watch_outbox(lambda: pending)  # type: ignore[attr-defined]
    assert value(scrape(client), "accord_outbox_depth", kind="webhook") == 3
    pending["webhook"] = 1
    assert value(scrape(client), "accord_outbox_depth", kind="webhook") == 1


def test_one_json_line_per_request_with_its_request_id(
    app_client: Callable[..., TestClient], logs: io.StringIO
) -> None:
    client = app_client(admin_token=ADMIN_TOKEN)
    created = client.post("/teams", json={"name": "crm"}, headers=bearer(ADMIN_TOKEN))
    assert created.status_code == 200, created.text
    token = client.post("/teams/crm/tokens", headers=bearer(ADMIN_TOKEN)).json()["token"]
    logs.truncate(0)
    logs.seek(0)
    answer = client.post(
        "/subjects/T/versions",
        json=avro(V1),
        headers={**bearer(token), "X-Request-ID": "deploy-42.attempt:1"},
    )
    assert answer.status_code == 200
    assert answer.headers["x-request-id"] == "deploy-42.attempt:1"
    refused = client.get("/subjects", headers={"X-Request-ID": "bad id\r\nX-Evil: 1"})
    assert refused.status_code == 401
    generated = refused.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    long_id = client.get("/healthz", headers={"X-Request-ID": "a" * 129})
    assert re.fullmatch(r"[0-9a-f]{32}", long_id.headers["x-request-id"])

    requests = [line for line in json_lines(logs) if line.get("event") == "request"]
    assert [(r["method"], r["route"], r["status"], r["team"]) for r in requests] == [
        ("POST", "/subjects/{subject}/versions", 200, "crm"),
        ("GET", "/subjects", 401, None),
        ("GET", "/healthz", 200, None),
    ]
    assert requests[0]["request_id"] == "deploy-42.attempt:1"
    assert requests[1]["request_id"] == generated
    assert all(isinstance(r["duration_ms"], float) and r["duration_ms"] >= 0 for r in requests)
    assert all(r["logger"] == "accord.requests" and r["level"] == "info" for r in requests)


def test_the_text_format_carries_the_same_fields() -> None:
    record = logging.LogRecord("accord.requests", logging.INFO, __file__, 1, "GET /x 200", (), None)
    record.fields = {"event": "request", "route": "/x", "status": 200, "team": None}
    line = TextFormatter().format(record)
    assert line.endswith("INFO accord.requests: GET /x 200 [route=/x status=200]")
