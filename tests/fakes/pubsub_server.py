"""The Pub/Sub TEST FAKE's historical import path; the fake lives in the package fakes.pubsub."""

from .pubsub import (
    FakePubSub,
    PubSubServer,
    PubSubWorld,
    Received,
    pubsub_world,
    running_fake,
    running_pubsub,
)

__all__ = [
    "FakePubSub",
    "PubSubServer",
    "PubSubWorld",
    "Received",
    "pubsub_world",
    "running_fake",
    "running_pubsub",
]
