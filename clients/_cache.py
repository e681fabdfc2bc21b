"""The registry client's caches: schemas by id forever, topic versions forever, latest with a TTL; on disk too."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from contracts import ParsedSchema, SchemaType, UnsupportedSchemaType, parse_schema

log = logging.getLogger("clients.cache")


class RegisteredSchema:
    """A schema as the registry knows it: its global id, type and text, and — when it was read
    through a topic — the topic and version. `parsed` is parsed once, on first use."""

    __slots__ = ("_parsed", "_parsed_lock", "schema_id", "schema_type", "text", "topic", "version")

    def __init__(
        self,
        schema_id: int,
        schema_type: SchemaType,
        text: str,
        *,
        topic: str | None = None,
        version: int | None = None,
        parsed: ParsedSchema | None = None,
    ) -> None:
        self.schema_id = schema_id
        self.schema_type = schema_type
        self.text = text
        self.topic = topic
        self.version = version
        self._parsed = parsed
        self._parsed_lock = threading.Lock()

    @property
    def parsed(self) -> ParsedSchema:
        """The contracts/ schema (validate, encode, decode); raises contracts' InvalidSchema."""
        parsed = self._parsed
        if parsed is None:
            with self._parsed_lock:
                if self._parsed is None:
                    self._parsed = parse_schema(self.schema_type, self.text)
                parsed = self._parsed
        return parsed

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.schema_id,
            "schemaType": self.schema_type.value,
            "schema": self.text,
        }
        if self.topic is not None:
            body["subject"] = self.topic
        if self.version is not None:
            body["version"] = self.version
        return body

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> RegisteredSchema:
        """From a Confluent Schema/SchemaString body; raises KeyError/TypeError/ValueError if malformed."""
        schema_id = body["id"]
        text = body["schema"]
        version = body.get("version")
        topic = body.get("subject")
        raw_type = body.get("schemaType")
        if not is_positive_int(schema_id):
            raise ValueError(f"'id' must be a positive integer, not {schema_id!r}")
        if not isinstance(text, str):
            raise TypeError("'schema' must be a string")
        if version is not None and not is_positive_int(version):
            raise ValueError(f"'version' must be a positive integer, not {version!r}")
        if topic is not None and not isinstance(topic, str):
            raise TypeError("'subject' must be a string")
        if raw_type is not None and not isinstance(raw_type, str):
            raise TypeError("'schemaType' must be a string")
        try:
            schema_type = SchemaType.parse(raw_type)
        except UnsupportedSchemaType as exc:  # e.g. PROTOBUF: not a schema Accord can use
            raise ValueError(str(exc)) from None
        return cls(
            schema_id,
            schema_type,
            text,
            topic=topic,
            version=version,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RegisteredSchema):
            return NotImplemented
        return (self.schema_id, self.schema_type, self.text, self.topic, self.version) == (
            other.schema_id,
            other.schema_type,
            other.text,
            other.topic,
            other.version,
        )

    def __hash__(self) -> int:
        return hash((self.schema_id, self.topic, self.version))

    def __repr__(self) -> str:
        where = f" topic={self.topic!r} version={self.version}" if self.topic else ""
        return f"<RegisteredSchema id={self.schema_id} {self.schema_type.value}{where}>"


def is_positive_int(value: object) -> bool:
    """Ids and versions are integers from 1 (a JSON `true` is not one, though Python's bool is an int)."""
    return type(value) is int and value >= 1


def _file_name(topic: str) -> str:
    """A topic name as one safe path component (no separators, never '.' or '..')."""
    name = quote(topic, safe="")
    return "%2E" + name[1:] if name.startswith(".") else name


