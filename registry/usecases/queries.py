"""Reads shared by several use cases, always inside the caller's transaction."""

from __future__ import annotations

import difflib
import json

from sqlmodel import Session, col, select

from contracts import (
    CompatibilityLevel,
    CompatibilityPolicy,
    InvalidSchema,
    ParsedSchema,
    SchemaType,
    UnsupportedSchemaType,
    VersionedSchema,
    parse_schema,
)
from contracts.consumers import ConsumerContract
from registry import names
from registry.context import RegistryContext
from registry.contract_tables import ConsumerContractRow
from registry.errors import StoreError, SubjectNotFound, UnprocessableSchema
from registry.tables import GlobalConfigRow, SchemaRow, SubjectRow, SubjectVersionRow
from registry.usecases.model import EffectiveConfig, Mode, StoredSchema, SubjectVersion


def validate_subject(ctx: RegistryContext, subject: str) -> str:
    """The subject a write names, in NFC; InvalidSubject (42208) saying which rule the name breaks
    (registry.names)."""
    return names.subject(subject, max_length=ctx.settings.max_subject_length)


def parse_proposed(
    schema_type: str | None, text: str | None, *, references: int = 0
) -> ParsedSchema:
    """Parse a schema arriving through the API: every failure is a 42201 saying what is wrong."""
    if references:
        raise UnprocessableSchema(
            "Schema references are not supported by this registry; inline the referenced types."
        )
    if text is None or not text.strip():
        raise UnprocessableSchema("Empty schema: the request needs a non-empty 'schema' string.")
    try:
        kind = SchemaType.parse(schema_type)
        return parse_schema(kind, text)
    except UnsupportedSchemaType as exc:
        raise UnprocessableSchema(
            f"Unsupported schemaType {exc.schema_type!r}: this registry handles AVRO and JSON "
            "schemas (PROTOBUF is not supported)."
        ) from exc
    except InvalidSchema as exc:
        raise UnprocessableSchema(f"Invalid {schema_type or 'AVRO'} schema: {exc}") from exc
    except RecursionError as exc:
        raise UnprocessableSchema(
            "Invalid schema: it is nested too deeply to be processed."
        ) from exc


def parsed_stored(ctx: RegistryContext, schema: StoredSchema) -> ParsedSchema:
    """A stored schema, parsed once per process (stored schemas never change)."""
    cached = ctx.parsed_by_id.get(schema.id)
    if cached is not None:
        return cached
    try:
        parsed = parse_schema(schema.schema_type, schema.text)
    except (InvalidSchema, UnsupportedSchemaType, RecursionError) as exc:
        raise StoreError(f"Stored schema {schema.id} can no longer be parsed: {exc}") from exc
    ctx.parsed_by_id.put(schema.id, parsed)
    return parsed


def stored_schema(row: SchemaRow) -> StoredSchema:
    assert row.id is not None
    return StoredSchema(
        id=row.id, schema_type=row.schema_type, text=row.schema_text, fingerprint=row.fingerprint
    )


def schema_by_id(ctx: RegistryContext, session: Session, schema_id: int) -> StoredSchema | None:
    cached = ctx.schemas_by_id.get(schema_id)
    if cached is not None:
        return cached
    row = session.get(SchemaRow, schema_id)
    if row is None:
        return None
    found = stored_schema(row)
    ctx.schemas_by_id.put(schema_id, found)
    return found


def versions_of(
    ctx: RegistryContext, session: Session, subject: str, *, fresh: bool = False
) -> tuple[SubjectVersion, ...]:
    """Every version of `subject`, soft-deleted ones included, oldest first, from the database.

    A read publishes what it found to the short-lived cache (the caller consulted the cache first,
    see `registry.usecases.read`); writes pass `fresh=True` so that their uncommitted view stays
    out of it.
    """
    rows = session.exec(
        select(SubjectVersionRow, SchemaRow)
        .join(SchemaRow, col(SchemaRow.id) == col(SubjectVersionRow.schema_id))
        .where(SubjectVersionRow.subject == subject)
        .order_by(col(SubjectVersionRow.version))
    ).all()
    found = tuple(
        SubjectVersion(
            subject=subject,
            version=version_row.version,
            schema=stored_schema(schema_row),
            deleted=version_row.deleted,
        )
        for version_row, schema_row in rows
    )
    if not fresh:
        ctx.subject_versions.put(subject, found)
    return found


