"""The fake's SchemaService: schemas, revisions and their rules, and Avro validation by fastavro."""

from __future__ import annotations

import io
import json
import random
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import fastavro
import fastavro.utils
import fastavro.validation
import grpc
from google.protobuf import empty_pb2, timestamp_pb2
from google.pubsub_v1 import types

from .faults import Refusal, invalid, not_found, parse_name, parse_project

PB = Any  # protobuf message classes are generated; their types are not checked here

Schema = types.Schema.pb()
AVRO = int(types.Schema.Type.AVRO)
PROTOCOL_BUFFER = int(types.Schema.Type.PROTOCOL_BUFFER)
BASIC = int(types.SchemaView.BASIC)
FULL = int(types.SchemaView.FULL)
JSON = int(types.Encoding.JSON)
BINARY = int(types.Encoding.BINARY)
ENCODING_NAMES = {JSON: "JSON", BINARY: "BINARY"}

# Pub/Sub documents these limits: at most 20 revisions per schema, a definition of at most 300 KB.
MAX_REVISIONS = 20
MAX_DEFINITION_BYTES = 300 * 1024
# Compatibility is judged by fastavro resolving this many sampled datums of the writer revision
# with the reader revision (seeded, so every run judges alike).
COMPATIBILITY_SAMPLES = 64
_SAMPLING = threading.Lock()


@dataclass
class Revision:
    schema: PB  # the Schema message as GetSchema(FULL) returns it
    parsed: Any  # fastavro's parsed schema for AVRO, None for PROTOCOL_BUFFER
    samples: list[Any]  # datums of this revision, generated once, for compatibility checks


@dataclass
class StoredSchema:
    name: str
    type: int
    revisions: list[Revision] = field(default_factory=list)  # oldest first
    # creation time of every revision ever committed, deleted ones too: a topic's revision range
    # keeps its meaning when a revision at its edge is deleted
    created: dict[str, tuple[int, int]] = field(default_factory=dict)


def _parse_avro(definition: str) -> Any:
    try:
        return fastavro.parse_schema(json.loads(definition))
    except Exception as exc:
        raise invalid(f"Invalid Avro schema definition: {exc}") from exc


def parse_definition(schema: PB) -> Any:
    """fastavro's parse of an AVRO definition; PROTOCOL_BUFFER definitions are stored unparsed."""
    if schema.type_ not in (AVRO, PROTOCOL_BUFFER):
        raise invalid("Schema type must be AVRO or PROTOCOL_BUFFER")
    if not schema.definition.strip():
        raise invalid("Schema definition must not be empty")
    if len(schema.definition.encode()) > MAX_DEFINITION_BYTES:
        raise invalid(f"Schema definition exceeds {MAX_DEFINITION_BYTES} bytes")
    if schema.type_ == AVRO:
        return _parse_avro(schema.definition)
    if "message" not in schema.definition:
        raise invalid("A PROTOCOL_BUFFER definition must define one top-level message")
    return None


def avro_message_problem(parsed: Any, data: bytes, encoding: int) -> str | None:
    """Why `data` is not one datum of `parsed` in `encoding`, or None when it is. BINARY: the Avro
    binary encoding, every byte consumed. JSON: exactly the Avro JSON encoding of a datum (fastavro
    reads it, validates it and writes it back to the same JSON value)."""
    try:
        if encoding == BINARY:
            stream = io.BytesIO(data)
            fastavro.schemaless_reader(stream, parsed)
            if stream.tell() != len(data):
                return f"{len(data) - stream.tell()} bytes left over after the datum"
            return None
        value = json.loads(data)
        records = list(fastavro.json_reader(io.StringIO(json.dumps(value)), parsed))
        if len(records) != 1:
            return "expected exactly one JSON datum"
        fastavro.validation.validate(records[0], parsed, raise_errors=True)
        written = io.StringIO()
        fastavro.json_writer(written, parsed, records)
        if json.loads(written.getvalue()) != value:
            return "the JSON is not the Avro JSON encoding of a datum of the schema"
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


_PLAIN: dict[str, Any] = {
    "null": None,
    "boolean": True,
    "int": 1,
    "long": 1,
    "float": 1.0,
    "double": 1.0,
}
_PLAIN |= {"bytes": b"x", "string": "x"}


class _Uncovered(Exception):
    """A part of a schema the covering datums leave to the random samples."""


def _covering(schema: Any, k: int, named: dict[str, Any], depth: int = 0) -> Any:
    """A datum taking the k-th symbol of every enum and the k-th branch of every union (modulo
    their sizes), so no symbol or branch is left to chance; recursion ends on a union's null."""
    if isinstance(schema, str):
        if schema in _PLAIN:
            return _PLAIN[schema]
        return _covering(named[schema], k, named, depth + 1)
    if isinstance(schema, list):
        branches = schema if depth < 8 else [b for b in schema if b == "null"] or schema
        return _covering(branches[k % len(branches)], k, named, depth + 1)
    if "logicalType" in schema:
        raise _Uncovered(schema["logicalType"])
    kind = schema["type"]
    if kind == "record":
        return {f["name"]: _covering(f["type"], k, named, depth + 1) for f in schema["fields"]}
    if kind == "enum":
        return schema["symbols"][k % len(schema["symbols"])]
    if kind == "array":
        return [_covering(schema["items"], k, named, depth + 1)]
    if kind == "map":
        return {"key": _covering(schema["values"], k, named, depth + 1)}
    if kind == "fixed":
        return bytes(schema["size"])
    return _covering(kind, k, named, depth + 1)


