"""Registering a schema version under a topic: the registry's central write."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, text
from sqlmodel import Session, select

from contracts import ParsedSchema, check_compatibility
from registry.auth import topic_owner_after_write
from registry.context import RegistryContext
from registry.errors import CompatibilityRefusal, IdMismatch, OperationNotPermitted
from registry.principal import Principal
from registry.pubsub import outbox
from registry.tables import SchemaRow, SubjectRow, SubjectVersionRow
from registry.usecases import audit, queries
from registry.usecases.model import MAX_INT, Mode, ProposedVersion, StoredSchema, SubjectVersion


@dataclass(frozen=True, slots=True)
class Registration:
    """What the caller asks for. `schema_id` and `version` are honoured only in IMPORT mode."""

    subject: str
    schema_type: str | None
    schema_text: str | None
    schema_id: int | None = None
    version: int | None = None
    references: int = 0


def compatibility_rule(proposal: ProposedVersion) -> None:
    """The topic's compatibility level, checked against its live versions (Confluent semantics)."""
    result = check_compatibility(
        proposal.schema,
        proposal.live_versions,
        proposal.config.level,
        policy=proposal.config.policy,
    )
    if result.compatible:
        return
    details = ", ".join(result.messages())
    raise CompatibilityRefusal(
        f'Schema being registered is incompatible with an earlier schema for subject "'
        f'{proposal.subject}" (compatibility {proposal.config.level.value}), details: [{details}]',
        error_code=proposal.incompatible_error_code,
    )


def register_version(
    ctx: RegistryContext, principal: Principal, registration: Registration
) -> SubjectVersion:
    """Register a schema under a topic, or return the version that already holds it.

    Parsing happens before the transaction (it is pure). Inside one transaction: mode gate, then
    the same-schema shortcut (no check, as Confluent), then every registration check, then the
    insert. A concurrent writer that took the same version number makes the insert fail on the
    unique (subject, version) key; `Database.write` then runs all of this again, checks included.
    """
    subject = queries.validate_subject(ctx, registration.subject)
    parsed = queries.parse_proposed(
        registration.schema_type, registration.schema_text, references=registration.references
    )

    def transaction(session: Session) -> SubjectVersion:
        _take_turn(session, subject)
        subject_row = session.get(SubjectRow, subject)
        versions = queries.versions_of(ctx, session, subject, fresh=True)
        # Ownership before anything else: a team that may not write learns nothing more (403).
        owner = topic_owner_after_write(
            principal,
            subject,
            subject_row.owner if subject_row else None,
            has_versions=bool(versions),
            action="register versions of",
        )
        mode = queries.effective_mode(session, subject_row)
        if mode.read_only:
            raise OperationNotPermitted(
                f"Subject '{subject}' is in {mode} mode; registering a schema is not permitted."
            )
        importing = mode is Mode.IMPORT
        existing = session.exec(
            select(SchemaRow).where(
                SchemaRow.schema_type == parsed.schema_type.value,
                SchemaRow.fingerprint == parsed.fingerprint,
            )
        ).first()
        _check_requested_id(registration, existing, importing)
        if existing is not None:
            same = next(
                (
                    v
                    for v in queries.live(versions)
                    if v.schema.id == existing.id
                    and (registration.version is None or v.version == registration.version)
                ),
                None,
            )
            if same is not None:
                return same
        version = _next_version(registration, versions, importing)
        if not importing:
            proposal = ProposedVersion(
                session=session,
                principal=principal,
                subject=subject,
                schema=parsed,
                live_versions=queries.versioned(ctx, queries.live(versions)),
                config=queries.effective_config(ctx, session, subject_row),
                incompatible_error_code=ctx.settings.incompatible_error_code,
            )
            # The seam: compatibility first, then whatever else has been plugged in (contracts).
            for check in ctx.registration_checks:
                check(proposal)
        schema = _store_schema(session, parsed, existing, registration.schema_id)
        if subject_row is None:
            session.add(SubjectRow(name=subject, owner=owner))
            session.flush()
        elif subject_row.owner != owner:  # the first write of an unowned new topic claims it
            subject_row.owner = owner
            session.add(subject_row)
        session.add(
            SubjectVersionRow(subject=subject, version=version, schema_id=schema.id, deleted=False)
        )
        session.flush()
        outbox.enqueue(ctx.settings, session, subject, "register")  # Pub/Sub enforcement
        live = queries.live(versions)
        audit.record(
            session,
            principal,
            "register",
            subject=subject,
            before={"version": live[-1].version, "id": live[-1].schema.id} if live else None,
            after={"version": version, "id": schema.id, "schemaType": schema.schema_type},
        )
        return SubjectVersion(subject=subject, version=version, schema=schema)

    registered = ctx.db.write(transaction)
    ctx.subject_versions.invalidate(subject)
    ctx.schemas_by_id.put(registered.schema.id, registered.schema)
    return registered


