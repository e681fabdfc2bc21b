"""The audit log: every write records who, what, when, before and after, in its own transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from registry import names
from registry.context import RegistryContext
from registry.principal import Principal
from registry.team_tables import AuditEntryRow

MAX_ENTRIES = 1000


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    subject: str | None
    target: str | None
    before: object
    after: object


def record(
    session: Session,
    principal: Principal,
    action: str,
    *,
    subject: str | None = None,
    target: str | None = None,
    before: object = None,
    after: object = None,
) -> None:
    """Add an entry to the caller's transaction: it commits with the write or not at all.
    `before`/`after` are small JSON summaries (versions, ids, levels), never schema texts or
    secrets."""
    session.add(
        AuditEntryRow(
            actor=principal.name,
            action=action,
            subject=subject,
            target=target,
            before=None if before is None else json.dumps(before, sort_keys=True),
            after=None if after is None else json.dumps(after, sort_keys=True),
        )
    )


def _utc(moment: datetime) -> datetime:
    # SQLite hands timestamps back without their zone; they were written in UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _entry(row: AuditEntryRow) -> AuditEntry:
    assert row.id is not None
    return AuditEntry(
        id=row.id,
        at=_utc(row.at),
        actor=row.actor,
        action=row.action,
        subject=row.subject,
        target=row.target,
        before=None if row.before is None else json.loads(row.before),
        after=None if row.after is None else json.loads(row.after),
    )


def list_entries(
    ctx: RegistryContext,
    *,
    subject: str | None = None,
    team: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """The newest `limit` entries (newest first) about `subject`, done by `team`, at or after
    `since` (a naive `since` is taken as UTC)."""
    # The filters obey the rules of the names they filter by (registry.names): a NUL would
    # otherwise reach PostgreSQL, which cannot compare it.
    if subject is not None:
        subject = names.subject(subject)
    if team is not None:
        team = names.team(team)
    statement = select(AuditEntryRow)
    if subject is not None:
        statement = statement.where(AuditEntryRow.subject == subject)
    if team is not None:
        statement = statement.where(AuditEntryRow.actor == team)
    if since is not None:
        # Stored in UTC; compare in UTC (SQLite compares the text of the timestamps).
        statement = statement.where(col(AuditEntryRow.at) >= _utc(since))
    statement = statement.order_by(col(AuditEntryRow.id).desc()).limit(
        max(1, min(limit, MAX_ENTRIES))
    )

    def query(session: Session) -> list[AuditEntry]:
        return [_entry(row) for row in session.exec(statement).all()]

    return ctx.db.read(query)
