"""Pub/Sub enforcement fixtures: the Pub/Sub test fake, and registry apps synced to it."""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

from registry import Settings, create_app
from tests.fakes.pubsub import FakePubSub, PubSubServer, running_fake

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient


@pytest.fixture(scope="session")
def pubsub_server() -> Iterator[PubSubServer]:
    """One fake for the session; each test uses a project of its own."""
    with running_fake() as server:
        yield server


@pytest.fixture
def fake(pubsub_server: PubSubServer) -> FakePubSub:
    assert pubsub_server.fake is not None
    return pubsub_server.fake


@pytest.fixture
def project() -> str:
    return f"accord-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def make_registry(
    database_url: str, pubsub_server: PubSubServer, project: str
) -> Iterator[Callable[..., TestClient]]:
    """A registry app on this test's database with Pub/Sub enforcement on the fake; the worker
    stays off unless asked (tests drive syncs through POST /pubsub/sync)."""
    clients: list[TestClient] = []

    def make(**settings: Any) -> TestClient:
        chosen: dict[str, Any] = {
            "database_url": database_url,
            "pubsub_project": project,
            "pubsub_emulator_host": pubsub_server.host,
            "pubsub_worker": False,
        }
        chosen.update(settings)
        app: FastAPI = create_app(Settings(**chosen))
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)
