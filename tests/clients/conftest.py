"""Fixtures for client tests: the Pub/Sub test fake (or PUBSUB_EMULATOR_HOST) and real pubsub clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.pubsub_server import PubSubServer, PubSubWorld, pubsub_world, running_pubsub


@pytest.fixture(scope="session")
def pubsub_server() -> Iterator[PubSubServer]:
    with running_pubsub() as server, pytest.MonkeyPatch.context() as patch:
        # The real client reads this when it is created: anonymous credentials, insecure channel.
        patch.setenv("PUBSUB_EMULATOR_HOST", server.host)
        yield server


@pytest.fixture
def pubsub(pubsub_server: PubSubServer) -> Iterator[PubSubWorld]:
    with pubsub_world(pubsub_server) as world:
        yield world
