"""Registry test fixtures: an app per test on its own database, driven through TestClient."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning

from registry import Settings, create_app

with warnings.catch_warnings():
    # Starlette deprecates driving its TestClient with httpx (it wants httpx2, not installed here);
    # the warning is about starlette's packaging, not about anything this suite does.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

V1 = "application/vnd.schemaregistry.v1+json"


@pytest.fixture
def make_client(database_url: str) -> Iterator[Callable[..., TestClient]]:
    """Build a client on this test's database; keyword arguments become Settings fields."""
    clients: list[TestClient] = []

    def make(**settings: Any) -> TestClient:
        app: FastAPI = create_app(Settings(database_url=database_url, **settings))
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()
