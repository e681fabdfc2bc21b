"""ValidatingPublisher: validate and encode every message locally, tag it with its schema, then publish."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from clients._cache import RegisteredSchema, is_positive_int
from clients._pubsub_topics import TopicEncodings
from clients._registry import RegistryClient
from clients._schema_type import registered_type, schema_type_for
from clients.errors import (
    InvalidArgument,
    InvalidMessage,
    PublishFailed,
    RegistryUnavailable,
    SchemaNotFound,
    UnknownTopic,
)
from contracts import (
    ContractsError,
    Encoding,
    Finding,
    FindingKind,
    MessageRejected,
    ParsedSchema,
)

log = logging.getLogger("clients.publisher")

# The attributes every published message carries (documented in README "Producers and consumers").
ATTR_TOPIC = "accord_topic"
ATTR_SCHEMA_ID = "accord_schema_id"
ATTR_SCHEMA_VERSION = "accord_schema_version"
ATTR_SCHEMA_TYPE = "accord_schema_type"
ATTR_ENCODING = "accord_encoding"
RESERVED_PREFIX = "accord_"
# Pub/Sub's own rules for attributes: "goog*" names are Google's; names up to 256 bytes, values up
# to 1024 bytes, at most 100 attributes per message (the five Accord attributes included).
_GOOGLE_PREFIX = "goog"
_MAX_KEY_BYTES = 256
_MAX_VALUE_BYTES = 1024
_MAX_ATTRIBUTES = 100


class ValidatingPublisher:
    """Wraps `google.cloud.pubsub_v1.PublisherClient`: no invalid message is ever sent.

    `publish` validates the message against the topic's registered schema before any network call,
    encodes it and adds attributes naming the schema. Avro topics are encoded as the topic's Pub/Sub
    encoding says (`pubsubEncoding` in the registry's config: BINARY, the default, is Avro binary;
    JSON is Avro's JSON encoding), asked once per `latest_ttl` like the latest version, unless
    `avro_encoding="binary"|"json"` fixes it; JSON Schema topics are compact UTF-8 JSON. The topic's schema comes from the registry
    (latest, or `version=N`), cached by the RegistryClient; while the registry is down it comes from
    that cache (memory, or `cache_dir` on disk) with one warning per outage, counted in
    `published_from_cache`.

    With `schemas={topic: path}`, the schemas bundled with the service are checked against the
    registry once, at start-up (each must be registered under its topic), and publishing then never
    calls the registry. A topic outside that mapping is refused.

    Thread-safe, like the PublisherClient it wraps. Not for topics whose messages are not
    registry-described: publish those with the PublisherClient itself.
    """

    def __init__(
        self,
        registry: RegistryClient,
        publisher: Any = None,
        *,
        project_id: str,
        schemas: Mapping[str, str | Path] | None = None,
        avro_encoding: Encoding | None = None,
        batch_settings: Any = None,
        publisher_options: Any = None,
        **publisher_kwargs: Any,
    ) -> None:
        if avro_encoding not in (None, "binary", "json"):
            raise InvalidArgument(
                f"avro_encoding must be 'binary', 'json' or None, not {avro_encoding!r}"
            )
        self.registry = registry
        self.project_id = project_id
        self.avro_encoding: Encoding | None = avro_encoding
        # Without an explicit avro_encoding, each Avro topic's Pub/Sub encoding (registry config).
        self._encodings = TopicEncodings(registry)
        self._owns_publisher = publisher is None
        if publisher is None:
            from google.cloud import pubsub_v1

            if batch_settings is not None:
                publisher_kwargs["batch_settings"] = batch_settings
            if publisher_options is not None:
                publisher_kwargs["publisher_options"] = publisher_options
            publisher = pubsub_v1.PublisherClient(**publisher_kwargs)
        elif batch_settings is not None or publisher_options is not None or publisher_kwargs:
            raise InvalidArgument("settings pass through only to a PublisherClient created here")
        self.publisher = publisher
        self._lock = threading.Lock()
        self._topic_paths: dict[str, str] = {}
        # The Accord attributes per (topic, schema id, version, encoding), built once.
        self._tags: dict[tuple[str, int, int | None, str], dict[str, str]] = {}
        self._in_outage = False
        self._published_from_cache = 0
        self._outages = 0
        self._bundled: dict[str, RegisteredSchema] | None = None
        if schemas is not None:
            self._bundled = {
                topic: self._check_bundled(topic, Path(path)) for topic, path in schemas.items()
            }
        # Bundled topics learn their Pub/Sub encoding at start-up too, never again.
        self._bundled_encodings: dict[str, Encoding] = {}
        if self._bundled is not None and avro_encoding is None:
            self._bundled_encodings = {
                topic: self._encodings.encoding(topic)
                for topic, schema in self._bundled.items()
                if len(_usable(topic, schema).encodings) > 1
            }

    # -- what callers read ---------------------------------------------------------------------
    @property
    def published_from_cache(self) -> int:
        """Messages published with a cached schema because the registry was unreachable."""
        return self._published_from_cache

    @property
    def registry_outages(self) -> int:
        """Times the registry was found unreachable after being reachable (one warning each)."""
        return self._outages

    # -- publishing ----------------------------------------------------------------------------
    def publish(
        self,
        topic: str,
        message: object,
        *,
        version: int | None = None,
        ordering_key: str = "",
        **attributes: str,
    ) -> Future[str]:
        """Validate, encode and publish `message` to `projects/{project_id}/topics/{topic}`.

        Returns the PublisherClient's future (its `result()` is the server's message id). Raises
        `InvalidMessage` (every problem with its path; nothing published), `UnknownTopic` (no
        usable schema for the topic) and `InvalidArgument` (an attribute, ordering key or version
        Pub/Sub or the registry cannot take) before any network call to Pub/Sub.
        """
        _check_attributes(attributes, ordering_key)
        if version is not None and not is_positive_int(version):
            raise InvalidArgument(f"version must be a positive integer, not {version!r}")
        writer, from_cache = self._resolve(topic, version)
        data, encoding = self.encode(topic, writer, message)
        tags = self._tags.get((topic, writer.schema_id, writer.version, encoding))
        if tags is None:
            tags = {
                ATTR_TOPIC: topic,
                ATTR_SCHEMA_ID: str(writer.schema_id),
                ATTR_SCHEMA_VERSION: str(writer.version),
                ATTR_SCHEMA_TYPE: writer.schema_type.value,
                ATTR_ENCODING: encoding,
            }
            self._tags[(topic, writer.schema_id, writer.version, encoding)] = tags
        tagged = {**attributes, **tags} if attributes else tags
        try:
            future: Future[str] = self.publisher.publish(
                self._topic_path(topic), data, ordering_key=ordering_key, **tagged
            )
        except Exception as exc:  # google-cloud-pubsub refuses synchronously with many types
            raise PublishFailed(
                f"the Pub/Sub client refused the message for topic {topic!r}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        if from_cache:
            with self._lock:
                self._published_from_cache += 1
        return future

    def encode(
        self, topic: str, writer: RegisteredSchema, message: object
    ) -> tuple[bytes, Encoding]:
        """Validate and encode with `writer`; raises InvalidMessage listing every problem.

        Every format's `encode` validates, so each message is checked once; the encoding is the
        publisher's `avro_encoding`, else the topic's Pub/Sub encoding, where the format writes
        it (Avro), else the format's own default."""
        parsed = _usable(topic, writer)
        encodings = parsed.encodings
        wanted = self.avro_encoding
        if wanted is None and len(encodings) > 1:
            wanted = self._avro_encoding(topic)
        encoding = wanted if wanted in encodings else encodings[0]
        try:
            return parsed.encode(message, encoding=encoding), encoding
        except MessageRejected as exc:
            raise InvalidMessage(topic, exc.findings, schema_id=writer.schema_id) from None
        except Exception as exc:  # a format's failure to write what it accepted: never a crash
            finding = Finding(kind=FindingKind.ENCODING_FAILED, path=(), message=f"{exc}")
            raise InvalidMessage(topic, [finding], schema_id=writer.schema_id) from exc

    def _avro_encoding(self, topic: str) -> Encoding:
        if self._bundled is not None:
            return self._bundled_encodings.get(topic, "binary")
        return self._encodings.encoding(topic)

    def schema_for(self, topic: str, version: int | None = None) -> RegisteredSchema:
        """The schema messages for `topic` are written with: bundled, registry (cached), or — when
        the registry is unreachable — the last one cached. Raises UnknownTopic when there is none."""
        return self._resolve(topic, version)[0]

    def _resolve(self, topic: str, version: int | None) -> tuple[RegisteredSchema, bool]:
        """(schema, whether it came from the cache because the registry is unreachable)."""
        if self._bundled is not None:
            return self._bundled_schema(topic, version), False
        registry = self.registry
        try:
            if version is None:
                writer = registry.get_latest_version(topic)
            else:
                writer = registry.get_version(topic, version)
        except SchemaNotFound as exc:
            which = "no schema" if version is None else f"no version {version}"
            raise UnknownTopic(topic, f"the registry has {which} for it ({exc.message})") from exc
        except RegistryUnavailable as exc:
            cached = registry.cached_version(topic, version)
            if cached is None:
                which = "this topic" if version is None else f"version {version} of this topic"
                raise UnknownTopic(
                    topic,
                    f"the registry is unreachable and {which} was never seen (not in memory, "
                    f"not in the cache directory): {exc}",
                ) from exc
            self._note_outage(exc)
            return cached, True
        if self._in_outage:
            self._note_recovery()
        return writer, False

    # -- outage bookkeeping --------------------------------------------------------------------
    def _note_outage(self, exc: RegistryUnavailable) -> None:
        with self._lock:
            first = not self._in_outage
            if first:
                self._in_outage = True
                self._outages += 1
        if first:
            log.warning(
                "registry unreachable; publishing with cached schemas until it is back (%s)", exc
            )

    def _note_recovery(self) -> None:
        with self._lock:
            recovered = self._in_outage
            self._in_outage = False
        if recovered:
            log.info(
                "registry reachable again; %d messages were published from the cache so far",
                self._published_from_cache,
            )

    # -- bundled schemas -----------------------------------------------------------------------
    def _check_bundled(self, topic: str, path: Path) -> RegisteredSchema:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UnknownTopic(topic, f"the bundled schema {path} cannot be read: {exc}") from exc
        schema_type = schema_type_for(path.name, text, registered_type(self.registry, topic))
        try:
            registered = self.registry.lookup_schema(topic, text, schema_type)
        except SchemaNotFound as exc:
            raise UnknownTopic(
                topic,
                f"the bundled schema {path} is not registered under this topic ({exc.message})",
            ) from exc
        _usable(topic, registered)  # parse now: a broken bundled schema fails at start-up
        return registered

    def _bundled_schema(self, topic: str, version: int | None) -> RegisteredSchema:
        assert self._bundled is not None
        bundled = self._bundled.get(topic)
        if bundled is None:
            raise UnknownTopic(topic, "it is not one of the bundled schemas this publisher checked")
        if version is not None and version != bundled.version:
            raise UnknownTopic(
                topic, f"the bundled schema is version {bundled.version}, not version {version}"
            )
        return bundled

    def _topic_path(self, topic: str) -> str:
        path = self._topic_paths.get(topic)
        if path is None:
            path = self._topic_paths.setdefault(topic, f"projects/{self.project_id}/topics/{topic}")
        return path

    # -- lifecycle -----------------------------------------------------------------------------
    def stop(self) -> None:
        """Flush pending batches and stop the PublisherClient if this object created it."""
        if self._owns_publisher:
            self.publisher.stop()

    def __enter__(self) -> ValidatingPublisher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _usable(topic: str, writer: RegisteredSchema) -> ParsedSchema:
    """The writer schema parsed; a registered schema this client cannot use (too deep, a format
    not installed here) leaves the publisher with no usable schema for the topic."""
    try:
        return writer.parsed
    except ContractsError as exc:
        raise UnknownTopic(
            topic, f"its schema (id {writer.schema_id}) cannot be used here: {exc}"
        ) from exc


