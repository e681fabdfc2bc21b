"""The `accord` CLI's whole admin surface against a live `accord serve`: config, mode, schema
list/versions/delete, contracts, consumers, fields, owners, format detection, and every failure
path (exit code, one stderr line, the --output file written either way)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from clients.cli import run
from tests.e2e.conftest import RunningServer

SCENARIO = Path(__file__).resolve().parents[2] / "examples" / "scenario"

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

    def one_error_line(self, starts: str) -> None:
        assert self.stderr.startswith(f"accord: {starts}"), self.stderr
        assert self.stderr.count("\n") == 1


def avro(name: str) -> str:
    return str(SCENARIO / "avro" / name)


def test_config_and_mode(shared_accord_server: RunningServer, tmp_path: Path) -> None:
    cli = Cli(shared_accord_server.url)
    topic = "SURFACE_CONFIG"
    assert cli("schema", "register", topic, avro("CUSTOMER_CREATED.v1.avsc")) == 0, cli.stderr
    assert cli("config", "get") == 0
    assert cli.stdout == "global: BACKWARD (JSON Schema policy STRICT)\n"
    assert cli("config", "get", topic) == 0
    assert "follows the global level" in cli.stdout
    assert cli("config", "set", topic, "none") == 0, cli.stderr
    assert cli.stdout == f"{topic}: compatibility level set to NONE\n"
    assert cli("config", "get", topic, "--format", "json") == 0
    assert json.loads(cli.stdout)["compatibilityLevel"] == "NONE"
    assert json.loads(cli.stdout)["inherited"] is False

    assert cli("config", "set", topic, "SIDEWAYS") == 2
    assert "Invalid compatibility level 'SIDEWAYS'" in cli.stderr
    assert cli.stderr.count("\n") == 1

    assert cli("mode", "get") == 0
    assert cli.stdout == "global: READWRITE\n"
    assert cli("mode", "set", topic, "readonly") == 0, cli.stderr
    assert cli("mode", "get", topic) == 0
    assert cli.stdout == f"{topic}: READONLY\n"
    # A READONLY topic refuses a registration: exit 2 with the registry's reason.
    output = tmp_path / "refused.json"
    code = cli(
        "schema", "register", topic, avro("CUSTOMER_CREATED.v2-adds-optional-phone.avsc"),
        "--format", "json", "--output", str(output),
    )  # fmt: skip
    assert code == 2
    cli.one_error_line(f"registry {cli.url} answered 422")
    assert json.loads(output.read_text())["exitCode"] == 2
    assert cli("mode", "set", topic, "READWRITE") == 0
    assert cli("mode", "set", "SOMETIMES") == 2
    assert "invalid mode 'SOMETIMES'" in cli.stderr


def test_schema_list_versions_and_delete(shared_accord_server: RunningServer) -> None:
    cli = Cli(shared_accord_server.url)
    topic = "SURFACE_DELETE"
    assert cli("schema", "register", topic, avro("CUSTOMER_CREATED.v1.avsc")) == 0
    assert (
        cli("schema", "register", topic, avro("CUSTOMER_CREATED.v2-adds-optional-phone.avsc")) == 0
    )
    assert cli("schema", "list") == 0
    lines = cli.stdout.splitlines()
    assert lines[0] == "TOPIC"
    assert topic in lines
    assert cli("schema", "versions", topic) == 0
    assert cli.stdout == f"{topic}: versions 1, 2\n"

    # A permanent delete needs a soft delete first: the registry says so (exit 2, one line).
    assert cli("schema", "delete", topic, "--version", "1", "--permanent") == 2
    cli.one_error_line("not found in registry")
    assert "not deleted first" in cli.stderr
    assert cli("schema", "delete", topic, "--version", "1") == 0
    assert cli.stdout == f"soft-deleted {topic} version 1\n"
    assert cli("schema", "versions", topic, "--format", "json") == 0
    assert json.loads(cli.stdout) == [2]
    assert cli("schema", "versions", topic, "--deleted", "--format", "json") == 0
    assert json.loads(cli.stdout) == [1, 2]
    assert cli("schema", "delete", topic, "--version", "1", "--permanent") == 0
    assert cli.stdout == f"permanently deleted {topic} version 1\n"

    assert cli("schema", "delete", topic) == 0
    assert cli.stdout == f"soft-deleted {topic} version 2\n"
    assert cli("schema", "list", "--format", "json") == 0
    assert topic not in json.loads(cli.stdout)
    assert cli("schema", "list", "--deleted", "--format", "json") == 0
    assert topic in json.loads(cli.stdout)
    assert cli("schema", "delete", topic, "--permanent") == 0
    assert cli("schema", "versions", topic) == 2
    cli.one_error_line("not found in registry")
    assert cli("schema", "delete", "SURFACE_NEVER") == 2
    cli.one_error_line("not found in registry")


def test_contracts_consumers_fields_and_owner(shared_accord_server: RunningServer) -> None:
    cli = Cli(shared_accord_server.url)
    topic = "SURFACE_CONTRACTS"
    assert cli("schema", "register", topic, avro("CUSTOMER_CREATED.v1.avsc")) == 0
    contract = avro("contracts/marketing.CUSTOMER_CREATED.avsc")
    assert cli("contract", "register", topic, "--consumer", "surface-mkt", contract) == 0
    assert cli("contract", "list", topic) == 0
    assert cli.stdout.splitlines() == [
        "TOPIC              CONSUMER     VERSION",
        f"{topic}  surface-mkt  1",
    ]
    assert cli("consumers", "surface-mkt") == 0
    assert cli.stdout.splitlines() == [
        "TOPIC              CONTRACT VERSION  TYPE",
        f"{topic}  1                 AVRO",
    ]
    assert cli("consumers", "surface-nobody") == 0
    assert cli.stdout == "surface-nobody has no contract on any topic\n"

    assert cli("fields", topic) == 0
    rows = cli.stdout.splitlines()
    assert rows[0].split() == ["FIELD", "TYPE", "REQUIRED", "READ", "BY"]
    email = next(r for r in rows if r.startswith("email "))
    assert email.endswith("surface-mkt")
    assert len({r.index("TYPE") if i == 0 else None for i, r in enumerate(rows)}) == 2
    # Columns are aligned: every row's second column starts where the header's does.
    column = rows[0].index("TYPE")
    assert all(r[column - 2 : column] == "  " and r[column] != " " for r in rows[1:])
    assert cli("fields", topic, "--format", "json") == 0
    assert {"path": "email", "type": "string", "required": True, "consumers": ["surface-mkt"]} in (
        json.loads(cli.stdout)
    )
    assert cli("fields", "SURFACE_NEVER") == 2
    cli.one_error_line("not found in registry")

    assert cli("contract", "delete", topic, "--consumer", "surface-mkt") == 0
    assert cli("contract", "list", topic) == 0
    assert cli.stdout == "no contracts\n"
    assert cli("contract", "delete", topic, "--consumer", "surface-mkt") == 2
    cli.one_error_line("not found in registry")

    assert cli("owner", "get", topic) == 0
    assert cli.stdout == f"{topic}: no owner\n"
    assert cli("team", "create", "surface-crm") == 0
    assert cli("owner", "set", topic, "surface-crm") == 0
    assert cli.stdout == f"{topic}: now owned by surface-crm\n"
    assert cli("owner", "get", topic, "--format", "json") == 0
    assert json.loads(cli.stdout) == {"subject": topic, "team": "surface-crm"}
    assert cli("owner", "set", topic, "surface-no-such-team") == 2
    assert cli.stderr.count("\n") == 1


def test_an_avro_schema_saved_as_json_is_avro(
    shared_accord_server: RunningServer, tmp_path: Path
) -> None:
    cli = Cli(shared_accord_server.url)
    topic = "SURFACE_FORMAT"
    saved_as_json = tmp_path / "customer.json"
    shutil.copy(avro("CUSTOMER_CREATED.v1.avsc"), saved_as_json)
    # By its content: an Avro record, though the name says .json.
    assert cli("schema", "register", topic, str(saved_as_json)) == 0, cli.stderr
    assert cli("schema", "get", topic, "--format", "json") == 0
    assert json.loads(cli.stdout)["schemaType"] == "AVRO"
    # By the topic's registered type: a bare primitive saved as .json is read as Avro too.
    ambiguous = tmp_path / "ambiguous.json"
    ambiguous.write_text('{"type": "string"}')
    assert cli("check", topic, str(ambiguous)) == 1  # Avro's check: a string cannot read a record
    assert "draft" not in cli.stdout + cli.stderr


def test_output_is_written_on_every_outcome(
    shared_accord_server: RunningServer, tmp_path: Path
) -> None:
    cli = Cli(shared_accord_server.url)
    ok, failed = tmp_path / "ok.txt", tmp_path / "failed.txt"
    assert cli("config", "get", "--output", str(ok)) == 0
    assert ok.read_text() == "global: BACKWARD (JSON Schema policy STRICT)\n"
    assert cli.stdout == ""
    assert cli("schema", "versions", "SURFACE_NEVER", "--output", str(failed)) == 2
    assert failed.read_text().startswith("accord: not found in registry")
    dead = Cli("http://127.0.0.1:9")
    unreachable = tmp_path / "unreachable.json"
    assert dead("fields", "T", "--format", "json", "--output", str(unreachable)) == 2
    dead.one_error_line("registry unreachable")
    assert json.loads(unreachable.read_text())["exitCode"] == 2


def test_check_manifest_runs_every_check_in_one_report(
    shared_accord_server: RunningServer, tmp_path: Path
) -> None:
    cli = Cli(shared_accord_server.url)
    for topic in ("CUSTOMER_CREATED", "EMAIL_SENT"):
        assert cli("schema", "register", topic, avro(f"{topic}.v1.avsc")) == 0, cli.stderr
    assert cli(
        "contract", "register", "CUSTOMER_CREATED", "--consumer", "marketing",
        avro("contracts/marketing.CUSTOMER_CREATED.avsc"),
    ) == 0  # fmt: skip
    example = str(SCENARIO / "avro" / "accord.toml")
    assert cli("check", "--manifest", example) == 0, cli.stdout + cli.stderr
    assert "[ok] consumer marketing" in cli.stdout
    assert cli("check", "--manifest", example, "--format", "json") == 0
    data = json.loads(cli.stdout)
    assert data["ok"] is True
    assert [(r["topic"], r["side"]) for r in data["reports"]] == [
        ("CUSTOMER_CREATED", "producer"),
        ("CUSTOMER_CREATED", "consumer"),
        ("EMAIL_SENT", "consumer"),
    ]

    # The same manifest with a breaking producer schema: exit 1, one JUnit file, a suite per topic.
    breaking = tmp_path / "accord.toml"
    breaking.write_text(
        (SCENARIO / "avro" / "accord.toml")
        .read_text()
        .replace(
            "CUSTOMER_CREATED.v2-adds-optional-phone.avsc", "CUSTOMER_CREATED.v3-removes-email.avsc"
        )
    )
    for name in ("CUSTOMER_CREATED.v3-removes-email.avsc", "contracts"):
        (tmp_path / name).symlink_to(SCENARIO / "avro" / name)
    junit = tmp_path / "report.xml"
    code = cli("check", "--manifest", str(breaking), "--format", "junit", "--output", str(junit))
    assert code == 1
    assert cli.stdout == "2 of 3 checks passed\n"
    root = ET.parse(junit).getroot()
    suites = {str(s.get("name")): s for s in root.iter("testsuite")}
    assert sorted(suites) == ["CUSTOMER_CREATED", "EMAIL_SENT"]
    assert suites["CUSTOMER_CREATED"].get("failures") == "1"
    assert suites["EMAIL_SENT"].get("failures") == "0"
    assert root.get("failures") == "1"
    failing = [c for c in root.iter("testcase") if c.find("failure") is not None]
    assert len(failing) == 1
    assert "marketing" in (failing[0].get("name") or "")


def test_check_manifest_failure_paths(shared_accord_server: RunningServer, tmp_path: Path) -> None:
    cli = Cli(shared_accord_server.url)
    manifest, output = tmp_path / "accord.toml", tmp_path / "out.json"
    manifest.write_text("[[topic]\nname = ")
    assert (
        cli("check", "--manifest", str(manifest), "--format", "json", "--output", str(output)) == 2
    )
    cli.one_error_line(f"{manifest} is not TOML")
    assert json.loads(output.read_text())["exitCode"] == 2
    manifest.write_text('[[topic]]\nname = "T"\n')
    assert cli("check", "--manifest", str(manifest)) == 2
    cli.one_error_line(f"{manifest}: topic 'T': give a schema")
    manifest.write_text('[[topic]]\nname = "T"\nschema = "missing.avsc"\n')
    assert cli("check", "--manifest", str(manifest)) == 2
    cli.one_error_line(f"cannot read {tmp_path / 'missing.avsc'}")
    (tmp_path / "bad.avsc").write_text(
        '{"type": "record", "name": "X", "fields": [{"name": "a", "type": "strng"}]}'
    )
    manifest.write_text('[[topic]]\nname = "T"\nschema = "bad.avsc"\n')
    assert cli("check", "--manifest", str(manifest)) == 1
    cli.one_error_line("invalid:")
    assert cli("check", "T", "--manifest", str(manifest)) == 2
    cli.one_error_line("--manifest FILE replaces")
    assert cli("check") == 2
    assert cli.stderr.startswith("accord check: the following arguments are required: topic, file")