def _widest(schema: Any) -> int:
    """The longest list anywhere in `schema`: enough k's to reach every symbol and branch."""
    if isinstance(schema, dict):
        return max([_widest(value) for value in schema.values()], default=1)
    if isinstance(schema, list):
        return max([len(schema), *(_widest(item) for item in schema)])
    return 1


def samples(parsed: Any) -> list[Any]:
    """Datums of `parsed`, the same on every call: covering ones (every enum symbol and union
    branch) and ones fastavro generates at random (seeded)."""
    named = parsed.get("__named_schemas", {}) if isinstance(parsed, dict) else {}
    chosen = []
    for k in range(min(_widest(parsed), 256)):
        try:
            datum = _covering(parsed, k, named)
            fastavro.schemaless_writer(io.BytesIO(), parsed, datum)
        except Exception:  # left to the random samples
            continue
        chosen.append(datum)
    with _SAMPLING:  # fastavro samples from the global generator: seed it, then put it back
        state = random.getstate()
        random.seed(20_23)
        try:
            return chosen + list(fastavro.utils.generate_many(parsed, COMPATIBILITY_SAMPLES))
        finally:
            random.setstate(state)


def resolution_problem(writer: Any, written: list[Any], reader: Any) -> str | None:
    """Why fastavro cannot read `written` (datums of `writer`) through `reader`, or None."""
    for datum in written:
        encoded = io.BytesIO()
        fastavro.schemaless_writer(encoded, writer, datum)
        encoded.seek(0)
        try:
            fastavro.schemaless_reader(encoded, writer, reader)
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"
    return None


def _now(after: tuple[int, int] | None) -> PB:
    """Now, strictly after `after`, so revisions of one schema are ordered by creation time."""
    stamp = timestamp_pb2.Timestamp()
    stamp.GetCurrentTime()
    if after is not None and (stamp.seconds, stamp.nanos) <= after:
        seconds, nanos = after
        nanos += 1000
        stamp.seconds, stamp.nanos = seconds + nanos // 1_000_000_000, nanos % 1_000_000_000
    return stamp


def _key(stamp: PB) -> tuple[int, int]:
    return (stamp.seconds, stamp.nanos)


