"""Registering a schema version under a topic: the registry's central write."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, text
from sqlmodel import Session, col, select

from contracts import ParsedSchema
from registry.auth import require_admin, topic_owner_after_write
from registry.context import RegistryContext
from registry.errors import (
    CompatibilityRefusal,
    ContractRefused,
    Forbidden,
    IdMismatch,
    OperationNotPermitted,
    ServiceError,
    StoreError,
)
from registry.observability import refused
from registry.principal import Principal
from registry.pubsub import outbox
from registry.tables import SchemaRow, SubjectRow, SubjectVersionRow
from registry.usecases import audit, queries
from registry.usecases.compatibility import (
    DECISION_ATTEMPTS,
    SnapshotKey,
    SnapshotMoved,
    TopicSnapshot,
    propose,
    read_snapshot,
)
from registry.usecases.model import MAX_INT, Mode, StoredSchema, SubjectVersion

# Writers of new schemas on PostgreSQL take turns on this advisory lock to allocate ids; any
# constant works, as long as every replica uses the same one.
_ID_LOCK_KEY = 0x4143434F5249  # "ACCORI"


@dataclass(frozen=True, slots=True)
class Registration:
    """What the caller asks for. `schema_id` and `version` are honoured only in IMPORT mode."""

    subject: str
    schema_type: str | None
    schema_text: str | None
    schema_id: int | None = None
    version: int | None = None
    references: int = 0


@dataclass(frozen=True, slots=True)
class _Plan:
    """What a registration would do, given the rows one transaction read: who owns the topic after
    it, whether it imports, the stored schema with the same content, and the version it takes (or
    the live version that already holds the schema)."""

    subject_row: SubjectRow | None
    versions: tuple[SubjectVersion, ...]
    owner: str | None
    importing: bool
    existing: SchemaRow | None
    same: SubjectVersion | None
    version: int


def register_version(
    ctx: RegistryContext, principal: Principal, registration: Registration
) -> SubjectVersion:
    """Register a schema under a topic, or return the version that already holds it; counted
    (accepted, or refused by reason) and, when refused, logged with the reason."""
    try:
        registered, new_version = _register(ctx, principal, registration)
    except ServiceError as exc:
        if exc.http_status < 500:
            reason = refusal_reason(exc)
            ctx.metrics.registration_refused(reason)
            refused(reason, exc, topic=registration.subject, team=principal.name)
        raise
    ctx.metrics.registration_accepted(new_version=new_version)
    return registered


def refusal_reason(error: ServiceError) -> str:
    """Why a registration was refused, from a closed set (registry.metrics)."""
    if isinstance(error, ContractRefused):
        return "contract"
    if isinstance(error, CompatibilityRefusal):
        return "level"
    if isinstance(error, Forbidden):
        return "forbidden"
    if isinstance(error, OperationNotPermitted):
        return "not_permitted"
    return "invalid"


def _register(
    ctx: RegistryContext, principal: Principal, registration: Registration
) -> tuple[SubjectVersion, bool]:
    """Register a schema under a topic, or return the version that already holds it (and say
    whether a version was added).

    Parsing happens before any transaction (it is pure), and so does the decision: a read takes a
    snapshot of the topic (live versions, contracts, configuration), every registration check runs
    on it with no lock held, and the write then re-verifies, cheaply, that the snapshot still holds
    (ids and revision numbers) before it inserts. When it moved, the write rolls back and the
    decision is taken again (see `DECISION_ATTEMPTS`). In the write: owner and mode gates, the
    same-schema shortcut (no check, as Confluent), then the insert. Only the admin imports (IMPORT
    mode), and an import skips the checks: it is audited as `import`.
    """
    subject = queries.validate_subject(ctx, registration.subject)
    parsed = queries.parse_proposed(
        registration.schema_type, registration.schema_text, references=registration.references
    )

    def plan(session: Session) -> _Plan:
        return _plan(ctx, session, principal, subject, registration=registration, parsed=parsed)

    def snapshot(session: Session) -> tuple[_Plan, TopicSnapshot | None]:
        found = plan(session)
        if found.same is not None or found.importing:
            return found, None
        return found, read_snapshot(ctx, session, subject, found.subject_row, found.versions)

    def transaction(
        session: Session, decided: SnapshotKey | None, under_lock: bool
    ) -> tuple[SubjectVersion, bool]:
        _take_turn(session, subject)
        found = plan(session)
        if found.same is not None:
            return found.same, False
        if not found.importing:
            now = read_snapshot(ctx, session, subject, found.subject_row, found.versions)
            if under_lock:
                _run_checks(ctx, principal, parsed, now)
            elif now.key != decided:
                raise SnapshotMoved(subject)
        inserted = _insert(
            ctx, session, principal, subject, registration=registration, parsed=parsed, plan=found
        )
        return inserted, True

    for attempt in range(DECISION_ATTEMPTS):
        under_lock = attempt == DECISION_ATTEMPTS - 1
        decided: SnapshotKey | None = None
        if not under_lock:
            found, topic = ctx.db.read(snapshot, before_write=True)
            if found.same is not None:
                return found.same, False
            if topic is not None:
                _run_checks(ctx, principal, parsed, topic)
                decided = topic.key
        try:
            registered, new_version = ctx.db.write(
                lambda session: transaction(session, decided, under_lock)  # noqa: B023 - called at once
            )
        except SnapshotMoved:
            continue
        ctx.subject_versions.invalidate(subject)
        ctx.schemas_by_id.put(registered.schema.id, registered.schema)
        return registered, new_version
    raise AssertionError("unreachable: the last attempt decides under the lock")


def _run_checks(
    ctx: RegistryContext, principal: Principal, parsed: ParsedSchema, topic: TopicSnapshot
) -> None:
    proposal = propose(ctx, principal, parsed, topic)
    for check in ctx.registration_checks:
        check(proposal)


def _plan(
    ctx: RegistryContext,
    session: Session,
    principal: Principal,
    subject: str,
    *,
    registration: Registration,
    parsed: ParsedSchema,
) -> _Plan:
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
    if importing:
        # An import skips every check (contracts included): it is the admin's migration tool.
        require_admin(principal, f"import schemas into subject '{subject}' (IMPORT mode)")
    existing = session.exec(
        select(SchemaRow).where(
            SchemaRow.schema_type == parsed.schema_type.value,
            SchemaRow.fingerprint == parsed.fingerprint,
        )
    ).first()
    _check_requested_id(registration, existing, importing)
    same = None
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
    version = same.version if same is not None else _next_version(registration, versions, importing)
    return _Plan(subject_row, versions, owner, importing, existing, same, version)


def _insert(
    ctx: RegistryContext,
    session: Session,
    principal: Principal,
    subject: str,
    *,
    registration: Registration,
    parsed: ParsedSchema,
    plan: _Plan,
) -> SubjectVersion:
    schema = _store_schema(session, parsed, plan.existing, registration.schema_id)
    if plan.subject_row is None:
        session.add(SubjectRow(name=subject, owner=plan.owner))
        session.flush()
    elif plan.subject_row.owner != plan.owner:  # the first write of an unowned new topic claims it
        plan.subject_row.owner = plan.owner
        session.add(plan.subject_row)
    session.add(
        SubjectVersionRow(subject=subject, version=plan.version, schema_id=schema.id, deleted=False)
    )
    session.flush()
    outbox.enqueue(ctx.settings, session, subject, "register")  # Pub/Sub enforcement
    live = queries.live(plan.versions)
    audit.record(
        session,
        principal,
        "import" if plan.importing else "register",
        subject=subject,
        before={"version": live[-1].version, "id": live[-1].schema.id} if live else None,
        after={"version": plan.version, "id": schema.id, "schemaType": schema.schema_type},
    )
    return SubjectVersion(subject=subject, version=plan.version, schema=schema)


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
        if latest >= MAX_INT:
            # An imported version may be 2^31-1; a version past it could be neither stored on
            # PostgreSQL nor addressed on either store, so the subject takes no more versions.
            raise OperationNotPermitted(
                f"Subject '{registration.subject}' has reached version {MAX_INT}, the last a "
                "version can be numbered; register under a new subject."
            )
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
    if requested_id is not None and session.get(SchemaRow, requested_id) is not None:
        raise IdMismatch(f"Schema id {requested_id} is already taken by a different schema.")
    row = SchemaRow(
        id=requested_id if requested_id is not None else _allocate_id(session),
        schema_type=parsed.schema_type.value,
        fingerprint=parsed.fingerprint,
        schema_text=parsed.text,
        imported=requested_id is not None,
    )
    session.add(row)
    session.flush()
    return queries.stored_schema(row)


def _allocate_id(session: Session) -> int:
    """The registry's own ids: the lowest free id above the highest id it allocated itself, so an
    imported id (anywhere up to 2^31-1) never moves the allocator; ids taken by imports are
    skipped. Only when that runs past 2^31-1 does it fall back to the lowest free id at all. The
    same rule on SQLite and PostgreSQL (no sequence: PostgreSQL writers of new schemas take
    turns on a lock held until commit, as SQLite's writers always do)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ID_LOCK_KEY})
    allocated = session.exec(
        select(func.max(SchemaRow.id)).where(col(SchemaRow.imported).is_(False))
    ).one()
    found = _lowest_free_from(session, (allocated or 0) + 1) or _lowest_free_from(session, 1)
    if found is None:
        raise StoreError(f"Every schema id in [1, {MAX_INT}] is taken.")
    return found


def _lowest_free_from(session: Session, start: int) -> int | None:
    """The lowest id >= `start` that no schema has, if it is at most MAX_INT."""
    if start > MAX_INT:
        return None
    if session.get(SchemaRow, start) is None:
        return start
    # `start` is taken: the first id after the run of taken ids that begins there.
    after_run = session.execute(
        text(
            # BIGINT: 2^31-1 + 1 overflows PostgreSQL's integer.
            "SELECT min(CAST(s.id AS BIGINT)) + 1 FROM schemas s WHERE s.id >= :start "
            "AND NOT EXISTS (SELECT 1 FROM schemas t WHERE t.id = CAST(s.id AS BIGINT) + 1)"
        ),
        {"start": start},
    ).scalar_one()
    return int(after_run) if after_run is not None and after_run <= MAX_INT else None
