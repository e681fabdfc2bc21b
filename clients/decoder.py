"""MessageDecoder: turn a received Pub/Sub message back into data, in the consumer's own contract shape."""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any

from clients._cache import RegisteredSchema
from clients._registry import RegistryClient
from clients.errors import ContractViolation, DecodeError, SchemaNotFound
from clients.publisher import ATTR_ENCODING, ATTR_SCHEMA_ID, ATTR_TOPIC
from contracts import (
    ContractsError,
    Encoding,
    EncodingError,
    ParsedSchema,
    SchemaType,
    check_pair,
    parse_schema,
)


class MessageDecoder:
    """Decodes messages published by ValidatingPublisher.

    The `accord_schema_id` attribute names the writer schema, fetched once by id and cached forever.
    With `contracts={topic: schema}` (schema text, or the parsed JSON document) the message comes
    back in the consumer's own shape: Avro data is resolved with the contract as reader schema
    (fields it does not read are dropped, its defaults filled in); JSON data is validated against
    the contract. Safe to call from a subscriber callback thread.

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
        self._contract_texts = {
            topic: text if isinstance(text, str) else json.dumps(text)
            for topic, text in (contracts or {}).items()
        }
        self._lock = threading.Lock()
        self._readers: dict[tuple[str, SchemaType], ParsedSchema] = {}
        self._checked: set[tuple[str, int]] = set()

    def decode(self, message: Any, *, topic: str | None = None) -> Any:
        """The message's data (a dict for record/object schemas).

        `message` is what google-cloud-pubsub hands a subscriber: the streaming-pull callback's
        Message, or a synchronous pull's ReceivedMessage (anything with `data` and `attributes`,
        or with a `message` that has them). `topic` overrides the `accord_topic` attribute when
        choosing the contract."""
        inner = message.message if not hasattr(message, "data") else message
        data: bytes = inner.data
        attributes: Mapping[str, str] = inner.attributes
        schema_id = _schema_id(attributes)
        try:
            writer = self.registry.get_schema(schema_id)
        except SchemaNotFound as exc:
            raise DecodeError(
                f"message written with schema id {schema_id}, which the registry does not know"
            ) from exc
        encoding = _encoding(attributes, writer)
        topic = topic if topic is not None else attributes.get(ATTR_TOPIC)
        reader = self._reader(topic, writer) if topic is not None else None
        try:
            writer_schema = writer.parsed
        except ContractsError as exc:
            raise DecodeError(f"schema id {schema_id} cannot be used: {exc}") from exc
        if writer.schema_type is SchemaType.AVRO:
            return self._decode(writer_schema, data, encoding, schema_id, reader=reader)
        decoded = self._decode(writer_schema, data, encoding, schema_id, reader=None)
        if reader is not None:
            findings = reader.validate(decoded)
            if findings:
                raise ContractViolation(str(topic), findings)
        return decoded

    @staticmethod
    def _decode(
        writer: ParsedSchema,
        data: bytes,
        encoding: Encoding,
        schema_id: int,
        *,
        reader: ParsedSchema | None,
    ) -> Any:
        try:
            return writer.decode(data, encoding=encoding, reader=reader)
        except (EncodingError, ValueError, EOFError, IndexError, TypeError) as exc:
            raise DecodeError(
                f"payload does not decode with schema id {schema_id} ({encoding} encoding): {exc}"
            ) from exc

    def _reader(self, topic: str, writer: RegisteredSchema) -> ParsedSchema | None:
        """The consumer's contract for `topic` as a reader schema, checked once per writer id:
        an Avro contract that cannot read the writer is refused before any payload is touched."""
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
        if writer.schema_type is SchemaType.AVRO and (topic, writer.schema_id) not in self._checked:
            result = check_pair(reader, writer.parsed)
            if not result.compatible:
                raise ContractViolation(topic, result.findings)
            with self._lock:
                self._checked.add((topic, writer.schema_id))
        return reader


def _schema_id(attributes: Mapping[str, str]) -> int:
    raw = attributes.get(ATTR_SCHEMA_ID)
    if raw is None:
        raise DecodeError(
            f"message has no {ATTR_SCHEMA_ID!r} attribute: it was not published through Accord"
        )
    try:
        return int(raw)
    except ValueError:
        raise DecodeError(f"attribute {ATTR_SCHEMA_ID!r} is not a schema id: {raw!r}") from None


def _encoding(attributes: Mapping[str, str], writer: RegisteredSchema) -> Encoding:
    """The payload encoding; absent means the format's default (Avro binary, JSON for JSON Schema)."""
    raw = attributes.get(ATTR_ENCODING)
    if raw is None:
        return "binary" if writer.schema_type is SchemaType.AVRO else "json"
    if raw == "json":
        return "json"
    if raw == "binary" and writer.schema_type is SchemaType.AVRO:
        return "binary"
    raise DecodeError(
        f"attribute {ATTR_ENCODING!r} is {raw!r}, which a {writer.schema_type.value} schema "
        "cannot have (Avro: 'binary' or 'json'; JSON Schema: 'json')"
    )
