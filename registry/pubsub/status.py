"""Pub/Sub status per topic: schema, revisions, range, encoding, last sync, pending work, errors and drift."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from contracts.pubsub_rules import PubSubEncoding, RevisionPolicy
from registry.context import RegistryContext
from registry.errors import PubSubFailed
from registry.pubsub.gateway import PubSubGateway
from registry.pubsub.outbox import SCHEMA_SYNC, aware
from registry.pubsub.sync import TopicSnapshot, enforceable_problem, plan_of, schema_id
from registry.pubsub.tables import OutboxRow, RevisionRow, TopicSyncRow
from registry.tables import SchemaRow, SubjectRow, SubjectVersionRow
from registry.usecases import queries
from registry.usecases.model import StoredSchema, SubjectVersion


@dataclass(frozen=True, slots=True)
class RevisionView:
    version: int
    generation: int
    schema: str
    revision_id: str
    pruned: bool


@dataclass(frozen=True, slots=True)
class PendingWork:
    reason: str
    attempts: int
    next_attempt: datetime | None
    error: str | None


@dataclass(frozen=True, slots=True)
class TopicStatus:
    topic: str
    schema_type: str | None
    enforceable: bool
    note: str | None  # why Pub/Sub cannot enforce the topic
    policy: RevisionPolicy
    encoding: PubSubEncoding
    schema: str | None  # the Pub/Sub schema the topic points at
    generation: int | None
    accepted: tuple[int, ...]
    first_version: int | None
    last_version: int | None
    first_revision_id: str | None
    last_revision_id: str | None
    revisions: tuple[RevisionView, ...]
    last_sync: datetime | None
    pending: PendingWork | None
    pending_cutover: tuple[int, ...]
    refused: tuple[int, ...]
    forecast: tuple[str, ...]
    error: str | None
    drift: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PubSubStatus:
    enabled: bool
    project: str | None
    topics: tuple[TopicStatus, ...] = ()
    # Pub/Sub could not be read, so drift is unknown (the rest comes from the registry).
    pubsub_error: str | None = None
    drift_checked: bool = False
    calls: dict[str, int] = field(default_factory=dict)


def _snapshots(ctx: RegistryContext, session: Session, topics: list[str] | None) -> list[Any]:
    """Everything status needs, in five queries whatever the number of topics."""
    versions: dict[str, list[SubjectVersion]] = defaultdict(list)
    # Columns, not ORM entities: building thousands of entities costs more than the query.
    statement = (
        sa_select(
            col(SubjectVersionRow.subject),
            col(SubjectVersionRow.version),
            col(SubjectVersionRow.deleted),
            col(SchemaRow.id),
            col(SchemaRow.schema_type),
            col(SchemaRow.schema_text),
            col(SchemaRow.fingerprint),
        )
        .join(SchemaRow, col(SchemaRow.id) == col(SubjectVersionRow.schema_id))
        .order_by(col(SubjectVersionRow.subject), col(SubjectVersionRow.version))
    )
    if topics is not None:
        statement = statement.where(col(SubjectVersionRow.subject).in_(topics))
    for subject, version, deleted, stored_id, schema_type, text, fingerprint in session.execute(
        statement
    ).all():
        versions[subject].append(
            SubjectVersion(
                subject=subject,
                version=version,
                schema=StoredSchema(
                    id=stored_id, schema_type=schema_type, text=text, fingerprint=fingerprint
                ),
                deleted=deleted,
            )
        )
    subjects = {
        name: (revisions, encoding)
        for name, revisions, encoding in session.exec(
            select(SubjectRow.name, SubjectRow.pubsub_revisions, SubjectRow.pubsub_encoding)
        ).all()
    }
    mapping: dict[str, dict[int, RevisionRow]] = defaultdict(dict)
    for row in session.exec(select(RevisionRow)).all():
        mapping[row.topic][row.version] = row
    states = {row.topic: row for row in session.exec(select(TopicSyncRow)).all()}
    work = {
        row.topic: row
        for row in session.exec(select(OutboxRow).where(col(OutboxRow.kind) == SCHEMA_SYNC)).all()
    }
    found = []
    for topic in sorted(versions):
        policy, encoding = subjects.get(topic, (None, None))
        snapshot = TopicSnapshot(
            topic=topic,
            versions=tuple(versions[topic]),
            mapping=mapping.get(topic, {}),
            state=states.get(topic),
            policy=RevisionPolicy(policy or RevisionPolicy.ALL_LIVE),
            encoding=PubSubEncoding(encoding or PubSubEncoding.BINARY),
        )
        found.append((snapshot, work.get(topic)))
    return found


def _topic_status(
    ctx: RegistryContext, snapshot: TopicSnapshot, work: OutboxRow | None
) -> TopicStatus:
    problem = enforceable_problem(snapshot)
    state = snapshot.state
    pending = (
        PendingWork(work.reason, work.attempts, aware(work.available_at), work.last_error)
        if work is not None
        else None
    )
    revisions = tuple(
        RevisionView(n, row.generation, row.schema_name, row.revision_id, row.pruned)
        for n, row in sorted(snapshot.mapping.items())
    )
    common: dict[str, Any] = {
        "topic": snapshot.topic,
        "schema_type": snapshot.schema_type,
        "policy": snapshot.policy,
        "encoding": snapshot.encoding,
        "revisions": revisions,
        "last_sync": aware(state.last_sync_at) if state else None,
        "pending": pending,
        "error": state.last_error if state else None,
    }
    if problem is not None:
        return TopicStatus(
            enforceable=False,
            note=problem,
            schema=None,
            generation=None,
            accepted=(),
            first_version=None,
            last_version=None,
            first_revision_id=None,
            last_revision_id=None,
            pending_cutover=(),
            refused=(),
            forecast=(),
            **common,
        )
    plan = plan_of(ctx, snapshot)
    return TopicStatus(
        enforceable=True,
        note=None,
        schema=state.schema_name if state else None,
        generation=state.generation if state else None,
        accepted=plan.accepted,
        first_version=plan.first,
        last_version=plan.last,
        first_revision_id=state.first_revision_id if state else None,
        last_revision_id=state.last_revision_id if state else None,
        pending_cutover=plan.pending,
        refused=plan.refused,
        forecast=tuple(plan.sentences(snapshot.topic)),
        **common,
    )


def pubsub_status(ctx: RegistryContext, topics: list[str] | None = None) -> PubSubStatus:
    """The registry's view of every topic (or `topics`), with drift when Pub/Sub can be read:
    two paged list calls for the whole project (topics, schemas), not calls per topic."""
    settings = ctx.settings
    if not settings.pubsub_enabled:
        return PubSubStatus(enabled=False, project=None)
    if topics is not None:
        topics = [queries.validate_subject(ctx, t) for t in topics]

    def query(session: Session) -> list[Any]:
        return _snapshots(ctx, session, topics)

    found = [_topic_status(ctx, snapshot, work) for snapshot, work in ctx.db.read(query)]
    runtime = ctx.pubsub
    if runtime is None:
        return PubSubStatus(True, settings.pubsub_project, tuple(found))
    try:
        remote = _remote(runtime.gateway)
    except PubSubFailed as failure:
        return PubSubStatus(True, settings.pubsub_project, tuple(found), failure.message)
    with_drift = tuple(
        _with_drift(status, remote, runtime.gateway) if status.enforceable else status
        for status in found
    )
    return PubSubStatus(True, settings.pubsub_project, with_drift, None, drift_checked=True)


@dataclass(frozen=True, slots=True)
class _Remote:
    topics: dict[str, Any]  # topic path -> Topic
    newest_revision: dict[str, str]  # schema name -> its newest revision id


def _remote(gateway: PubSubGateway) -> _Remote:
    from google.pubsub_v1 import types

    listed_topics = gateway.call(
        f"Listing the Pub/Sub topics of project {gateway.project}",
        lambda **kw: list(gateway.publisher.list_topics(**kw)),
        request=types.ListTopicsRequest(project=gateway.project_path, page_size=1000),
    )
    listed_schemas = gateway.call(
        f"Listing the Pub/Sub schemas of project {gateway.project}",
        lambda **kw: list(gateway.schemas.list_schemas(**kw)),
        request=types.ListSchemasRequest(
            parent=gateway.project_path, view=types.SchemaView.BASIC, page_size=1000
        ),
    )
    return _Remote(
        topics={t.name: t for t in listed_topics},
        newest_revision={s.name: s.revision_id for s in listed_schemas},
    )


def _with_drift(status: TopicStatus, remote: _Remote, gateway: PubSubGateway) -> TopicStatus:
    from dataclasses import replace

    if status.schema is None:  # never synced: nothing to drift from
        return status
    drift: list[str] = []
    topic = remote.topics.get(gateway.topic_path(status.topic))
    if topic is None:
        drift.append("the Pub/Sub topic no longer exists")
    else:
        settings = topic.schema_settings
        actual = (
            settings.schema,
            settings.encoding.name,
            settings.first_revision_id,
            settings.last_revision_id,
        )
        wanted = (
            status.schema,
            status.encoding.value,
            status.first_revision_id,
            status.last_revision_id,
        )
        if actual != wanted:
            labels = ("schema", "encoding", "first revision", "last revision")
            changed = [
                f"{label} {got or 'none'} (Accord set {want or 'none'})"
                for label, got, want in zip(labels, actual, wanted, strict=True)
                if got != want
            ]
            drift.append("schema settings changed outside Accord: " + "; ".join(changed))
    for generation in sorted({r.generation for r in status.revisions if not r.pruned}):
        name = gateway.schema_path(schema_id(status.topic, generation))
        ours = [r for r in status.revisions if r.generation == generation and not r.pruned]
        newest = remote.newest_revision.get(name)
        if newest is None:
            drift.append(f"Pub/Sub schema {name} no longer exists")
        elif ours:
            our_newest = max(ours, key=lambda r: r.version)
            if newest == our_newest.revision_id:
                continue
            if newest in {r.revision_id for r in ours}:
                drift.append(
                    f"revision {our_newest.revision_id} of {name} (version {our_newest.version}) "
                    "was deleted outside Accord"
                )
            else:
                drift.append(f"revision {newest} of {name} was committed outside Accord")
    return replace(status, drift=tuple(drift))
