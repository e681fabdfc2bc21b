"""The Pub/Sub outbox: work written with the change that causes it, claimed through the database, retried with backoff."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import exists, func, or_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from registry.db import Database
from registry.pubsub.tables import OutboxRow, TopicSyncRow
from registry.settings import Settings
from registry.tables import SubjectRow, SubjectVersionRow

# What the worker owes Pub/Sub for a topic: its schema and schema settings. Other kinds (the
# topology) register handlers of their own under other names.
SCHEMA_SYNC = "schema"


def now() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands times back without their zone; they were written in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def enqueue(
    settings: Settings, session: Session, topic: str, reason: str, kind: str = SCHEMA_SYNC
) -> None:
    """Owe Pub/Sub a sync of `topic`, inside the caller's transaction (so the work commits or
    rolls back with the change). A row already waiting is bumped, not duplicated. Nothing is
    written while Pub/Sub enforcement is off; turning it on syncs every topic (`backfill`)."""
    if not settings.pubsub_enabled:
        return
    moment = now()
    table = OutboxRow.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(table).values(
        kind=kind,
        topic=topic,
        requested=1,
        reason=reason,
        created_at=moment,
        available_at=moment,
        attempts=0,
    )
    statement = statement.on_conflict_do_update(
        index_elements=["kind", "topic"],
        set_={"requested": table.c.requested + 1, "reason": reason, "available_at": moment},
    )
    session.execute(statement)


def backfill(settings: Settings, db: Database) -> int:
    """Owe a sync to every topic with versions that was never synced (the first start with
    Pub/Sub on, or topics registered while it was off); returns how many were added."""
    if not settings.pubsub_enabled:
        return 0

    def transaction(session: Session) -> int:
        never_synced = session.exec(
            select(SubjectRow.name)
            .where(exists().where(col(SubjectVersionRow.subject) == col(SubjectRow.name)))
            .where(~exists().where(col(TopicSyncRow.topic) == col(SubjectRow.name)))
            .where(
                ~exists().where(
                    col(OutboxRow.topic) == col(SubjectRow.name), col(OutboxRow.kind) == SCHEMA_SYNC
                )
            )
        ).all()
        for topic in never_synced:
            enqueue(settings, session, topic, "backfill")
        return len(never_synced)

    return db.write(transaction)


@dataclass(frozen=True, slots=True)
class Claim:
    """A row a worker holds until its lease ends: the sync of `topic` as of change `requested`."""

    kind: str
    topic: str
    requested: int
    attempts: int
    worker: str


def claim(
    db: Database,
    worker: str,
    *,
    lease_seconds: float,
    limit: int,
    kinds: Iterable[str],
    topics: Iterable[str] | None = None,
) -> list[Claim]:
    """Take up to `limit` rows that are due and unclaimed (or whose lease ran out). PostgreSQL
    skips rows another replica is claiming at this moment (FOR UPDATE SKIP LOCKED); SQLite runs
    one writer at a time (BEGIN IMMEDIATE). Either way a row has one holder at a time."""
    chosen_kinds = list(kinds)
    chosen_topics = None if topics is None else list(topics)

    def transaction(session: Session) -> list[Claim]:
        moment = now()
        statement = (
            select(OutboxRow)
            .where(col(OutboxRow.kind).in_(chosen_kinds))
            .where(col(OutboxRow.available_at) <= moment)
            .where(
                or_(col(OutboxRow.claimed_until).is_(None), col(OutboxRow.claimed_until) < moment)
            )
            .order_by(col(OutboxRow.available_at), col(OutboxRow.topic))
            .limit(limit)
        )
        if chosen_topics is not None:
            statement = statement.where(col(OutboxRow.topic).in_(chosen_topics))
        if session.get_bind().dialect.name == "postgresql":
            statement = statement.with_for_update(skip_locked=True)
        claims = []
        for row in session.exec(statement).all():
            row.claimed_by = worker
            row.claimed_until = moment + timedelta(seconds=lease_seconds)
            row.claimed_request = row.requested
            row.attempts += 1
            session.add(row)
            claims.append(Claim(row.kind, row.topic, row.requested, row.attempts, worker))
        return claims

    return db.write(transaction)


def _held(session: Session, held: Claim) -> OutboxRow | None:
    row = session.get(OutboxRow, (held.kind, held.topic))
    if row is None or row.claimed_by != held.worker:
        return None  # the lease ran out and another worker took the row over
    return row


def finish(db: Database, held: Claim) -> None:
    """The sync succeeded: the row is done, unless a change arrived meanwhile (then it is due
    again at once, its failures forgotten)."""

    def transaction(session: Session) -> None:
        row = _held(session, held)
        if row is None:
            return
        if row.requested == held.requested:
            session.delete(row)
            return
        row.claimed_by = row.claimed_until = row.claimed_request = None
        row.attempts, row.last_error, row.available_at = 0, None, now()
        session.add(row)

    db.write(transaction)


def release(db: Database, held: Iterable[Claim]) -> None:
    """Give rows back untried: due again at once, for any worker."""
    rows = list(held)

    def transaction(session: Session) -> None:
        for claimed in rows:
            row = _held(session, claimed)
            if row is not None:
                row.claimed_by = row.claimed_until = row.claimed_request = None
                row.attempts = max(0, row.attempts - 1)
                session.add(row)

    db.write(transaction)


def fail(db: Database, held: Claim, error: str, *, max_backoff_seconds: float) -> datetime | None:
    """The sync failed: release the row, due again after an exponential, jittered backoff
    (1 s, 2 s, 4 s … up to the setting). Returns when it is due."""

    def transaction(session: Session) -> datetime | None:
        row = _held(session, held)
        if row is None:
            return None
        ceiling = min(max_backoff_seconds, 2.0 ** max(0, row.attempts - 1))
        delay = ceiling * (0.5 + random.random() / 2)  # noqa: S311 - jitter, not a secret
        row.claimed_by = row.claimed_until = row.claimed_request = None
        row.available_at = now() + timedelta(seconds=delay)
        row.last_error = error
        session.add(row)
        return row.available_at

    return db.write(transaction)


def make_due(db: Database, kinds: Iterable[str]) -> None:
    """Every row waiting out a backoff is due now (a one-shot sync asks for an attempt at once);
    rows a worker holds are left to it."""
    chosen = list(kinds)

    def transaction(session: Session) -> None:
        moment = now()
        rows = session.exec(
            select(OutboxRow)
            .where(col(OutboxRow.kind).in_(chosen))
            .where(col(OutboxRow.available_at) > moment)
            .where(col(OutboxRow.claimed_by).is_(None))
        ).all()
        for row in rows:
            row.available_at = moment
            session.add(row)

    db.write(transaction)


def depth(db: Database) -> dict[str, int]:
    """Rows still owed, by kind (the metric accord_outbox_depth)."""

    def query(session: Session) -> dict[str, int]:
        counted = session.exec(
            select(OutboxRow.kind, func.count()).group_by(col(OutboxRow.kind))
        ).all()
        return {kind: int(rows) for kind, rows in counted}

    return db.read(query)


def waiting(db: Database, kinds: Iterable[str]) -> list[tuple[str, str | None]]:
    """(topic, last error) of every row still owed."""
    chosen = list(kinds)

    def query(session: Session) -> list[tuple[str, str | None]]:
        rows = session.exec(
            select(OutboxRow).where(col(OutboxRow.kind).in_(chosen)).order_by(col(OutboxRow.topic))
        ).all()
        return [(row.topic, row.last_error) for row in rows]

    return db.read(query)
