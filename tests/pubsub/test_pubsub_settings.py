"""Pub/Sub settings: off by default, the project and emulator from the environment, bad values refused."""

from __future__ import annotations

import pytest

from registry.settings import Settings, SettingsError


def test_enforcement_is_off_by_default_and_needs_nothing() -> None:
    settings = Settings.from_env({})
    assert settings.pubsub_enabled is False
    assert settings.pubsub_emulator_host is None


def test_the_project_and_google_s_emulator_variable_are_read() -> None:
    settings = Settings.from_env(
        {"ACCORD_PUBSUB_PROJECT": " acme-prod ", "PUBSUB_EMULATOR_HOST": "127.0.0.1:8085"}
    )
    assert (settings.pubsub_project, settings.pubsub_emulator_host) == (
        "acme-prod",
        "127.0.0.1:8085",
    )
    assert settings.pubsub_enabled is True
    # Accord's own variable wins over Google's.
    chosen = Settings.from_env(
        {"ACCORD_PUBSUB_EMULATOR_HOST": "a:1", "PUBSUB_EMULATOR_HOST": "b:2"}
    )
    assert chosen.pubsub_emulator_host == "a:1"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ACCORD_PUBSUB_PROJECT", "projects/acme"),
        ("ACCORD_PUBSUB_PROJECT", "acme prod"),
        ("ACCORD_PUBSUB_POLL_SECONDS", "0"),
        ("ACCORD_PUBSUB_LEASE_SECONDS", "-5"),
    ],
)
def test_bad_values_stop_the_start(variable: str, value: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({variable: value})
    assert str(caught.value).startswith(f"{variable}: ")  # the error names the variable
