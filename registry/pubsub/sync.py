"""Schema sync: make one topic's Pub/Sub schemas, revisions and schema settings say what the registry says."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from contracts import SchemaType
from contracts.pubsub_rules import (
    PubSubEncoding,
    RevisionPolicy,
    TopicPlan,
    TopicVersion,
    plan_topic,
)
from registry.context import RegistryContext
from registry.errors import PubSubFailed
from registry.pubsub.gateway import PubSubGateway, resource_id_problem
from registry.pubsub.outbox import now
from registry.pubsub.tables import RevisionRow, TopicSyncRow
from registry.tables import SubjectRow
from registry.usecases import queries
from registry.usecases.model import SubjectVersion


def schema_id(topic: str, generation: int) -> str:
    """The Pub/Sub schema ID of a topic's generation: always suffixed, so no two topics' schemas
    share an ID (`orders.gen2` is generation 2 of `orders`; `orders.gen2`'s own is
    `orders.gen2.gen1`)."""
    return f"{topic}.gen{generation}"


@dataclass(frozen=True, slots=True)
class TopicSnapshot:
    """What the registry says about one topic, read in one transaction."""

    topic: str
    versions: tuple[SubjectVersion, ...]
    mapping: dict[int, RevisionRow]
    state: TopicSyncRow | None
    policy: RevisionPolicy
    encoding: PubSubEncoding

    @property
    def schema_type(self) -> str | None:
        live = queries.live(self.versions)
        chosen = live or self.versions
        return chosen[-1].schema.schema_type if chosen else None


def read_snapshot(ctx: RegistryContext, topic: str) -> TopicSnapshot:
    def query(session: Session) -> TopicSnapshot:
        return snapshot_in(ctx, session, topic)

    return ctx.db.read(query)


def snapshot_in(ctx: RegistryContext, session: Session, topic: str) -> TopicSnapshot:
    subject = session.get(SubjectRow, topic)
    mapping = {
        row.version: row
        for row in session.exec(select(RevisionRow).where(col(RevisionRow.topic) == topic)).all()
    }
    return TopicSnapshot(
        topic=topic,
        versions=queries.versions_of(ctx, session, topic, fresh=True),
        mapping=mapping,
        state=session.get(TopicSyncRow, topic),
        policy=RevisionPolicy(subject.pubsub_revisions or RevisionPolicy.ALL_LIVE)
        if subject
        else RevisionPolicy.ALL_LIVE,
        encoding=PubSubEncoding(subject.pubsub_encoding or PubSubEncoding.BINARY)
        if subject
        else PubSubEncoding.BINARY,
    )


def plan_of(
    ctx: RegistryContext, snapshot: TopicSnapshot, proposed: TopicVersion | None = None
) -> TopicPlan:
    """The pure rule (contracts.pubsub_rules) applied to the snapshot (and a `proposed` version
    not registered yet). Versions retired before they ever reached Pub/Sub are left out: they
    never become revisions."""
    versions = tuple(
        TopicVersion(v.version, queries.parsed_stored(ctx, v.schema), live=not v.deleted)
        for v in snapshot.versions
        if v.version in snapshot.mapping or not v.deleted
    ) + ((proposed,) if proposed is not None else ())
    state = snapshot.state
    return plan_topic(
        versions,
        placed={n: row.generation for n, row in snapshot.mapping.items()},
        kept=frozenset(n for n, row in snapshot.mapping.items() if not row.pruned),
        policy=snapshot.policy,
        current=state.generation if state else None,
        cutover_to=state.cutover_to if state else None,
    )


def enforceable_problem(snapshot: TopicSnapshot) -> str | None:
    """Why Pub/Sub cannot enforce this topic's schema at all, or None."""
    kind = snapshot.schema_type
    if kind is None:
        return "the topic has no versions"
    if kind != SchemaType.AVRO.value:
        return (
            f"Pub/Sub cannot enforce {kind} schemas (it validates only Avro and Protocol "
            "Buffers): producers are checked by Accord's client only"
        )
    return None


def sync_topic(ctx: RegistryContext, gateway: PubSubGateway, topic: str) -> TopicPlan | None:
    """Commit the topic's new versions as revisions (a new schema per generation), point the
    topic at its accepted range, prune revisions of retired versions, delete revisions committed
    outside Accord. Idempotent: what Pub/Sub already holds is adopted, not committed again, so a
    crash between a commit and its record costs nothing. Raises PubSubFailed."""

    snapshot = read_snapshot(ctx, topic)
    if enforceable_problem(snapshot) is not None:
        _record_success(
            ctx,
            topic,
            generation=None,
            encoding=snapshot.encoding,
            schema_name=None,
            first_id=None,
            last_id=None,
        )
        return None
    problem = resource_id_problem(topic)
    if problem is None:
        problem = resource_id_problem(schema_id(topic, 99))
    if problem is not None:
        raise PubSubFailed(
            f"Topic {topic!r} cannot be a Pub/Sub topic or schema ID: {problem}; nothing was "
            "sent to Pub/Sub (rename the topic to enforce it there)",
            retryable=False,
            status="INVALID_NAME",
        )
    plan = plan_of(ctx, snapshot)
    progress = _Progress(ctx, topic)
    try:
        _apply(gateway, topic, snapshot, plan, progress)
    finally:
        progress.record()  # what Pub/Sub holds now, even when a later step failed
    return plan


