"""Which format a schema file is in: the one rule the CLI and the publisher's bundled schemas share."""

from __future__ import annotations

from clients._registry import RegistryClient
from clients.errors import SchemaNotFound
from contracts import SchemaType, guess_schema_type


def schema_type_for(file_name: str, text: str, registered: SchemaType | None = None) -> SchemaType:
    """The topic's registered type first (a file for a topic is in the topic's format), then the
    file's content, then its extension (`contracts.guess_schema_type`)."""
    return registered if registered is not None else guess_schema_type(file_name, text)


def registered_type(client: RegistryClient, topic: str) -> SchemaType | None:
    """The type of `topic`'s latest schema; None when the topic has no schema yet."""
    try:
        return client.get_latest_version(topic).schema_type
    except SchemaNotFound:
        return None
