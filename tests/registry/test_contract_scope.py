"""A consumer contract must read every producer version still in flight (contractScope)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import fastavro
import pytest
from fastapi.testclient import TestClient

from registry.app import create_app
from registry.settings import Settings

TOPIC = "EMAIL_SENT"
V1: dict[str, Any] = {
    "type": "record",
    "name": "EmailSent",
    "fields": [{"name": "id", "type": "string"}, {"name": "to", "type": "string"}],
}
# v2 adds `channel` with a default: BACKWARD accepts it, and v2's readers still read v1.
V2: dict[str, Any] = {
    **V1,
    "fields": [*V1["fields"], {"name": "channel", "type": "string", "default": "smtp"}],
}
# A contract reading `channel` with no default: it reads v2's messages, never v1's.
READS_CHANNEL: dict[str, Any] = {
    "type": "record",
    "name": "EmailSent",
    "fields": [{"name": "id", "type": "string"}, {"name": "channel", "type": "string"}],
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    if request.param == "postgres":
        url = request.getfixturevalue("empty_postgres_database")
    else:
        url = f"sqlite:///{tmp_path / 'accord.db'}"
    with TestClient(create_app(Settings(database_url=url))) as test_client:
        yield test_client


def avro(schema: Mapping[str, object]) -> dict[str, str]:
    return {"schema": json.dumps(schema)}


@pytest.fixture
def email_sent(client: TestClient) -> TestClient:
    for schema in (V1, V2):
        assert client.post(f"/subjects/{TOPIC}/versions", json=avro(schema)).status_code == 200
    return client


def put_contract(client: TestClient) -> tuple[int, dict[str, object]]:
    response = client.put(f"/subjects/{TOPIC}/consumers/billing", json=avro(READS_CHANNEL))
    return response.status_code, response.json()


def test_the_contract_really_cannot_decode_a_v1_message() -> None:
    """The oracle: fastavro itself fails to read a v1 message with the contract's schema, and
    reads a v2 message with it."""
    v1_message = io.BytesIO()
    fastavro.schemaless_writer(v1_message, fastavro.parse_schema(V1), {"id": "1", "to": "a@b"})
    with pytest.raises(fastavro.read.SchemaResolutionError):
        fastavro.schemaless_reader(
            io.BytesIO(v1_message.getvalue()),
            fastavro.parse_schema(V1),
            fastavro.parse_schema(READS_CHANNEL),
        )
    v2_message = io.BytesIO()
    fastavro.schemaless_writer(
        v2_message, fastavro.parse_schema(V2), {"id": "1", "to": "a@b", "channel": "sms"}
    )
    read = fastavro.schemaless_reader(
        io.BytesIO(v2_message.getvalue()),
        fastavro.parse_schema(V2),
        fastavro.parse_schema(READS_CHANNEL),
    )
    assert read == {"id": "1", "channel": "sms"}


def test_a_contract_that_cannot_read_v1_is_refused_naming_the_version(
    email_sent: TestClient,
) -> None:
    status, body = put_contract(email_sent)
    assert status == 409, body
    assert "version(s) 1" in str(body["message"])
    report = body["report"]
    assert isinstance(report, dict)
    (verdict,) = report["consumers"]
    assert verdict["consumer"] == "billing"
    versions = {finding.get("version") for finding in verdict["findings"]}
    assert versions == {1}
    assert any("channel" in finding["message"] for finding in verdict["findings"])
    assert email_sent.get(f"/subjects/{TOPIC}/consumers/billing").status_code == 404


def test_retiring_v1_lets_the_contract_in(email_sent: TestClient) -> None:
    assert email_sent.delete(f"/subjects/{TOPIC}/versions/1").status_code == 200
    status, body = put_contract(email_sent)
    assert status == 200, body
    assert body["version"] == 1


def test_contract_scope_latest_restores_the_latest_only_check(email_sent: TestClient) -> None:
    response = email_sent.put(f"/config/{TOPIC}", json={"contractScope": "latest"})
    assert response.status_code == 200, response.json()
    assert response.json()["contractScope"] == "LATEST"
    assert email_sent.get(f"/config/{TOPIC}").json()["contractScope"] == "LATEST"
    status, body = put_contract(email_sent)
    assert status == 200, body
    # Back to every live version: the same contract (registered) is refused as a new one.
    assert email_sent.put(f"/config/{TOPIC}", json={"contractScope": "ALL_LIVE"}).status_code == 200
    response = email_sent.put(f"/subjects/{TOPIC}/consumers/ops", json=avro(READS_CHANNEL))
    assert response.status_code == 409, response.json()


def test_an_unknown_contract_scope_is_a_clear_422(client: TestClient) -> None:
    response = client.put(f"/config/{TOPIC}", json={"contractScope": "SOME"})
    assert response.status_code == 422
    assert "contractScope" in response.json()["message"]
    assert "ALL_LIVE or LATEST" in response.json()["message"]
    response = client.put("/config", json={"contractScope": "LATEST"})
    assert response.status_code == 422
    assert "per topic" in response.json()["message"]


def test_a_producer_version_is_still_checked_against_every_contract(
    email_sent: TestClient,
) -> None:
    assert email_sent.delete(f"/subjects/{TOPIC}/versions/1").status_code == 200
    assert put_contract(email_sent)[0] == 200
    # A v3 without `channel` breaks billing's contract (BACKWARD alone would accept it).
    response = email_sent.post(f"/subjects/{TOPIC}/versions", json=avro(V1))
    assert response.status_code == 409
    assert "billing" in response.json()["message"]


def test_the_matrix_shows_every_live_version_against_every_contract(
    email_sent: TestClient,
) -> None:
    assert email_sent.put(f"/config/{TOPIC}", json={"contractScope": "LATEST"}).status_code == 200
    assert put_contract(email_sent)[0] == 200
    reads_id = {"type": "record", "name": "EmailSent", "fields": [V1["fields"][0]]}
    response = email_sent.put(f"/subjects/{TOPIC}/consumers/audit", json=avro(reads_id))
    assert response.status_code == 200, response.json()
    cells = email_sent.get(f"/subjects/{TOPIC}/matrix").json()
    verdicts = {(c["version"], c["consumer"]): (c["ok"], c["problems"]) for c in cells}
    assert set(verdicts) == {(1, "audit"), (1, "billing"), (2, "audit"), (2, "billing")}
    assert verdicts[(1, "audit")] == (True, [])
    assert verdicts[(2, "audit")] == (True, [])
    assert verdicts[(2, "billing")] == (True, [])
    ok, problems = verdicts[(1, "billing")]
    assert not ok
    assert problems
    assert any("channel" in (p["field"] or "") for p in problems), problems
    assert {c["contractVersion"] for c in cells} == {1}
    # Retiring v1 removes its row; an unknown topic is a 404.
    assert email_sent.delete(f"/subjects/{TOPIC}/versions/1").status_code == 200
    assert {c["version"] for c in email_sent.get(f"/subjects/{TOPIC}/matrix").json()} == {2}
    missing = email_sent.get("/subjects/EMAIL_SNT/matrix")
    assert missing.status_code == 404
    assert "Did you mean 'EMAIL_SENT'?" in missing.json()["message"]
