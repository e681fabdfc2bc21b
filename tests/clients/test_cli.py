"""The `accord` CLI without a registry: usage errors, unreadable files, exit codes, colour."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest

from clients.cli._common import MAX_INPUT_BYTES, use_colour
from clients.cli.schema import field_changes
from contracts import MAX_DEPTH, parse_schema
from tests.support.cli import accord as cli

SCENARIO = Path(__file__).resolve().parents[2] / "examples" / "scenario"
DEAD = "http://127.0.0.1:9"


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


def one_line(err: str) -> None:
    assert err.startswith("accord"), err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err


def bad_inputs(tmp: Path) -> dict[str, tuple[Path, str]]:
    """Input files the CLI must refuse before any call (exit 2), with what it says."""
    (tmp / "dir.json").mkdir()
    (tmp / "empty.json").write_text("")
    (tmp / "blank.avsc").write_text(" \n\t\n")
    (tmp / "latin1.json").write_bytes('{"name": "Müller"}'.encode("latin-1"))
    (tmp / "binary.avsc").write_bytes(bytes(range(128, 256)))
    (tmp / "deep.json").write_text("[" * 50_000 + "]" * 50_000)
    (tmp / "deep.avsc").write_text('{"type": ' * 5_000 + '"string"' + "}" * 5_000)
    with (tmp / "huge.json").open("wb") as huge:  # sparse: no 16 MiB written to disk
        huge.truncate(MAX_INPUT_BYTES + 1)
    return {
        "missing": (tmp / "nope.json", "cannot read"),
        "directory": (tmp / "dir.json", "Is a directory"),
        "empty": (tmp / "empty.json", "is empty"),
        "blank": (tmp / "blank.avsc", "is empty"),
        "not UTF-8": (tmp / "latin1.json", "not UTF-8 text (byte 0xfc at offset 11)"),
        "binary": (tmp / "binary.avsc", "not UTF-8"),
        "deeply nested": (tmp / "deep.json", "nested too deeply"),
        "deeply nested schema": (tmp / "deep.avsc", "nested too deeply"),
        "huge": (tmp / "huge.json", "larger than 16 MiB"),
    }


INPUT_CASES = [
    "missing", "directory", "empty", "blank", "not UTF-8", "binary", "deeply nested",
    "deeply nested schema", "huge",
]  # fmt: skip


@pytest.mark.parametrize("case", INPUT_CASES)
@pytest.mark.parametrize(
    "command",
    [
        ("check", "T", "{file}"),
        ("check", "T", "{file}", "--consumer", "m"),
        ("schema", "register", "T", "{file}"),
        ("schema", "diff", "T", "{file}"),
        ("contract", "register", "T", "{file}", "--consumer", "m"),
        ("contract", "register", "T", str(SCENARIO / "avro" / "contracts" / "support.CUSTOMER_CREATED.avsc"), "--consumer", "m", "--example", "{file}"),
        ("validate", "T", "{file}"),
    ],
    ids=["check", "check-consumer", "register", "diff", "contract", "contract-example", "validate"],
)  # fmt: skip
def test_an_unusable_input_file_is_one_line_exit_2_before_any_call(
    tmp_path: Path, case: str, command: tuple[str, ...]
) -> None:
    path, says = bad_inputs(tmp_path)[case]
    argv = [str(path) if part == "{file}" else part for part in command]
    # The registry address is dead: a 2 that names the file proves no call was needed.
    code, out, err = cli(*argv, "--registry", DEAD)
    expected = 2
    if case.startswith("deeply nested") and "--example" not in command and command[0] != "validate":
        # A schema nested past contracts.MAX_DEPTH is an invalid schema (exit 1, saying the limit).
        expected, says = 1, f"nested more than {MAX_DEPTH} levels deep"
    assert code == expected, err
    one_line(err)
    assert says in err
    assert str(path) in err
    assert out == ""


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("--type", "json"), "is not a valid JSON schema"),  # an Avro record read as JSON Schema
        (("--type", "avro"), "is not a valid AVRO schema"),
    ],
)
def test_a_schema_of_the_wrong_type_is_invalid_data_exit_1(
    argv: tuple[str, ...], says: str
) -> None:
    other = "avro/CUSTOMER_CREATED.v1.avsc" if "json" in argv else "json/CUSTOMER_CREATED.v1.json"
    path = SCENARIO / other
    code, _, err = cli("check", "T", str(path), *argv, "--registry", DEAD)
    assert code == 1, err
    one_line(err)
    assert says in err


def test_a_message_that_is_not_json_is_exit_2(tmp_path: Path) -> None:
    message = tmp_path / "message.json"
    message.write_text("{'single': 'quotes'}")
    code, _, err = cli("validate", "T", str(message), "--registry", DEAD)
    assert code == 2
    one_line(err)
    assert f"{message} is not JSON" in err


@pytest.mark.parametrize(
    ("registry", "says"),
    [
        ("http://[::1", "not a valid URL"),
        ("http://host:99999", "not a valid URL"),
        ("ftp://host", "not an http:// or https:// URL"),
        ("localhost:8081", "not an http:// or https:// URL"),
        ("http://", "not an http:// or https:// URL"),
        ("http://a b", "spaces or control characters"),
        ("http://h\x00st", "spaces or control characters"),
    ],
)
def test_a_malformed_registry_url_is_one_line_exit_2(registry: str, says: str) -> None:
    code, _, err = cli("schema", "get", "T", "--registry", registry)
    assert code == 2
    one_line(err)
    assert says in err


def test_the_registry_url_from_the_environment_is_checked_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACCORD_REGISTRY_URL", "http://[::1")
    code, _, err = cli("team", "list")
    assert code == 2
    one_line(err)
    assert "'http://[::1'" in err


def test_a_token_that_cannot_be_sent_is_refused_without_echoing_it() -> None:
    code, _, err = cli("team", "list", "--registry", DEAD, "--token", "sécret\nvalue")
    assert code == 2
    one_line(err)
    assert "sécret" not in err


@pytest.mark.parametrize(
    "argv",
    [
        ("schema", "get", "T", "--version", "0"),
        ("schema", "get", "T", "--version", "-1"),
        ("validate", "T", "m.json", "--version", "x"),
        ("audit", "--limit", "0"),
        ("schema", "get", "T", "--timeout", "0"),
        ("schema", "get", "T", "--timeout", "nan"),
        ("schema", "diff", "T", "f.avsc", "--to", "2"),
        ("contract", "list"),
    ],
)
def test_bad_options_are_one_line_exit_2(argv: tuple[str, ...]) -> None:
    code, out, err = cli(*argv, "--registry", DEAD)
    assert code == 2
    one_line(err)
    assert out == ""


def test_the_cli_reaches_the_registry_only_through_typed_client_methods() -> None:
    """No httpx, no hand-built URL: no `.request(...)` call and no import of httpx in clients/cli."""
    import ast

    cli_dir = Path(__file__).resolve().parents[2] / "clients" / "cli"
    found = []
    for path in sorted(cli_dir.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in {"request", "_http"}:
                found.append(f"{path.name}:{node.lineno} uses .{node.attr}")
            names = (
                [a.name for a in node.names] if isinstance(node, ast.Import)
                else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            )  # fmt: skip
            line = getattr(
                node, "lineno", 0
            )  # only statements carry a line; imports are statements
            found += [f"{path.name}:{line} imports {n}" for n in names if "httpx" in n]
    assert found == []
    assert len(list(cli_dir.glob("*.py"))) >= 9  # the walk saw the command modules


def test_version_comes_from_the_one_version_source() -> None:
    from contracts import __version__

    code, out, _ = cli("--version")
    assert (code, out) == (0, f"accord {__version__}\n")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_name_every_command(shell: str) -> None:
    code, out, _ = cli("completion", shell)
    assert code == 0
    for word in ("schema", "versions", "permanent", "consumers", "fields", "owner", "mode"):
        assert word in out


def test_bash_completion_is_valid_bash_and_completes(tmp_path: Path) -> None:
    import shutil
    import subprocess

    bash = shutil.which("bash")
    assert bash is not None
    script = tmp_path / "accord.bash"
    script.write_text(cli("completion", "bash")[1])
    subprocess.run([bash, "-n", str(script)], check=True)
    probe = (
        f"source {script}; COMP_WORDS=(accord schema delete T --p); COMP_CWORD=4; _accord; "
        'echo "${COMPREPLY[@]}"; COMP_WORDS=(accord con); COMP_CWORD=1; _accord; '
        'echo "${COMPREPLY[@]}"'
    )
    done = subprocess.run([bash, "-c", probe], check=True, capture_output=True, text=True)
    permanent, commands = done.stdout.splitlines()
    assert permanent == "--permanent"
    assert sorted(commands.split()) == ["config", "consumers", "contract"]


def test_a_usage_error_in_a_data_command_is_one_line() -> None:
    code, _, err = cli("config", "set", "T", "SIDEWAYS", "--registry", DEAD)
    assert code == 2
    assert "valid levels are" in err
    assert err.count("\n") == 1
    code, _, err = cli("fields", "T", "--format", "junit")
    assert code == 2
    assert err.count("\n") == 1