def live(versions: tuple[SubjectVersion, ...]) -> tuple[SubjectVersion, ...]:
    return tuple(v for v in versions if not v.deleted)


def versioned(
    ctx: RegistryContext, versions: tuple[SubjectVersion, ...]
) -> tuple[VersionedSchema, ...]:
    return tuple(VersionedSchema(v.version, parsed_stored(ctx, v.schema)) for v in versions)


def global_config(session: Session) -> GlobalConfigRow:
    """The global row (not persisted until a use case adds it)."""
    return session.get(GlobalConfigRow, 1) or GlobalConfigRow(id=1)


# Names compared for a "did you mean": a bounded slice of the topics with a live version.
NEAR_NAMES_SCANNED = 10_000


def missing_topic(session: Session, subject: str) -> SubjectNotFound:
    """A 40401 for a topic with no live version, naming the closest existing topic if one is
    near (difflib ratio 0.75 or more), so a typo in a CI job fails loudly and says the fix."""
    names = session.exec(
        select(SubjectVersionRow.subject)
        .where(col(SubjectVersionRow.deleted).is_(False))
        .distinct()
        .limit(NEAR_NAMES_SCANNED)
    ).all()
    near = difflib.get_close_matches(subject, [n for n in names if n != subject], n=1, cutoff=0.75)
    hint = f"Did you mean '{near[0]}'?" if near else ""
    return SubjectNotFound(subject, hint)


def effective_config(
    ctx: RegistryContext, session: Session, subject_row: SubjectRow | None
) -> EffectiveConfig:
    glob = global_config(session)
    level = (subject_row.compatibility if subject_row else None) or glob.compatibility
    policy = (
        subject_row.compatibility_policy if subject_row else None
    ) or glob.compatibility_policy
    return EffectiveConfig(
        level=CompatibilityLevel(level) if level else ctx.settings.default_compatibility,
        policy=CompatibilityPolicy(policy) if policy else ctx.settings.default_compatibility_policy,
    )


def effective_mode(session: Session, subject_row: SubjectRow | None) -> Mode:
    glob = Mode(global_config(session).mode or Mode.READWRITE)
    # READONLY_OVERRIDE at the global level wins over any subject's own mode.
    if glob is Mode.READONLY_OVERRIDE:
        return glob
    own = subject_row.mode if subject_row else None
    return Mode(own) if own else glob


def current_contract_rows(session: Session, subject: str) -> list[ConsumerContractRow]:
    """The current (newest, not deleted) contract row of every consumer of `subject`."""
    rows = session.exec(
        select(ConsumerContractRow)
        .where(ConsumerContractRow.subject == subject)
        .order_by(col(ConsumerContractRow.consumer), col(ConsumerContractRow.version))
    ).all()
    latest: dict[str, ConsumerContractRow] = {}
    for row in rows:
        latest[row.consumer] = row
    return [row for row in latest.values() if not row.deleted]


def parsed_contract(row: ConsumerContractRow) -> ConsumerContract:
    """A stored contract as the decision reads it; a text that no longer parses is a StoreError."""
    try:
        schema = parse_schema(row.schema_type, row.schema_text)
    except (InvalidSchema, UnsupportedSchemaType, RecursionError) as exc:
        raise StoreError(
            f"The stored contract of '{row.consumer}' on '{row.subject}' can no longer be parsed: "
            f"{exc}"
        ) from exc
    return ConsumerContract(
        consumer=row.consumer,
        schema=schema,
        examples=tuple(json.loads(row.examples)),
        version=row.version,
    )