def _check_attributes(attributes: Mapping[str, object], ordering_key: object) -> None:
    """Refuse, before any network call, what Pub/Sub would refuse later (or crash on now)."""
    if not isinstance(ordering_key, str) or not _utf8(ordering_key):
        raise InvalidArgument(f"the ordering key must be UTF-8 text, not {ordering_key!r}")
    if len(attributes) + 5 > _MAX_ATTRIBUTES:
        raise InvalidArgument(
            f"{len(attributes)} attributes: Pub/Sub carries at most {_MAX_ATTRIBUTES} per "
            "message, five of which are Accord's"
        )
    for key, value in attributes.items():
        if key.startswith(RESERVED_PREFIX):
            raise InvalidArgument(f"attribute {key!r}: the {RESERVED_PREFIX}* names are Accord's")
        if key.startswith(_GOOGLE_PREFIX):
            raise InvalidArgument(f"attribute {key!r}: the {_GOOGLE_PREFIX}* names are Google's")
        if not isinstance(value, str):
            raise InvalidArgument(
                f"attribute {key!r}: Pub/Sub attribute values are text, not {type(value).__name__}"
            )
        if not _utf8(key) or not _utf8(value):
            raise InvalidArgument(
                f"attribute {key!r}: its name or value holds a lone surrogate, which UTF-8 "
                "cannot encode"
            )
        if len(key.encode()) > _MAX_KEY_BYTES or len(value.encode()) > _MAX_VALUE_BYTES:
            raise InvalidArgument(
                f"attribute {key!r}: Pub/Sub allows names up to {_MAX_KEY_BYTES} bytes and "
                f"values up to {_MAX_VALUE_BYTES} bytes"
            )


def _utf8(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
