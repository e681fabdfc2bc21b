"""Soft and permanent deletes of a topic or one of its versions (Confluent's two-step rule)."""

from __future__ import annotations

from sqlmodel import Session, col, delete, select

from registry.auth import topic_owner_after_write
from registry.context import RegistryContext
from registry.errors import (
    OperationNotPermitted,
    SubjectNotFound,
    SubjectNotSoftDeleted,
    SubjectSoftDeleted,
    VersionNotFound,
    VersionNotSoftDeleted,
    VersionSoftDeleted,
)
from registry.principal import Principal
from registry.pubsub import outbox
from registry.tables import SubjectRow, SubjectVersionRow
from registry.usecases import audit, queries
from registry.usecases.read import LATEST


def _require_owner(
    principal: Principal, subject: str, subject_row: SubjectRow | None, has_versions: bool
) -> None:
    topic_owner_after_write(
        principal,
        subject,
        subject_row.owner if subject_row else None,
        has_versions=has_versions,
        action="delete",
    )


def _refuse_in_read_only(session: Session, subject: str, subject_row: SubjectRow | None) -> None:
    mode = queries.effective_mode(session, subject_row)
    if mode.read_only:
        raise OperationNotPermitted(
            f"Subject '{subject}' is in {mode} mode; deleting is not permitted."
        )


def _deletable(
    session: Session, principal: Principal, subject: str
) -> tuple[SubjectRow | None, list[SubjectVersionRow]]:
    """The topic and all its versions (oldest first), once the caller may delete from it:
    owner (403), mode (42205) and existence (40401) checked, in that order."""
    subject_row = session.get(SubjectRow, subject)
    rows = list(
        session.exec(
            select(SubjectVersionRow)
            .where(SubjectVersionRow.subject == subject)
            .order_by(col(SubjectVersionRow.version))
        ).all()
    )
    _require_owner(principal, subject, subject_row, bool(rows))
    _refuse_in_read_only(session, subject, subject_row)
    if not rows:
        raise SubjectNotFound(subject)
    return subject_row, rows


def delete_subject(
    ctx: RegistryContext, principal: Principal, subject: str, *, permanent: bool
) -> list[int]:
    """Soft delete hides every live version; a permanent delete (only after a soft one) removes
    the versions and the topic's own config. Schema texts stay readable by id."""

    def transaction(session: Session) -> list[int]:
        subject_row, rows = _deletable(session, principal, subject)
        live = [r for r in rows if not r.deleted]
        if not permanent:
            if not live:
                raise SubjectSoftDeleted(
                    f"Subject '{subject}' was soft deleted. Set permanent=true to delete "
                    "permanently."
                )
            for row in live:
                row.deleted = True
                session.add(row)
            deleted = [r.version for r in live]
            outbox.enqueue(ctx.settings, session, subject, "delete")
            audit.record(
                session,
                principal,
                "delete_subject",
                subject=subject,
                before={"live": deleted},
                after={"live": [], "permanent": False},
            )
            return deleted
        if live:
            raise SubjectNotSoftDeleted(
                f"Subject '{subject}' was not deleted first before being permanently deleted."
            )
        session.execute(delete(SubjectVersionRow).where(col(SubjectVersionRow.subject) == subject))
        if subject_row is not None:
            session.delete(subject_row)
        removed = [r.version for r in rows]
        audit.record(
            session,
            principal,
            "delete_subject",
            subject=subject,
            before={"soft_deleted": removed, "owner": subject_row.owner if subject_row else None},
            after={"versions": [], "permanent": True},
        )
        return removed

    deleted = ctx.db.write(transaction)
    ctx.subject_versions.invalidate(subject)
    return deleted


def delete_version(
    ctx: RegistryContext, principal: Principal, subject: str, version: int, *, permanent: bool
) -> int:
    """Soft delete hides one version; a permanent delete (only after a soft one) removes it."""

    def transaction(session: Session) -> int:
        _, rows = _deletable(session, principal, subject)
        if version == LATEST:
            candidates = rows if permanent else [r for r in rows if not r.deleted]
            target = candidates[-1] if candidates else None
        else:
            target = next((r for r in rows if r.version == version), None)
        if target is None:
            raise VersionNotFound("latest" if version == LATEST else version, subject)
        if not permanent:
            if target.deleted:
                raise VersionSoftDeleted(
                    f"Subject '{subject}' Version {target.version} was soft deleted. Set "
                    "permanent=true to delete permanently."
                )
            target.deleted = True
            session.add(target)
            outbox.enqueue(ctx.settings, session, subject, "delete")
            _record_version_delete(session, principal, subject, target, permanent=False)
            return target.version
        if not target.deleted:
            raise VersionNotSoftDeleted(
                f"Subject '{subject}' Version {target.version} was not deleted first before "
                "being permanently deleted."
            )
        session.delete(target)
        _record_version_delete(session, principal, subject, target, permanent=True)
        return target.version

    deleted = ctx.db.write(transaction)
    ctx.subject_versions.invalidate(subject)
    return deleted


def _record_version_delete(
    session: Session,
    principal: Principal,
    subject: str,
    target: SubjectVersionRow,
    *,
    permanent: bool,
) -> None:
    audit.record(
        session,
        principal,
        "delete_version",
        subject=subject,
        # A permanent delete follows a soft one: before it, the version was already hidden.
        before={"version": target.version, "id": target.schema_id, "deleted": permanent},
        after={"version": target.version, "deleted": True, "permanent": permanent},
    )
