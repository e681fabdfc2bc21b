"""Fixtures for the hostile suites: a real `accord serve` (the e2e fixtures), a registry impostor,
and registry apps (auth off or on, on each store) for the hostile-name tests."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from registry import Settings, create_app
from tests.e2e.conftest import shared_accord_server  # noqa: F401 - a fixture, used by name
from tests.hostile.hostile_server import HostileRegistry, running_hostile_registry

with warnings.catch_warnings():
    # As in tests/registry/conftest.py: the warning is about starlette's packaging.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from tests.registry.auth_world import ADMIN_TOKEN, World, build_world


@pytest.fixture
def hostile() -> Iterator[HostileRegistry]:
    with running_hostile_registry() as server:
        yield server


@dataclass
class Api:
    """A client and the headers that make its calls an admin's (none while auth is off)."""

    client: Any
    headers: dict[str, str]

    def call(self, method: str, path: str, body: object = None) -> Any:
        kwargs: dict[str, Any] = {"headers": self.headers}
        if body is not None:
            kwargs["json"] = body
        return self.client.request(method, path, **kwargs)


@pytest.fixture(params=["auth-off", "auth-on"])
def api(request: pytest.FixtureRequest, database_url: str) -> Iterator[Api]:
    auth = request.param == "auth-on"
    settings = Settings(database_url=database_url, admin_token=ADMIN_TOKEN if auth else None)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield Api(client, {"Authorization": f"Bearer {ADMIN_TOKEN}"} if auth else {})


@pytest.fixture
def plain_client(database_url: str) -> Iterator[Any]:
    """Auth off: for the property tests, whose many examples share one app."""
    with TestClient(
        create_app(Settings(database_url=database_url)), raise_server_exceptions=False
    ) as client:
        yield client


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    """Auth on, with teams crm (owner of two topics), marketing and finance (auth_world)."""
    with TestClient(
        create_app(Settings(database_url=database_url, admin_token=ADMIN_TOKEN)),
        raise_server_exceptions=False,
    ) as client:
        yield build_world(client)
