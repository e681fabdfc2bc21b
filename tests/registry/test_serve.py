"""`accord serve` refuses invalid settings before starting anything (exit 2, a clear message)."""

from __future__ import annotations

import io

import pytest

from clients.cli import run
from clients.cli.serve import _redacted


def test_invalid_settings_exit_2_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_INCOMPATIBLE_ERROR_CODE", "418")
    out, err = io.StringIO(), io.StringIO()
    assert run(["serve", "--port", "1"], stdout=out, stderr=err) == 2
    assert "incompatible_error_code" in err.getvalue()
    assert out.getvalue() == ""


def test_the_start_up_line_hides_the_database_password() -> None:
    assert _redacted("postgresql+psycopg://app:s3cret@db/accord") == (
        "postgresql+psycopg://app:***@db/accord"
    )
    assert _redacted("sqlite:///accord.db") == "sqlite:///accord.db"
