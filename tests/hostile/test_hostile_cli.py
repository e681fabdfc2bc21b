"""The `accord` CLI against registries that answer wrong, slowly or not at all, and a real one asked
wrong things: every failure is one stderr line, no traceback, and the documented exit code."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from tests.e2e.conftest import RunningServer
from tests.hostile.hostile_server import HostileRegistry
from tests.support.cli import accord

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "examples" / "scenario" / "avro"
V1 = str(SCENARIO / "CUSTOMER_CREATED.v1.avsc")
REMOVES_EMAIL = str(SCENARIO / "CUSTOMER_CREATED.v3-removes-email.avsc")
MARKETING = str(SCENARIO / "contracts" / "marketing.CUSTOMER_CREATED.avsc")
MESSAGE = str(SCENARIO / "messages" / "CUSTOMER_CREATED.valid.json")
ACCORD = Path(sys.executable).with_name("accord")  # the console script, as users run it

# Every client command that talks to the registry, with files that are valid locally: whatever
# fails below fails because of the registry's answer.
COMMANDS: dict[str, tuple[str, ...]] = {
    "schema register": ("schema", "register", "T", V1),
    "schema get": ("schema", "get", "T"),
    "schema get --version": ("schema", "get", "T", "--version", "2"),
    "schema diff": ("schema", "diff", "T", V1),
    "check": ("check", "T", V1),
    "check --consumer": ("check", "T", MARKETING, "--consumer", "marketing"),
    "contract register": ("contract", "register", "T", MARKETING, "--consumer", "marketing"),
    "contract get": ("contract", "get", "T", "--consumer", "marketing"),
    "contract list": ("contract", "list", "T"),
    "contract list --consumer": ("contract", "list", "--consumer", "marketing"),
    "contract delete": ("contract", "delete", "T", "--consumer", "marketing"),
    "validate": ("validate", "T", MESSAGE),
    "team create": ("team", "create", "crm"),
    "team list": ("team", "list"),
    "token create": ("token", "create", "crm"),
    "token list": ("token", "list", "crm"),
    "token revoke": ("token", "revoke", "crm", "t1"),
    "audit": ("audit",),
}

# 200 answers no command can use: each must be exit 2 ("the registry's answer is unusable").
WRONG_SHAPES: dict[str, tuple[bytes, str]] = {
    "empty object": (b"{}", "application/json"),
    "list of junk": (b'[1, "x", null]', "application/json"),
    "a bare string": (b'"ok"', "application/json"),
    "html": (b"<html><body>Welcome to nginx!</body></html>", "text/html"),
    "empty body": (b"", "application/json"),
    "deeply nested": (b"[" * 100_000 + b"]" * 100_000, "application/json"),
}


def assert_one_line(err: str) -> None:
    assert err.startswith("accord"), err
    assert err.count("\n") == 1, err
    assert err.endswith("\n")
    assert "Traceback" not in err
    assert "\x1b" not in err


@pytest.mark.parametrize("shape", sorted(WRONG_SHAPES))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_unusable_answer_is_exit_2_naming_the_registry(
    hostile: HostileRegistry, command: str, shape: str
) -> None:
    body, content_type = WRONG_SHAPES[shape]
    hostile.answer(200, body, content_type)
    code, _, err = accord(*COMMANDS[command], "--registry", hostile.url)
    assert code == 2, err
    assert_one_line(err)
    assert hostile.url in err
    assert hostile.requests  # it was the answer that failed, not a local check


@pytest.mark.parametrize(
    "case",
    [
        (500, '{"error_code": 50001, "message": "Internal error"}', 2, "unreachable"),
        (503, "<html>maintenance</html>", 2, "unreachable"),
        (404, "<html>not here</html>", 2, "not found"),
        (400, '{"error_code": "x", "message": ["not", "a", "string"]}', 2, "400"),
        (401, '{"error_code": 40101, "message": "Invalid credentials"}', 3, "401"),
        (403, '{"error_code": 40301, "message": "owned by crm"}', 3, "403"),
        (422, '{"error_code": 42202, "message": "bad version"}', 2, "bad version"),
    ],
    ids=["500", "503-html", "404-html", "400-odd-error", "401", "403", "422-not-a-schema"],
)
@pytest.mark.parametrize("command", ["schema get", "contract list", "audit", "token revoke"])
def test_error_statuses_are_one_line_with_their_exit_code(
    hostile: HostileRegistry, command: str, case: tuple[int, str, int, str]
) -> None:
    status, body, expected, says = case
    hostile.answer(status, body)
    code, out, err = accord(*COMMANDS[command], "--registry", hostile.url)
    assert code == expected, err
    assert_one_line(err)
    assert says in err
    assert out == ""


def test_a_refusal_message_cannot_forge_lines_or_terminal_escapes(hostile: HostileRegistry) -> None:
    forged = "no\naccord: everything is fine\r\n\x1b[32mOK\x1b[0m" + "!" * 10_000
    hostile.answer(409, json.dumps({"error_code": 409, "message": forged}))
    code, _, err = accord("schema", "register", "T", V1, "--registry", hostile.url)
    assert code == 1  # a refusal, even one without a report
    assert_one_line(err)
    assert "everything is fine" in err  # kept, but on the same line
    assert len(err) < 2100


def test_a_refusal_renders_the_report_it_carries_without_asking_again(
    hostile: HostileRegistry, tmp_path: Path
) -> None:
    report = {
        "topic": "T", "side": "producer", "ok": False, "summary": "breaks marketing",
        "consumers": [{
            "consumer": "marketing", "ok": False, "contractVersion": 1,
            "findings": [{"kind": "REQUIRED_FIELD_NOT_SENT", "path": "/fields/email",
                          "message": "marketing reads email as a string; this version removes it"}],
        }],
    }  # fmt: skip
    body = {"error_code": 409, "message": "breaks consumer contracts", "report": report}
    hostile.answer(409, json.dumps(body))
    # The CLI first reads the topic's registered type (none yet: 404), then registers.
    unknown = {"error_code": 40401, "message": "Subject 'T' not found."}
    hostile.by_method["GET"] = (404, json.dumps(unknown).encode())
    output = tmp_path / "report.json"
    code, out, err = accord(
        "schema", "register", "T", REMOVES_EMAIL, "--registry", hostile.url,
        "--format", "json", "--output", str(output),
    )  # fmt: skip
    assert code == 1
    assert_one_line(err)
    # One registration and no second request for a report: the 409 carried it.
    assert hostile.requests == [
        ("GET", "/subjects/T/versions/latest"),
        ("POST", "/subjects/T/versions?normalize=false"),
    ]
    written = json.loads(output.read_text())
    assert written["consumers"][0]["findings"][0]["path"] == "/fields/email"
    assert "marketing" in out  # the summary line


def test_a_slow_registry_times_out_as_exit_2(hostile: HostileRegistry) -> None:
    hostile.delay = 30
    code, _, err = accord("schema", "get", "T", "--registry", hostile.url, "--timeout", "0.2")
    assert code == 2
    assert_one_line(err)
    assert "Timeout" in err


def test_a_schema_the_registry_cannot_have_stored_is_its_fault(hostile: HostileRegistry) -> None:
    broken = {"subject": "T", "version": 1, "id": 1, "schemaType": "AVRO", "schema": "{nope"}
    hostile.answer(200, json.dumps(broken))
    for argv in (("validate", "T", MESSAGE), ("schema", "diff", "T", V1)):
        code, _, err = accord(*argv, "--registry", hostile.url)
        assert code == 2, err
        assert_one_line(err)
        assert "does not parse" in err


@pytest.mark.parametrize("fmt", ["text", "json", "junit"])
def test_output_is_written_on_failure_too(
    hostile: HostileRegistry, tmp_path: Path, fmt: str
) -> None:
    hostile.answer(200, b"[]")
    output = tmp_path / "out"
    code, out, err = accord(
        "check", "T", V1, "--registry", hostile.url, "--format", fmt, "--output", str(output)
    )
    assert code == 2
    assert_one_line(err)
    assert out == ""
    written = output.read_text()
    reason = err.removeprefix("accord: ").strip()
    if fmt == "json":
        assert json.loads(written) == {"ok": False, "error": reason, "exitCode": 2}
    elif fmt == "junit":
        error = ET.fromstring(written).find("testsuite/testcase/error")
        assert error is not None
        assert error.get("message") == reason
    else:
        assert written == err


def test_an_unwritable_output_is_still_one_line(hostile: HostileRegistry, tmp_path: Path) -> None:
    hostile.answer(200, b"[]")
    code, _, err = accord(
        "check", "T", V1, "--registry", hostile.url, "--output", str(tmp_path / "no" / "out")
    )
    assert code == 2
    assert_one_line(err)
    assert "cannot write" in err


# --- the console script in a subprocess: what a CI job really runs ------------------------------


def console(*argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    assert ACCORD.exists(), f"the console script is not installed next to {sys.executable}"
    return subprocess.run(
        [str(ACCORD), *argv], capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("schema", "get", "T", "--registry", "http://[::1"), "not a valid URL"),
        (("schema", "get", "T", "--registry", "localhost:8081"), "http://"),
        (("check", "T", "/dev/null", "--registry", "http://127.0.0.1:9"), "is empty"),
        (("nope",), "invalid choice"),
    ],
)
def test_the_console_script_fails_in_one_line(argv: tuple[str, ...], says: str) -> None:
    done = console(*argv)
    assert done.returncode == 2
    assert_one_line(done.stderr)
    assert says in done.stderr


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("validate", ".", "{message}"), "cannot be named in a URL"),
        (("schema", "register", "..", "{message}"), "cannot be named in a URL"),
        (("validate", "T\udcff", "{message}"), "lone surrogate"),
        (("validate", "T", "{long_integer}"), "is not JSON"),
    ],
)
def test_refused_arguments_and_unreadable_numbers_are_said_plainly(
    tmp_path: Path, argv: tuple[str, ...], says: str
) -> None:
    """No 'unexpected error (…)': the client's InvalidArgument and an integer json.loads will not
    read are ordinary refusals of the input."""
    message = tmp_path / "message.json"
    message.write_text('{"a": 1}')
    long_integer = tmp_path / "long.json"
    long_integer.write_text('{"a": ' + "9" * 5000 + "}")
    paths = {"message": str(message), "long_integer": str(long_integer)}
    code, _, err = accord(
        *(part.format(**paths) for part in argv), "--registry", "http://127.0.0.1:9"
    )
    assert code == 2
    assert_one_line(err)
    assert says in err
    assert "unexpected" not in err


def test_the_console_script_on_a_binary_file(tmp_path: Path) -> None:
    binary = tmp_path / "schema.avsc"
    binary.write_bytes(bytes(range(256)) * 8)
    done = console("check", "T", str(binary), "--registry", "http://127.0.0.1:9")
    assert done.returncode == 2
    assert_one_line(done.stderr)
    assert "not UTF-8" in done.stderr
    assert str(binary) in done.stderr


def test_an_interrupt_is_one_line_and_exit_2(hostile: HostileRegistry) -> None:
    hostile.delay = 60
    process = subprocess.Popen(
        [str(ACCORD), "schema", "get", "T", "--registry", hostile.url, "--timeout", "120"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert hostile.received.wait(60), "the CLI never reached the registry"
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 2
    assert err == "accord: interrupted\n"


# --- a real registry asked for things that are not there -----------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ("schema", "get", "HOSTILE_UNKNOWN"),
        ("schema", "get", "HOSTILE_UNKNOWN", "--version", "7"),
        ("schema", "diff", "HOSTILE_UNKNOWN", V1),
        ("validate", "HOSTILE_UNKNOWN", MESSAGE),
        ("contract", "get", "HOSTILE_UNKNOWN", "--consumer", "marketing"),
        ("contract", "delete", "HOSTILE_UNKNOWN", "--consumer", "marketing"),
        ("token", "list", "no-such-team"),
    ],
)
def test_unknown_things_on_a_real_registry_are_exit_2(
    shared_accord_server: RunningServer, argv: tuple[str, ...]
) -> None:
    code, out, err = accord(*argv, "--registry", shared_accord_server.url)
    assert code == 2, err
    assert_one_line(err)
    assert "not found" in err
    assert shared_accord_server.url in err
    assert out == ""


def test_a_breaking_change_on_a_real_registry_is_exit_1_with_its_report(
    shared_accord_server: RunningServer, tmp_path: Path
) -> None:
    url = ("--registry", shared_accord_server.url)
    topic = "HOSTILE_CUSTOMER_CREATED"
    assert accord("schema", "register", topic, V1, *url)[0] == 0
    assert accord("contract", "register", topic, MARKETING, "--consumer", "marketing", *url)[0] == 0
    junit = tmp_path / "report.xml"
    code, _, err = accord(
        "schema",
        "register",
        topic,
        REMOVES_EMAIL,
        *url,
        "--format",
        "junit",
        "--output",
        str(junit),
    )
    assert code == 1
    assert_one_line(err)
    assert "marketing" in err
    failure = ET.parse(junit).getroot().find(".//testcase[@name='consumer marketing']/failure")
    assert failure is not None
    # Registering the same bad file as a wrong type is invalid data: exit 1 before any call.
    code, _, err = accord("schema", "register", topic, REMOVES_EMAIL, "--type", "json", *url)
    assert code == 1
    assert_one_line(err)
    assert REMOVES_EMAIL in err
