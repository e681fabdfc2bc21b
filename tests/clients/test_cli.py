"""The `accord` CLI without a registry: usage errors, unreadable files, exit codes, colour."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from clients.cli import run
from clients.cli._common import use_colour
from clients.cli.schema import field_changes
from contracts import parse_schema

SCENARIO = Path(__file__).resolve().parents[2] / "examples" / "scenario"
DEAD = "http://127.0.0.1:9"


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_usage_errors_exit_2_with_one_line_on_the_given_stderr() -> None:
    code, _, err = cli("check")
    assert code == 2
    assert err.startswith("accord check: the following arguments are required: topic, file")
    assert err.count("\n") == 1
    code, _, err = cli("contract", "register", "T", "file.json")
    assert code == 2
    assert "--consumer" in err
    assert err.count("\n") == 1


def test_help_exits_0_on_stdout() -> None:
    code, out, _ = cli("--help")
    assert code == 0
    for command in ("serve", "schema", "contract", "check", "validate"):
        assert command in out


def test_a_missing_file_is_a_one_line_usage_error() -> None:
    code, out, err = cli("check", "T", "/nonexistent/schema.avsc", "--registry", DEAD)
    assert code == 2
    assert out == ""
    assert err.startswith("accord: cannot read /nonexistent/schema.avsc")
    assert err.count("\n") == 1


def test_an_invalid_schema_file_is_exit_1_before_any_call(tmp_path: Path) -> None:
    bad = tmp_path / "bad.avsc"
    bad.write_text('{"type": "record", "name": "X", "fields": [{"name": "a", "type": "strng"}]}')
    # The registry address is dead: exit 1 (not 2) proves nothing was sent.
    code, _, err = cli("check", "T", str(bad), "--registry", DEAD)
    assert code == 1
    assert err.startswith("accord: invalid:")


def test_an_unreachable_registry_is_exit_2() -> None:
    code, _, err = cli(
        "contract", "register", "T", "--consumer", "marketing",
        str(SCENARIO / "json" / "contracts" / "marketing.CUSTOMER_CREATED.json"),
        "--registry", DEAD,
    )  # fmt: skip
    assert code == 2
    assert "registry unreachable" in err


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_for_text_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    args = argparse.Namespace(format="text", output=None)
    assert use_colour(args, Tty())
    assert not use_colour(args, io.StringIO())
    assert not use_colour(argparse.Namespace(format="json", output=None), Tty())
    assert not use_colour(argparse.Namespace(format="text", output="x.txt"), Tty())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(args, Tty())


def test_diff_lists_added_removed_and_changed_fields() -> None:
    old = parse_schema(
        "AVRO", (SCENARIO / "avro" / "CUSTOMER_CREATED.v2-adds-optional-phone.avsc").read_text()
    )
    new = parse_schema(
        "AVRO", (SCENARIO / "avro" / "CUSTOMER_CREATED.v3-removes-email.avsc").read_text()
    )
    assert field_changes(old, new) == [{"change": "removed", "path": "email", "detail": "string"}]
    assert field_changes(new, old) == [{"change": "added", "path": "email", "detail": "string"}]