def _take_turn(session: Session, subject: str) -> None:
    """On PostgreSQL, writers of one topic queue on a lock held until commit (keyed by the topic,
    shared by every replica). Without it, many writers racing for a hot topic's next version keep
    losing the unique-key race and exhaust their retries; SQLite already queues all writers."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:subject, 0))"),
            {"subject": subject},
        )


def _check_requested_id(
    registration: Registration, existing: SchemaRow | None, importing: bool
) -> None:
    requested = registration.schema_id
    if requested is None or (existing is not None and existing.id == requested):
        return
    if not importing:
        raise OperationNotPermitted(
            f"A schema id ({requested}) may only be chosen by the caller in IMPORT mode."
        )
    if existing is not None:
        raise IdMismatch(
            f"Schema already registered with id {existing.id} instead of input id {requested}."
        )
    if not 1 <= requested <= MAX_INT:
        raise IdMismatch(f"Schema id {requested} is out of range [1, 2^31-1].")


def _next_version(
    registration: Registration, versions: tuple[SubjectVersion, ...], importing: bool
) -> int:
    latest = versions[-1].version if versions else 0
    requested = registration.version
    if requested is None:
        return latest + 1
    if importing:
        if any(v.version == requested for v in versions):
            raise OperationNotPermitted(
                f"Version {requested} of subject '{registration.subject}' already exists."
            )
        return requested
    if requested != latest + 1:
        raise OperationNotPermitted(
            f"Version {requested} was requested but the next version of subject "
            f"'{registration.subject}' is {latest + 1}."
        )
    return requested


def _store_schema(
    session: Session, parsed: ParsedSchema, existing: SchemaRow | None, requested_id: int | None
) -> StoredSchema:
    if existing is not None:
        return queries.stored_schema(existing)
    if requested_id is not None:
        if session.get(SchemaRow, requested_id) is not None:
            raise IdMismatch(f"Schema id {requested_id} is already taken by a different schema.")
        row = SchemaRow(
            id=requested_id,
            schema_type=parsed.schema_type.value,
            fingerprint=parsed.fingerprint,
            schema_text=parsed.text,
        )
        session.add(row)
        session.flush()
        _advance_id_sequence(session)
        return queries.stored_schema(row)
    row = SchemaRow(
        schema_type=parsed.schema_type.value,
        fingerprint=parsed.fingerprint,
        schema_text=parsed.text,
    )
    session.add(row)
    session.flush()
    return queries.stored_schema(row)


def _advance_id_sequence(session: Session) -> None:
    """After an imported id, make PostgreSQL's sequence continue above it (SQLite uses max+1)."""
    if session.get_bind().dialect.name != "postgresql":
        return
    highest = session.exec(select(func.max(SchemaRow.id))).one()
    session.execute(
        text("SELECT setval(pg_get_serial_sequence('schemas', 'id'), :n)"), {"n": highest}
    )
