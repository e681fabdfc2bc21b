"""What the clients learn about Pub/Sub-enforced topics from the registry: the writer of a Pub/Sub revision, and a topic's encoding."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from clients._cache import RegisteredSchema, _file_name, write_atomically
from clients._registry import RegistryClient
from clients.errors import DecodeError, RegistryError, RegistryUnavailable, SchemaNotFound
from contracts import Encoding

# The attributes Pub/Sub adds to every message it validated against a topic's schema, whatever
# language or client published it.
ATTR_PUBSUB_SCHEMA = "googclient_schemaname"
ATTR_PUBSUB_REVISION = "googclient_schemarevisionid"
ATTR_PUBSUB_ENCODING = "googclient_schemaencoding"
_ENCODINGS: dict[str, Encoding] = {"BINARY": "binary", "JSON": "json"}


@dataclass(frozen=True, slots=True)
class PubSubWriter:
    """The registry version a Pub/Sub revision holds, and the encoding Pub/Sub validated."""

    schema: RegisteredSchema  # with its topic and version
    encoding: Encoding


def pubsub_origin(attributes: Mapping[str, str]) -> tuple[str, str, Encoding] | None:
    """(schema name, revision id, encoding) when Pub/Sub validated the message, else None."""
    schema = attributes.get(ATTR_PUBSUB_SCHEMA)
    revision = attributes.get(ATTR_PUBSUB_REVISION)
    if schema is None and revision is None:
        return None
    raw = attributes.get(ATTR_PUBSUB_ENCODING)
    if not isinstance(schema, str) or not schema or not isinstance(revision, str) or not revision:
        raise DecodeError(
            f"message names a Pub/Sub schema ({ATTR_PUBSUB_SCHEMA}={schema!r:.200}) without "
            f"a revision ({ATTR_PUBSUB_REVISION}={revision!r:.200}), or the reverse"
        )
    encoding = _ENCODINGS.get(raw) if isinstance(raw, str) else None
    if encoding is None:
        raise DecodeError(
            f"attribute {ATTR_PUBSUB_ENCODING!r} is {raw!r:.200}; Pub/Sub writes BINARY or JSON"
        )
    return schema, revision, encoding


class PubSubWriters:
    """Pub/Sub revision -> registry version, asked of the registry once per revision (a revision
    never changes) and kept in memory, and on disk under the registry client's `cache_dir`."""

    def __init__(self, registry: RegistryClient) -> None:
        self.registry = registry
        self._lock = threading.Lock()
        self._known: dict[tuple[str, str], RegisteredSchema] = {}

    def writer(self, attributes: Mapping[str, str]) -> PubSubWriter | None:
        origin = pubsub_origin(attributes)
        if origin is None:
            return None
        schema, revision, encoding = origin
        found = self._known.get((schema, revision))
        if found is None:
            found = self._load(schema, revision)
        if found is None:
            try:
                found = self.registry.pubsub_revision(schema, revision)
            except SchemaNotFound as exc:
                raise DecodeError(
                    f"Pub/Sub validated the message against revision {revision} of {schema}, "
                    f"which the registry did not sync: {exc.message}"
                ) from exc
            self._store(schema, revision, found)
        with self._lock:
            self._known[(schema, revision)] = found
        return PubSubWriter(found, encoding)

    def _path(self, schema: str, revision: str) -> Path | None:
        directory = self.registry.cache.directory
        if directory is None:
            return None
        return directory / "pubsub-revisions" / f"{_file_name(schema)}@{_file_name(revision)}.json"

    def _load(self, schema: str, revision: str) -> RegisteredSchema | None:
        path = self._path(schema, revision)
        if path is None:
            return None
        try:
            return RegisteredSchema.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent or unreadable: asked of the registry again

    def _store(self, schema: str, revision: str, found: RegisteredSchema) -> None:
        path = self._path(schema, revision)
        if path is not None:
            # the memory copy serves this process; the disk is only for a restart
            with contextlib.suppress(OSError):
                write_atomically(path, found.to_json())


class TopicEncodings:
    """The Pub/Sub encoding of each topic (PUT /config/{topic} `pubsubEncoding`), fresh for the
    registry client's `latest_ttl` like a topic's latest version; while the registry is down the
    last one known (memory, then `cache_dir`), else BINARY, Pub/Sub's default (also the answer of
    a registry that keeps no Pub/Sub settings)."""

    def __init__(
        self, registry: RegistryClient, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.registry = registry
        self._clock = clock
        self._lock = threading.Lock()
        self._known: dict[str, tuple[Encoding, float]] = {}

    def encoding(self, topic: str) -> Encoding:
        known = self._known.get(topic)
        if known is not None and self._clock() - known[1] < self.registry.cache.ttl:
            return known[0]
        try:
            encoding = _ENCODINGS[self.registry.pubsub_encoding(topic)]
        except RegistryUnavailable:
            if known is not None:
                return known[0]
            return self._load(topic) or "binary"
        except RegistryError:
            # A registry that keeps no Pub/Sub settings (a Confluent one, an old Accord): the
            # topic is not enforced by Pub/Sub, so Avro's default encoding it is.
            encoding = "binary"
        with self._lock:
            self._known[topic] = (encoding, self._clock())
        if known is None or known[0] != encoding:
            self._store(topic, encoding)
        return encoding

    def _path(self, topic: str) -> Path | None:
        directory = self.registry.cache.directory
        return None if directory is None else directory / "pubsub-encodings" / _file_name(topic)

    def _load(self, topic: str) -> Encoding | None:
        path = self._path(topic)
        if path is None:
            return None
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        value = body.get("encoding") if isinstance(body, dict) else None
        return value if value in ("binary", "json") else None

    def _store(self, topic: str, encoding: Encoding) -> None:
        path = self._path(topic)
        if path is not None:
            with contextlib.suppress(OSError):
                write_atomically(path, {"encoding": encoding})
