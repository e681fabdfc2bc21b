"""Fixtures for the hostile suites: a real `accord serve` (the e2e fixtures) and a registry impostor."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hostile_server import HostileRegistry, running_hostile_registry

from tests.e2e.conftest import shared_accord_server  # noqa: F401 - a fixture, used by name


@pytest.fixture
def hostile() -> Iterator[HostileRegistry]:
    with running_hostile_registry() as server:
        yield server
