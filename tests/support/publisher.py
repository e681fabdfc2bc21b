"""A stand-in for google-cloud-pubsub's PublisherClient that records what it was asked to send."""

from __future__ import annotations


class SpyPublisher:
    """Where PublisherClient would be, for a test that must prove nothing was even attempted
    (a refused message) or what exactly was handed over. Not for testing delivery: use the
    Pub/Sub fake (tests/fakes) with the real client for that."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, bytes, dict[str, str]]] = []

    def publish(self, topic: str, data: bytes, ordering_key: str = "", **attrs: str) -> None:
        self.calls.append((topic, data, attrs))