def write_atomically(path: Path, body: dict[str, Any]) -> None:
    """Write JSON to `path` so that a reader sees the old file or the new one, never a torn one:
    a temporary file in the same directory, fsynced, then os.replace (atomic on POSIX and Windows)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(body, out, separators=(",", ":"))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class SchemaCache:
    """Thread-safe. Ids and (topic, version) pairs are immutable, so they are kept forever; a topic's
    latest version is fresh for `ttl` seconds and then revalidated by the client, but kept (stale) as
    the fallback while the registry is down. With `directory`, every entry is also written to disk
    so that a restarted process starts warm."""

    def __init__(
        self,
        directory: Path | None,
        *,
        ttl: float,
        clock: Callable[[], float],
    ) -> None:
        self.directory = directory
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._by_id: dict[int, RegisteredSchema] = {}
        self._versions: dict[tuple[str, int], RegisteredSchema] = {}
        self._latest: dict[str, tuple[RegisteredSchema, float]] = {}

    # -- by id ---------------------------------------------------------------------------------
    def by_id(self, schema_id: int) -> RegisteredSchema | None:
        found = self._by_id.get(schema_id)
        if found is None and self.directory is not None:
            found = self._load(self.directory / "schemas" / f"{schema_id}.json")
            if found is not None:
                with self._lock:
                    found = self._by_id.setdefault(schema_id, found)
        return found

    def put_id(self, schema: RegisteredSchema) -> RegisteredSchema:
        """Remember a schema by id; returns the instance kept (the first one wins: ids are immutable)."""
        anonymous = RegisteredSchema(
            schema.schema_id, schema.schema_type, schema.text, parsed=schema._parsed
        )
        with self._lock:
            kept = self._by_id.setdefault(schema.schema_id, anonymous)
        if kept is anonymous and self.directory is not None:
            self._store(self.directory / "schemas" / f"{schema.schema_id}.json", kept)
        return kept

    # -- (topic, version) ----------------------------------------------------------------------
    def version(self, topic: str, version: int) -> RegisteredSchema | None:
        found = self._versions.get((topic, version))
        if found is None and self.directory is not None:
            found = self._load(self._topic_dir(topic) / "versions" / f"{version}.json")
            if found is not None:
                with self._lock:
                    found = self._versions.setdefault((topic, version), found)
        return found

    def put_version(self, schema: RegisteredSchema) -> None:
        assert schema.topic is not None
        assert schema.version is not None
        with self._lock:
            known = self._versions.get((schema.topic, schema.version))
            self._versions[(schema.topic, schema.version)] = schema
        if known != schema and self.directory is not None:
            self._store(
                self._topic_dir(schema.topic) / "versions" / f"{schema.version}.json", schema
            )
        self.put_id(schema)

    # -- latest --------------------------------------------------------------------------------
    def fresh_latest(self, topic: str) -> RegisteredSchema | None:
        """The latest version if it was fetched less than `ttl` seconds ago (memory only)."""
        entry = self._latest.get(topic)
        if entry is None or self._clock() - entry[1] >= self.ttl:
            return None
        return entry[0]

    def stale_latest(self, topic: str) -> RegisteredSchema | None:
        """The last known latest version, however old: memory, then disk."""
        entry = self._latest.get(topic)
        if entry is not None:
            return entry[0]
        if self.directory is None:
            return None
        return self._load(self._topic_dir(topic) / "latest.json")

    def put_latest(self, schema: RegisteredSchema) -> None:
        assert schema.topic is not None
        with self._lock:
            previous = self._latest.get(schema.topic)
            self._latest[schema.topic] = (schema, self._clock())
        changed = previous is None or previous[0] != schema
        if changed and self.directory is not None:
            self._store(self._topic_dir(schema.topic) / "latest.json", schema)
        if schema.version is not None:
            self.put_version(schema)

    def forget_topic(self, topic: str, version: int | None = None) -> None:
        """After a delete: drop the topic's latest and the version(s) from memory and disk."""
        with self._lock:
            self._latest.pop(topic, None)
            doomed = [k for k in self._versions if k[0] == topic and version in (None, k[1])]
            for key in doomed:
                del self._versions[key]
        if self.directory is not None:
            base = self._topic_dir(topic)
            (base / "latest.json").unlink(missing_ok=True)
            pattern = "*.json" if version is None else f"{version}.json"
            for path in (base / "versions").glob(pattern):
                path.unlink(missing_ok=True)

    # -- disk ----------------------------------------------------------------------------------
    def _topic_dir(self, topic: str) -> Path:
        assert self.directory is not None
        return self.directory / "topics" / _file_name(topic)

    def _store(self, path: Path, schema: RegisteredSchema) -> None:
        try:
            write_atomically(path, schema.to_json())
        except OSError as exc:  # a full or read-only disk must not stop publishing
            log.warning("could not write the schema cache file %s: %s", path, exc)

    @staticmethod
    def _load(path: Path) -> RegisteredSchema | None:
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
            return RegisteredSchema.from_json(body)
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
            log.warning("ignoring the unreadable schema cache file %s: %s", path, exc)
            return None