class _Progress:
    """What one sync changed in Pub/Sub, recorded in one transaction at its end (a crash before
    that costs nothing: the next run adopts the revisions by their definitions)."""

    def __init__(self, ctx: RegistryContext, topic: str) -> None:
        self.ctx, self.topic = ctx, topic
        self.revisions: list[tuple[int, int, str, str]] = []  # version, generation, schema, id
        self.pruned: list[int] = []
        self.applied: tuple[int | None, PubSubEncoding, str | None, str | None, str | None] | None
        self.applied = None

    def record(self) -> None:
        if not self.revisions and not self.pruned and self.applied is None:
            return

        def transaction(session: Session) -> None:
            for version, placed_in, name, revision_id in self.revisions:
                row = session.get(RevisionRow, (self.topic, version)) or RevisionRow(
                    topic=self.topic,
                    version=version,
                    generation=placed_in,
                    schema_name=name,
                    revision_id=revision_id,
                )
                row.generation, row.schema_name, row.revision_id = placed_in, name, revision_id
                row.pruned = False
                session.add(row)
            for version in self.pruned:
                pruned = session.get(RevisionRow, (self.topic, version))
                if pruned is not None:
                    pruned.pruned = True
                    session.add(pruned)
            if self.applied is not None:
                generation, encoding, schema_name, first_id, last_id = self.applied
                state = session.get(TopicSyncRow, self.topic) or TopicSyncRow(topic=self.topic)
                state.generation = generation if generation is not None else state.generation
                state.schema_name, state.encoding = schema_name, encoding.value
                state.first_revision_id, state.last_revision_id = first_id, last_id
                state.last_sync_at, state.last_error, state.last_error_at = now(), None, None
                session.add(state)

        self.ctx.db.write(transaction)


def _apply(
    gateway: PubSubGateway,
    topic: str,
    snapshot: TopicSnapshot,
    plan: TopicPlan,
    progress: _Progress,
) -> None:
    from google.pubsub_v1 import types

    texts = {v.version: v.schema.text for v in snapshot.versions}
    mapping = {n: row.revision_id for n, row in snapshot.mapping.items()}
    names = {n: row.schema_name for n, row in snapshot.mapping.items()}
    avro = types.Schema.Type.AVRO

    for generation in sorted(set(plan.generations.values())):
        owed = sorted(
            n for n, g in plan.generations.items() if g == generation and n not in mapping
        )
        ours = {
            row.revision_id
            for row in snapshot.mapping.values()
            if row.generation == generation and not row.pruned
        }
        if not owed and generation != plan.active:
            continue
        name = gateway.schema_path(schema_id(topic, generation))
        existing: list[Any] | None = None
        if not ours and owed:
            # A generation Accord never wrote: create it at once (one call, not a look first);
            # if it exists after all (a crash after its creation), read it and adopt.
            try:
                created = gateway.call(
                    f"Creating Pub/Sub schema {name} for version {owed[0]} of {topic}",
                    gateway.schemas.create_schema,
                    parent=gateway.project_path,
                    schema=types.Schema(type_=avro, definition=texts[owed[0]]),
                    schema_id=schema_id(topic, generation),
                )
            except PubSubFailed as failure:
                if failure.status != "ALREADY_EXISTS":
                    raise
            else:
                existing = [created]
                ours.add(created.revision_id)
                mapping[owed[0]], names[owed[0]] = created.revision_id, name
                progress.revisions.append((owed[0], generation, name, created.revision_id))
                owed = owed[1:]
        if existing is None:
            existing = _revisions(gateway, name) or []
        for version in owed:
            text = texts[version]
            adopted = next(
                (
                    r.revision_id
                    for r in reversed(existing)
                    if r.definition == text and r.revision_id not in ours
                ),
                None,
            )
            if adopted is not None:
                revision_id = adopted
            else:
                committed = gateway.call(
                    f"Committing version {version} of {topic} as a revision of {name}",
                    gateway.schemas.commit_schema,
                    name=name,
                    schema=types.Schema(name=name, type_=avro, definition=text),
                )
                revision_id = committed.revision_id
                existing = [committed, *existing]
            ours.add(revision_id)
            mapping[version], names[version] = revision_id, name
            progress.revisions.append((version, generation, name, revision_id))
        # Revisions committed outside Accord would widen what Pub/Sub accepts: delete them
        # (never a schema's last revision, which Pub/Sub refuses to delete).
        for revision_id in [r.revision_id for r in existing if r.revision_id not in ours]:
            if len(existing) <= 1:
                break
            _delete_revision(gateway, name, revision_id, "committed outside Accord")
            existing = [r for r in existing if r.revision_id != revision_id]

    schema_name = first_id = last_id = None
    if plan.active is not None and plan.first is not None and plan.last is not None:
        schema_name = gateway.schema_path(schema_id(topic, plan.active))
        first_id, last_id = mapping[plan.first], mapping[plan.last]
        wanted = types.SchemaSettings(
            schema=schema_name,
            encoding=getattr(types.Encoding, snapshot.encoding.value),
            first_revision_id=first_id,
            last_revision_id=last_id,
        )
        known = snapshot.state is not None and snapshot.state.schema_name is not None
        _point_topic(gateway, topic, wanted, known=known)
    for version in plan.prune:
        _delete_revision(gateway, names[version], mapping[version], f"version {version} retired")
        progress.pruned.append(version)
    progress.applied = (plan.active, snapshot.encoding, schema_name, first_id, last_id)


