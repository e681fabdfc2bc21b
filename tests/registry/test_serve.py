"""`accord serve` and its settings: sources, messages naming the variable, the README's table,
the warning for an open port without auth, and a client-only install."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from clients.cli import run
from clients.cli.serve import _redacted
from registry.settings import Settings, SettingsError, variable

ROOT = Path(__file__).resolve().parents[2]


def test_invalid_settings_exit_2_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_INCOMPATIBLE_ERROR_CODE", "418")
    out, err = io.StringIO(), io.StringIO()
    assert run(["serve", "--port", "1"], stdout=out, stderr=err) == 2
    assert err.getvalue() == (
        "accord serve: invalid settings: ACCORD_INCOMPATIBLE_ERROR_CODE: Input should be 409 or "
        "40901\n"
    )
    assert out.getvalue() == ""
    # The server's own variables are put back: nothing leaks into a process that called `run`.
    assert "PROMETHEUS_MULTIPROC_DIR" not in os.environ


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"ACCORD_MAX_REQUEST_BYTES": "ten"}, "ACCORD_MAX_REQUEST_BYTES: Input should be a valid"),
        ({"ACCORD_ADMIN_TOKEN": "short"}, "ACCORD_ADMIN_TOKEN: must be at least 16 characters"),
        ({"ACCORD_DATABASE_URL": "  "}, "ACCORD_DATABASE_URL: must not be empty"),
        ({"ACCORD_LOG_FORMAT": "xml"}, "ACCORD_LOG_FORMAT: Input should be 'json' or 'text'"),
        ({"ACCORD_METRICS_PUBLIC": "perhaps"}, "ACCORD_METRICS_PUBLIC: Input should be a valid"),
        ({"ACCORD_TRUSTED_PROXIES": "10.0.0.0/8,lb"}, "ACCORD_TRUSTED_PROXIES: 'lb' is not an IP"),
        ({"ACCORD_ROOT_PATH": "registry/"}, "ACCORD_ROOT_PATH: 'registry/' must be a path prefix"),
    ],
)
def test_each_invalid_value_is_named_by_its_variable(
    environ: dict[str, str], expected: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env(environ)
    assert str(refused.value).startswith(expected)
    # pydantic's field names never reach the operator.
    assert not re.search(r"(?<!ACCORD_)\b[a-z]+_[a-z_]+\b", str(refused.value))


def test_secrets_stay_out_of_messages() -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"ACCORD_ADMIN_TOKEN": "weak-s3cret"})
    assert "weak-s3cret" not in str(refused.value)


def test_a_config_file_under_the_variables(tmp_path: Path) -> None:
    config = tmp_path / "accord.toml"
    config.write_text(
        'database_url = "postgresql://u@db/accord"\nmax_request_bytes = 4096\n'
        'log_format = "text"\nmetrics_public = false\nroot_path = "/registry"\n'
    )
    settings = Settings.from_env({"ACCORD_MAX_REQUEST_BYTES": "8192"}, config_file=config)
    assert settings.database_url == "postgresql+psycopg://u@db/accord"
    assert settings.max_request_bytes == 8192  # the variable wins over the file
    assert (settings.log_format, settings.metrics_public, settings.root_path) == (
        "text",
        False,
        "/registry",
    )
    # The file may also be named by ACCORD_CONFIG_FILE (how worker processes find it).
    assert Settings.from_env({"ACCORD_CONFIG_FILE": str(config)}).max_request_bytes == 4096


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("max_request_bytes = 12\n", "{file}: key max_request_bytes: Input should be greater"),
        ('databse_url = "x"\n', "{file}: unknown key 'databse_url' (did you mean 'database_url'?)"),
        ("root_path = [1]\n", "{file}: key root_path must be a single value"),
        ("database_url = \n", "{file}: not valid TOML (Invalid value (at line 1, column 16))"),
    ],
)
def test_config_file_errors_name_the_file_and_key(
    tmp_path: Path, content: str, expected: str
) -> None:
    config = tmp_path / "accord.toml"
    config.write_text(content)
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({}, config_file=config)
    assert str(refused.value).startswith(expected.format(file=config))


def test_serve_with_a_config_file_it_cannot_read(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    missing = tmp_path / "absent.toml"
    assert run(["serve", "--config", str(missing)], stdout=out, stderr=err) == 2
    assert err.getvalue() == (
        f"accord serve: invalid settings: {missing}: cannot read the settings file "
        "(No such file or directory)\n"
    )
    assert "ACCORD_CONFIG_FILE" not in os.environ


def test_workers_must_be_a_small_positive_number() -> None:
    for bad in ("0", "-1", "two", "65"):
        err = io.StringIO()
        assert run(["serve", "--workers", bad], stdout=io.StringIO(), stderr=err) == 2
        assert "--workers" in err.getvalue()


def test_the_readme_settings_table_lists_every_setting_and_nothing_else() -> None:
    # The settings tables: "Running the registry" and the Pub/Sub section's own. A row names its
    # variable(s) in its first cell.
    readme = (ROOT / "README.md").read_text()
    first_cells = re.findall(r"^\| ([^|]+) \|", readme, flags=re.MULTILINE)
    rows = [name for cell in first_cells for name in re.findall(r"`(ACCORD_[A-Z_]+)`", cell)]
    assert len(rows) == len(set(rows)), "a variable has two rows"
    assert set(rows) == {variable(name) for name in Settings.model_fields}


def test_the_start_up_line_hides_the_database_password() -> None:
    assert _redacted("postgresql+psycopg://app:s3cret@db/accord") == (
        "postgresql+psycopg://app:***@db/accord"
    )
    assert _redacted("sqlite:///accord.db") == "sqlite:///accord.db"


# A client-only install: the server's modules cannot be imported.
_BLOCKER = textwrap.dedent(
    """
    import sys
    from importlib.abc import MetaPathFinder

    class ClientOnly(MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {"fastapi", "uvicorn", "sqlmodel", "prometheus_client"}:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, ClientOnly())
    sys.argv = ["accord", "serve"]
    from clients.cli import main
    main()
    """
)


def test_serve_without_the_server_extra_says_which_extra_to_install(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _BLOCKER],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert re.fullmatch(
        r"accord serve: the registry server is not installed here \(fastapi is missing\); "
        r"install the server extra: pip install '[\w.-]+\[server\]'",
        lines[0],
    )
