"""`accord contract register` and `accord check --consumer` check every producer version in flight."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from clients.cli import run
from tests.e2e.conftest import RunningServer

pytestmark = pytest.mark.slow

# EMAIL_SENT: v2 adds `channel` with a default; the contract reads it with none.
V1: dict[str, Any] = {
    "type": "record",
    "name": "EmailSent",
    "fields": [{"name": "id", "type": "string"}, {"name": "to", "type": "string"}],
}
V2: dict[str, Any] = {
    **V1,
    "fields": [*V1["fields"], {"name": "channel", "type": "string", "default": "smtp"}],
}
READS_CHANNEL: dict[str, Any] = {
    "type": "record",
    "name": "EmailSent",
    "fields": [{"name": "id", "type": "string"}, {"name": "channel", "type": "string"}],
}


def accord(url: str, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run([*argv, "--registry", url], out, err)
    return code, out.getvalue(), err.getvalue()


def test_email_sent_through_the_cli(shared_accord_server: RunningServer, tmp_path: Path) -> None:
    url, topic = shared_accord_server.url, "CLI_EMAIL_SENT"
    for schema in (V1, V2):
        response = httpx.post(
            f"{url}/subjects/{topic}/versions", json={"schema": json.dumps(schema)}
        )
        assert response.status_code == 200, response.text
    contract = tmp_path / "billing.avsc"
    contract.write_text(json.dumps(READS_CHANNEL))

    code, out, err = accord(url, "check", topic, str(contract), "--consumer", "billing")
    assert code == 1, (out, err)
    assert "producer version 1 does not satisfy the contract" in out
    assert "version 1)" in out
    assert "version 2)" not in out
    code, out, err = accord(
        url, "check", topic, str(contract), "--consumer", "billing", "--format", "json"
    )
    findings = json.loads(out)["consumers"][0]["findings"]
    assert {f["version"] for f in findings} == {1}

    code, out, err = accord(
        url, "contract", "register", topic, "--consumer", "billing", str(contract)
    )
    assert code == 1, (out, err)
    assert "version 1" in out + err

    # contractScope LATEST: only v2 counts, as before.
    response = httpx.put(f"{url}/config/{topic}", json={"contractScope": "LATEST"})
    assert response.status_code == 200, response.text
    assert accord(url, "check", topic, str(contract), "--consumer", "billing")[0] == 0
    response = httpx.put(f"{url}/config/{topic}", json={"contractScope": "ALL_LIVE"})
    assert response.status_code == 200, response.text

    # Retiring v1 narrows the set: the contract is accepted.
    assert httpx.delete(f"{url}/subjects/{topic}/versions/1").status_code == 200
    code, out, err = accord(
        url, "contract", "register", topic, "--consumer", "billing", str(contract)
    )
    assert code == 0, (out, err)


def test_a_typo_in_a_topic_fails_loudly(
    shared_accord_server: RunningServer, tmp_path: Path
) -> None:
    url = shared_accord_server.url
    response = httpx.post(
        f"{url}/subjects/CLI_CUSTOMER_CREATED/versions", json={"schema": json.dumps(V1)}
    )
    assert response.status_code == 200, response.text
    schema = tmp_path / "v1.avsc"
    schema.write_text(json.dumps(V1))
    code, out, err = accord(url, "check", "CLI_CUSTOMER_CREATD", str(schema))
    assert code == 2, (out, err)
    assert "Did you mean 'CLI_CUSTOMER_CREATED'?" in err
    assert err.count("\n") == 1
    code, out, err = accord(
        url, "contract", "register", "CLI_CUSTOMER_CREATD", "--consumer", "m", str(schema)
    )
    assert code == 2, (out, err)
    assert "Did you mean 'CLI_CUSTOMER_CREATED'?" in err
    code, out, err = accord(url, "check", "CLI_BRAND_NEW", str(schema), "--new-topic")
    assert code == 0, (out, err)


def test_accord_matrix_prints_the_table(shared_accord_server: RunningServer) -> None:
    url, topic = shared_accord_server.url, "CLI_MATRIX"
    for schema in (V1, V2):
        response = httpx.post(
            f"{url}/subjects/{topic}/versions", json={"schema": json.dumps(schema)}
        )
        assert response.status_code == 200, response.text
    assert httpx.put(f"{url}/config/{topic}", json={"contractScope": "LATEST"}).status_code == 200
    response = httpx.put(
        f"{url}/subjects/{topic}/consumers/billing", json={"schema": json.dumps(READS_CHANNEL)}
    )
    assert response.status_code == 200, response.text
    code, out, err = accord(url, "matrix", topic)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["VERSION", "billing", "(contract", "v1)"]
    assert lines[1].startswith("v1")
    assert "BROKEN" in lines[1]
    assert "channel" in lines[1]
    assert lines[2].split() == ["v2", "ok"]
    assert accord(url, "matrix", "CLI_MATRX")[0] == 2