def _point_topic(gateway: PubSubGateway, topic: str, wanted: Any, *, known: bool) -> None:
    """Create the topic with `wanted` schema settings, or set them if they differ. A topic
    Accord never synced is created at once (it exists already: read it and update)."""
    from google.pubsub_v1 import types

    path = gateway.topic_path(topic)
    if not known:
        try:
            gateway.call(
                f"Creating Pub/Sub topic {path}",
                gateway.publisher.create_topic,
                request=types.Topic(name=path, schema_settings=wanted),
            )
            return
        except PubSubFailed as failure:
            if failure.status != "ALREADY_EXISTS":
                raise
    current = _topic(gateway, path)
    if current is None:
        gateway.call(
            f"Creating Pub/Sub topic {path}",
            gateway.publisher.create_topic,
            request=types.Topic(name=path, schema_settings=wanted),
        )
    elif current.schema_settings != wanted:
        gateway.call(
            f"Setting the schema settings of Pub/Sub topic {path}",
            gateway.publisher.update_topic,
            request=types.UpdateTopicRequest(
                topic=types.Topic(name=path, schema_settings=wanted),
                update_mask={"paths": ["schema_settings"]},
            ),
        )


def _revisions(gateway: PubSubGateway, name: str) -> list[Any] | None:
    """The schema's revisions, newest first (FULL view: definitions), or None if it has none."""
    from google.pubsub_v1 import types

    try:
        return gateway.call(
            f"Listing the revisions of Pub/Sub schema {name}",
            lambda **kw: list(gateway.schemas.list_schema_revisions(**kw)),
            request=types.ListSchemaRevisionsRequest(
                name=name, view=types.SchemaView.FULL, page_size=100
            ),
        )
    except PubSubFailed as failure:
        if failure.status == "NOT_FOUND":
            return None
        raise


def _topic(gateway: PubSubGateway, path: str) -> Any | None:
    try:
        return gateway.call(
            f"Reading Pub/Sub topic {path}", gateway.publisher.get_topic, topic=path
        )
    except PubSubFailed as failure:
        if failure.status == "NOT_FOUND":
            return None
        raise


def _delete_revision(gateway: PubSubGateway, name: str, revision_id: str, why: str) -> None:
    try:
        gateway.call(
            f"Deleting revision {revision_id} of Pub/Sub schema {name} ({why})",
            gateway.schemas.delete_schema_revision,
            name=f"{name}@{revision_id}",
        )
    except PubSubFailed as failure:
        if failure.status != "NOT_FOUND":
            raise


def _record_success(
    ctx: RegistryContext,
    topic: str,
    *,
    generation: int | None,
    encoding: PubSubEncoding,
    schema_name: str | None,
    first_id: str | None,
    last_id: str | None,
) -> None:
    def transaction(session: Session) -> None:
        row = session.get(TopicSyncRow, topic) or TopicSyncRow(topic=topic)
        row.generation = generation if generation is not None else row.generation
        row.schema_name, row.encoding = schema_name, encoding.value
        row.first_revision_id, row.last_revision_id = first_id, last_id
        row.last_sync_at, row.last_error, row.last_error_at = now(), None, None
        session.add(row)

    ctx.db.write(transaction)


def record_failure(ctx: RegistryContext, topic: str, message: str) -> None:
    """A failed sync, for status; the registry's own data is untouched."""

    def transaction(session: Session) -> None:
        row = session.get(TopicSyncRow, topic) or TopicSyncRow(topic=topic)
        row.last_error, row.last_error_at = message, now()
        session.add(row)

    ctx.db.write(transaction)
