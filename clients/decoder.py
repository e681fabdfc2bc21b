"""MessageDecoder: turn a received Pub/Sub message back into data, in the consumer's own contract shape."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any

from clients._cache import RegisteredSchema
from clients._pubsub_topics import PubSubWriters
from clients._registry import RegistryClient
from clients.errors import ContractViolation, DecodeError, InvalidArgument, SchemaNotFound
from clients.publisher import ATTR_ENCODING, ATTR_SCHEMA_ID, ATTR_TOPIC
from contracts import (
    ContractsError,
    Encoding,
    MessageRejected,
    ParsedSchema,
    SchemaType,
    parse_schema,
)


class MessageDecoder:
    """Decodes messages published by ValidatingPublisher, or by any publisher to a topic whose
    schema Accord syncs to Pub/Sub.

    The `accord_schema_id` attribute names the writer schema, fetched once by id and cached forever.
    Without it, Pub/Sub's own attributes (`googclient_schemaname`, `googclient_schemarevisionid`,
    `googclient_schemaencoding`, added to every message it validated) name the revision, which the
    registry maps to its topic version once per revision.
    With `contracts={topic: schema}` (schema text, or the parsed JSON document) the message comes
    back in the consumer's own shape: the format decodes it with the contract as reader schema
    (Avro resolves it: fields it does not read are dropped, its defaults filled in; JSON validates
    it against the contract). Safe to call from a subscriber callback thread.

    Errors: `DecodeError` (and its `ContractViolation`) say the message itself is unusable — ack it
    to a dead-letter topic; `RegistryUnavailable` says nothing about the message — nack and retry.
    """

    def __init__(
        self,
        registry: RegistryClient,
        *,
        contracts: Mapping[str, str | Mapping[str, Any]] | None = None,
    ) -> None:
        self.registry = registry
        self._contract_texts: dict[str, str] = {}
        for topic, text in (contracts or {}).items():
            try:
                self._contract_texts[topic] = text if isinstance(text, str) else json.dumps(text)
            except (TypeError, ValueError, RecursionError) as exc:
                raise InvalidArgument(
                    f"the contract for topic {topic!r} is not schema text or a JSON document: {exc}"
                ) from None
        self._lock = threading.Lock()
        self._readers: dict[tuple[str, SchemaType], ParsedSchema] = {}
        self._pubsub = PubSubWriters(registry)

    def decode(self, message: Any, *, topic: str | None = None) -> Any:
        """The message's data (a dict for record/object schemas).

        `message` is what google-cloud-pubsub hands a subscriber: the streaming-pull callback's
        Message, or a synchronous pull's ReceivedMessage (anything with `data` and `attributes`,
        or with a `message` that has them). `topic` overrides the `accord_topic` attribute when
        choosing the contract."""
        data, attributes = _parts(message)
        # Accord's attributes name the schema the publisher wrote with; without them, Pub/Sub's
        # name the revision it validated the message against (any publisher, any language).
        validated = None if ATTR_SCHEMA_ID in attributes else self._pubsub.writer(attributes)
        if validated is not None:
            writer, schema_id = validated.schema, validated.schema.schema_id
        else:
            schema_id = _schema_id(attributes)
            try:
                writer = self.registry.get_schema(schema_id)
            except SchemaNotFound as exc:
                raise DecodeError(
                    f"message written with schema id {schema_id}, which the registry does not know"
                ) from exc
        try:
            writer_schema = writer.parsed
        except ContractsError as exc:
            raise DecodeError(f"schema id {schema_id} cannot be used: {exc}") from exc
        if validated is not None:
            encoding = validated.encoding
            if encoding not in writer_schema.encodings:
                raise DecodeError(
                    f"Pub/Sub says {encoding} encoding, which schema id {schema_id} is not "
                    "written in"
                )
        else:
            encoding = _encoding(attributes, writer, writer_schema)
        if topic is None and validated is not None:
            topic = validated.schema.topic
        if topic is None:
            topic = attributes.get(ATTR_TOPIC)
            if topic is not None and not isinstance(topic, str):
                raise DecodeError(f"attribute {ATTR_TOPIC!r} is not text: {topic!r}")
        reader = self._reader(topic, writer) if topic is not None else None
        try:
            return writer_schema.decode(data, encoding=encoding, reader=reader)
        except MessageRejected as exc:
            raise ContractViolation(str(topic), exc.findings) from exc
        except Exception as exc:  # EncodingError, or any failure of a format plug-in
            raise DecodeError(
                f"payload does not decode with schema id {schema_id} ({encoding} encoding): {exc}"
            ) from exc

    def _reader(self, topic: str, writer: RegisteredSchema) -> ParsedSchema | None:
        """The consumer's contract for `topic`, parsed once as a schema of the writer's type."""
        text = self._contract_texts.get(topic)
        if text is None:
            return None
        key = (topic, writer.schema_type)
        reader = self._readers.get(key)
        if reader is None:
            try:
                reader = parse_schema(writer.schema_type, text)
            except ContractsError as exc:
                raise DecodeError(
                    f"the contract for topic {topic!r} is not a valid "
                    f"{writer.schema_type.value} schema: {exc}"
                ) from exc
            with self._lock:
                reader = self._readers.setdefault(key, reader)
        return reader


def _parts(message: Any) -> tuple[bytes, Mapping[str, str]]:
    """(data, attributes) of a streaming-pull Message or a pulled ReceivedMessage."""
    inner = message.message if not hasattr(message, "data") else message
    data = getattr(inner, "data", None)
    attributes = getattr(inner, "attributes", None)
    if not isinstance(data, bytes):
        raise DecodeError(f"the message's data is not bytes but {type(data).__name__}")
    if not isinstance(attributes, Mapping):
        raise DecodeError(
            f"the message's attributes are not a mapping: {type(attributes).__name__}"
        )
    return data, attributes


def _schema_id(attributes: Mapping[str, str]) -> int:
    raw = attributes.get(ATTR_SCHEMA_ID)
    if raw is None:
        raise DecodeError(
            f"message has no {ATTR_SCHEMA_ID!r} attribute: it was not published through Accord"
        )
    # Only the digits the publisher writes: int() would also take " 7", "+7" and other digits.
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise DecodeError(f"attribute {ATTR_SCHEMA_ID!r} is not a schema id: {raw!r}")
    return int(raw)


def _encoding(
    attributes: Mapping[str, str], writer: RegisteredSchema, parsed: ParsedSchema
) -> Encoding:
    """The payload encoding; absent means the format's default (Avro binary, JSON for JSON Schema)."""
    raw = attributes.get(ATTR_ENCODING)
    encodings = parsed.encodings
    if raw is None:
        return encodings[0]
    for encoding in encodings:
        if raw == encoding:
            return encoding
    raise DecodeError(
        f"attribute {ATTR_ENCODING!r} is {raw!r}, which a {writer.schema_type.value} schema "
        f"cannot have (it is written as {' or '.join(map(repr, encodings))})"
    )