class SchemaService:
    """google.pubsub.v1.SchemaService over the fake's schemas (guarded by the fake's lock)."""

    def __init__(self, lock: threading.Condition) -> None:
        self.schemas: dict[str, StoredSchema] = {}
        self.on_delete: Callable[[str], None] = lambda name: None  # topics forget the schema
        self._lock = lock

    # -- helpers shared with the publisher ----------------------------------------------------
    def stored(self, name: str) -> StoredSchema:
        parse_name(name, "schemas")
        stored = self.schemas.get(name)
        if stored is None:
            raise not_found("Schema", name)
        return stored

    def revision(self, name: str, revision_id: str = "") -> Revision:
        """`name` may carry `@revision`; without one, the newest revision."""
        if "@" in name:
            name, revision_id = name.split("@", 1)
        stored = self.stored(name)
        if not revision_id:
            return stored.revisions[-1]
        for revision in stored.revisions:
            if revision.schema.revision_id == revision_id:
                return revision
        raise not_found("Schema revision", f"{name}@{revision_id}")

    def in_range(self, name: str, first: str, last: str) -> list[Revision]:
        """The revisions between `first` and `last` (by creation time, inclusive), newest first."""
        stored = self.stored(name)
        low = stored.created.get(first, (0, 0)) if first else (0, 0)
        high = stored.created.get(last, (2**63, 0)) if last else (2**63, 0)
        chosen = [r for r in stored.revisions if low <= _key(r.schema.revision_create_time) <= high]
        return list(reversed(chosen))

    def check_range(self, name: str, first: str, last: str) -> None:
        stored = self.stored(name)
        for revision_id in (first, last):
            if revision_id and revision_id not in {r.schema.revision_id for r in stored.revisions}:
                raise invalid(f"Revision {revision_id} of schema {name} does not exist")
        if first and last and stored.created[first] > stored.created[last]:
            raise invalid(f"first_revision_id {first} was created after last_revision_id {last}")

    def _add_revision(self, stored: StoredSchema, schema: PB, parsed: Any) -> PB:
        if len(stored.revisions) >= MAX_REVISIONS:
            raise Refusal(
                grpc.StatusCode.FAILED_PRECONDITION,
                f"Schema {stored.name} already has {MAX_REVISIONS} revisions, the maximum; "
                "delete a revision before committing another",
            )
        new_samples = samples(parsed) if stored.type == AVRO else []
        if stored.type == AVRO:
            for older in stored.revisions:
                for writer, written, reader, direction in (
                    (older.parsed, older.samples, parsed, "read data written with"),
                    (parsed, new_samples, older.parsed, "be read by"),
                ):
                    problem = resolution_problem(writer, written, reader)
                    if problem is not None:
                        raise invalid(
                            f"The new revision is not compatible with revision "
                            f"{older.schema.revision_id} of {stored.name}: it cannot "
                            f"{direction} that revision ({problem})"
                        )
        previous = (
            _key(stored.revisions[-1].schema.revision_create_time) if stored.revisions else None
        )
        revision = Schema(
            name=stored.name,
            type_=stored.type,
            definition=schema.definition,
            revision_id=uuid.uuid4().hex[:8],
            revision_create_time=_now(previous),
        )
        stored.revisions.append(Revision(revision, parsed, new_samples))
        stored.created[revision.revision_id] = _key(revision.revision_create_time)
        return revision

    # -- the service --------------------------------------------------------------------------
    def create_schema(self, request: PB) -> PB:
        project = parse_project(request.parent)
        name = f"projects/{project}/schemas/{request.schema_id}"
        parse_name(name, "schemas")
        parsed = parse_definition(request.schema)
        with self._lock:
            if name in self.schemas:
                raise Refusal(
                    grpc.StatusCode.ALREADY_EXISTS, f"Resource already exists (resource={name})"
                )
            stored = StoredSchema(name, request.schema.type_)
            revision = self._add_revision(stored, request.schema, parsed)
            self.schemas[name] = stored
            return revision

    def get_schema(self, request: PB) -> PB:
        with self._lock:
            return _view(self.revision(request.name).schema, request.view or FULL)

    def list_schemas(self, request: PB) -> tuple[list[PB], str]:
        project = parse_project(request.parent)
        with self._lock:
            latest = [
                _view(stored.revisions[-1].schema, request.view or BASIC)
                for name, stored in sorted(self.schemas.items())
                if name.startswith(f"projects/{project}/schemas/")
            ]
        return latest, "schemas"

    def list_schema_revisions(self, request: PB) -> tuple[list[PB], str]:
        with self._lock:
            stored = self.stored(request.name)
            newest_first = [
                _view(r.schema, request.view or BASIC) for r in reversed(stored.revisions)
            ]
        return newest_first, "schemas"

    def commit_schema(self, request: PB) -> PB:
        with self._lock:
            stored = self.stored(request.name)
            if request.schema.type_ != stored.type:
                raise invalid(f"A revision of {stored.name} must have the schema's type")
            return self._add_revision(stored, request.schema, parse_definition(request.schema))

    def rollback_schema(self, request: PB) -> PB:
        if not request.revision_id:
            raise invalid("revision_id is required")
        with self._lock:
            stored = self.stored(request.name)
            source = self.revision(request.name, request.revision_id)
            return self._add_revision(stored, source.schema, source.parsed)

    def delete_schema_revision(self, request: PB) -> PB:
        name, revision_id = request.name, request.revision_id
        if "@" in name:
            name, revision_id = name.split("@", 1)
        if not revision_id:
            raise invalid(
                "The revision to delete is required: projects/{project}/schemas/{schema}@{revision}"
            )
        with self._lock:
            stored = self.stored(name)
            revision = self.revision(name, revision_id)
            if len(stored.revisions) == 1:
                raise Refusal(
                    grpc.StatusCode.FAILED_PRECONDITION,
                    f"Revision {revision_id} is the only revision of {name}; delete the schema instead",
                )
            stored.revisions.remove(revision)
            return revision.schema

    def delete_schema(self, request: PB) -> PB:
        with self._lock:
            self.stored(request.name)
            del self.schemas[request.name]
            self.on_delete(request.name)
        return empty_pb2.Empty()

    def validate_schema(self, request: PB) -> PB:
        parse_project(request.parent)
        parse_definition(request.schema)
        return types.ValidateSchemaResponse.pb()()

    def validate_message(self, request: PB) -> PB:
        parse_project(request.parent)
        with self._lock:
            if request.name:
                revision = self.revision(request.name)
                schema_type, parsed = revision.schema.type_, revision.parsed
            else:
                schema_type, parsed = request.schema.type_, parse_definition(request.schema)
        if schema_type != AVRO:
            raise Refusal(
                grpc.StatusCode.UNIMPLEMENTED,
                "The test fake validates AVRO messages only, not PROTOCOL_BUFFER",
            )
        if request.encoding not in ENCODING_NAMES:
            raise invalid("encoding must be JSON or BINARY")
        problem = avro_message_problem(parsed, request.message, request.encoding)
        if problem is not None:
            raise invalid(f"Invalid data in message: {problem}")
        return types.ValidateMessageResponse.pb()()


def _view(schema: PB, view: int) -> PB:
    """BASIC leaves out the definition; FULL is the whole revision."""
    shown = Schema()
    shown.CopyFrom(schema)
    if view == BASIC:
        shown.ClearField("definition")
    return shown
