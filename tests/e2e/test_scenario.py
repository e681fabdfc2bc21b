"""The PRODUCT.md scenario end to end against a live `accord serve`, through HTTP and the CLI,
once with Avro and once with JSON Schema (the files are examples/scenario)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import httpx
import pytest

from clients.cli import run
from tests.e2e.conftest import RunningServer

SCENARIO = Path(__file__).resolve().parents[2] / "examples" / "scenario"
EXT = {"avro": "avsc", "json": "json"}

pytestmark = pytest.mark.slow


class Cli:
    def __init__(self, url: str) -> None:
        self.url = url
        self.stdout = ""
        self.stderr = ""

    def __call__(self, *argv: str) -> int:
        out, err = io.StringIO(), io.StringIO()
        code = run([*argv, "--registry", self.url], out, err)
        self.stdout, self.stderr = out.getvalue(), err.getvalue()
        return code


@pytest.mark.parametrize("fmt", sorted(EXT))
def test_the_scenario_every_release_must_pass(
    fmt: str, accord_server: RunningServer, tmp_path: Path
) -> None:
    def file(name: str) -> str:
        return str(SCENARIO / fmt / f"{name}.{EXT[fmt]}")

    def message(name: str) -> str:
        return str(SCENARIO / fmt / "messages" / f"{name}.json")

    cli = Cli(accord_server.url)
    http = httpx.Client(base_url=accord_server.url, timeout=30)

    # CRM owns the customer events, Marketing owns EMAIL_SENT.
    for topic in ("CUSTOMER_CREATED", "CUSTOMER_DELETED", "EMAIL_SENT"):
        assert cli("schema", "register", topic, file(f"{topic}.v1")) == 0, cli.stderr
    # Marketing and Data Analysis consume the customer events; CRM and Data Analysis EMAIL_SENT.
    contracts = [
        ("CUSTOMER_CREATED", "marketing"),
        ("CUSTOMER_CREATED", "data-analysis"),
        ("CUSTOMER_DELETED", "marketing"),
        ("CUSTOMER_DELETED", "data-analysis"),
        ("EMAIL_SENT", "crm"),
        ("EMAIL_SENT", "data-analysis"),
    ]
    for topic, consumer in contracts:
        code = cli(
            "contract", "register", topic, "--consumer", consumer,
            file(f"contracts/{consumer}.{topic}"),
        )  # fmt: skip
        assert code == 0, cli.stderr

    # 1. CRM adds an optional field: accepted; every consumer unaffected.
    assert cli("check", "CUSTOMER_CREATED", file("CUSTOMER_CREATED.v2-adds-optional-phone")) == 0
    assert "[ok] consumer marketing" in cli.stdout
    assert "[ok] consumer data-analysis" in cli.stdout
    assert (
        cli(
            "schema",
            "register",
            "CUSTOMER_CREATED",
            file("CUSTOMER_CREATED.v2-adds-optional-phone"),
        )
        == 0
    )

    # 2. CRM removes a field Marketing reads: refused, naming Marketing, the field and why, with
    #    an example message. In CI: exit 1 and a JUnit report.
    report_file = tmp_path / "accord.xml"
    removes_email = file("CUSTOMER_CREATED.v3-removes-email")
    code = cli(
        "check",
        "CUSTOMER_CREATED",
        removes_email,
        "--format",
        "junit",
        "--output",
        str(report_file),
    )
    assert code == 1
    cases = {c.get("name"): c for c in ET.parse(report_file).getroot().iter("testcase")}
    failure = cases["consumer marketing"].find("failure")
    assert failure is not None
    assert "marketing reads email as a string; this version removes it" in (failure.text or "")
    assert "example message" in (failure.text or "")
    assert cases["consumer data-analysis"].find("failure") is None
    assert cli("check", "CUSTOMER_CREATED", removes_email, "--format", "json") == 1
    verdict = next(c for c in json.loads(cli.stdout)["consumers"] if c["consumer"] == "marketing")
    assert "email" not in verdict["counterexample"]["message"]
    refused = http.post(
        "/subjects/CUSTOMER_CREATED/versions",
        json={"schemaType": fmt.upper(), "schema": Path(removes_email).read_text()},
    )
    assert refused.status_code == 409
    assert "marketing" in refused.json()["message"]
    assert "email" in refused.json()["message"]
    assert cli("schema", "register", "CUSTOMER_CREATED", removes_email) == 1
    assert "marketing" in cli.stderr
    assert http.get("/subjects/CUSTOMER_CREATED/versions").json() == [1, 2]

    # 3. CRM removes a field nobody reads, under NONE: accepted — contracts, not guesses, decide.
    assert cli("config", "set", "CUSTOMER_CREATED", "NONE") == 0, cli.stderr
    assert (
        cli("schema", "register", "CUSTOMER_CREATED", file("CUSTOMER_CREATED.v3-removes-fax")) == 0
    )
    assert http.get("/subjects/CUSTOMER_CREATED/versions").json() == [1, 2, 3]
    # ...while a contract break stays refused under NONE.
    assert cli("check", "CUSTOMER_CREATED", removes_email) == 1

    # 4. Data Analysis registers a contract needing a field CRM does not send: refused.
    needs_country = file("contracts/data-analysis.CUSTOMER_CREATED.needs-country")
    assert cli("check", "CUSTOMER_CREATED", needs_country, "--consumer", "data-analysis") == 1
    assert "data-analysis reads country as a string" in cli.stdout
    assert (
        cli(
            "contract", "register", "CUSTOMER_CREATED", "--consumer", "data-analysis", needs_country
        )
        == 1
    )
    put = http.put(
        "/subjects/CUSTOMER_CREATED/consumers/data-analysis",
        json={"schemaType": fmt.upper(), "schema": Path(needs_country).read_text()},
    )
    assert put.status_code == 409
    assert put.json()["report"]["ok"] is False
    assert http.get("/subjects/CUSTOMER_CREATED/consumers/data-analysis").json()["version"] == 1

    # 5. A message missing a required field is invalid (exit 1); a complete one is valid.
    assert (
        cli("validate", "CUSTOMER_CREATED", message("CUSTOMER_CREATED.valid"), "--version", "2")
        == 0
    )
    assert (
        cli(
            "validate",
            "CUSTOMER_CREATED",
            message("CUSTOMER_CREATED.missing-email"),
            "--version",
            "2",
        )
        == 1
    )
    assert "email" in cli.stdout

    # 6. A fourth team subscribes and registers its contract: no change anywhere else.
    before = {t: http.get(f"/subjects/{t}/consumers").json() for t, _ in contracts}
    support = file("contracts/support.CUSTOMER_CREATED")
    assert cli("contract", "register", "CUSTOMER_CREATED", "--consumer", "support", support) == 0
    after = {t: http.get(f"/subjects/{t}/consumers").json() for t, _ in contracts}
    assert [c for c in after["CUSTOMER_CREATED"] if c["consumer"] != "support"] == before[
        "CUSTOMER_CREATED"
    ]
    assert after["EMAIL_SENT"] == before["EMAIL_SENT"]
    assert http.get("/subjects/CUSTOMER_CREATED/versions").json() == [1, 2, 3]
    assert cli("fields", "CUSTOMER_CREATED", "--format", "json") == 0, cli.stderr
    fields = {f["path"]: f["consumers"] for f in json.loads(cli.stdout)}
    assert fields["email"] == ["marketing"]
    assert fields["name"] == ["support"]
    assert [c["subject"] for c in http.get("/consumers/data-analysis").json()] == [
        "CUSTOMER_CREATED", "CUSTOMER_DELETED", "EMAIL_SENT",
    ]  # fmt: skip
    assert cli("contract", "get", "CUSTOMER_CREATED", "--consumer", "support") == 0
    assert json.loads(cli.stdout) == json.loads(Path(support).read_text())
    http.close()


def test_an_unreachable_registry_is_exit_2_with_one_line(tmp_path: Path) -> None:
    cli = Cli("http://127.0.0.1:9")
    assert (
        cli("check", "CUSTOMER_CREATED", str(SCENARIO / "avro" / "CUSTOMER_CREATED.v1.avsc")) == 2
    )
    assert cli.stderr.count("\n") == 1
    assert "unreachable" in cli.stderr
