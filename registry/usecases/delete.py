"""Soft and permanent deletes of a topic or one of its versions (Confluent's two-step rule)."""

from __future__ import annotations

from sqlmodel import Session, col, delete, select

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
from registry.tables import SubjectRow, SubjectVersionRow
from registry.usecases import queries
from registry.usecases.read import LATEST


def _refuse_in_read_only(session: Session, subject: str, subject_row: SubjectRow | None) -> None:
    mode = queries.effective_mode(session, subject_row)
    if mode in queries.READ_ONLY_MODES:
        raise OperationNotPermitted(
            f"Subject '{subject}' is in {mode} mode; deleting is not permitted."
        )


def delete_subject(
    ctx: RegistryContext, principal: Principal, subject: str, *, permanent: bool
) -> list[int]:
    """Soft delete hides every live version; a permanent delete (only after a soft one) removes
    the versions and the topic's own config. Schema texts stay readable by id."""

    def transaction(session: Session) -> list[int]:
        subject_row = session.get(SubjectRow, subject)
        _refuse_in_read_only(session, subject, subject_row)
        rows = session.exec(
            select(SubjectVersionRow)
            .where(SubjectVersionRow.subject == subject)
            .order_by(col(SubjectVersionRow.version))
        ).all()
        if not rows:
            raise SubjectNotFound(subject)
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
            return [r.version for r in live]
        if live:
            raise SubjectNotSoftDeleted(
                f"Subject '{subject}' was not deleted first before being permanently deleted."
            )
        session.execute(delete(SubjectVersionRow).where(col(SubjectVersionRow.subject) == subject))
        if subject_row is not None:
            session.delete(subject_row)
        return [r.version for r in rows]

    deleted = ctx.db.write(transaction)
    ctx.subject_versions.invalidate(subject)
    return deleted


def delete_version(
    ctx: RegistryContext, principal: Principal, subject: str, version: int, *, permanent: bool
) -> int:
    """Soft delete hides one version; a permanent delete (only after a soft one) removes it."""

    def transaction(session: Session) -> int:
        subject_row = session.get(SubjectRow, subject)
        _refuse_in_read_only(session, subject, subject_row)
        rows = session.exec(
            select(SubjectVersionRow)
            .where(SubjectVersionRow.subject == subject)
            .order_by(col(SubjectVersionRow.version))
        ).all()
        if not rows:
            raise SubjectNotFound(subject)
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
            return target.version
        if not target.deleted:
            raise VersionNotSoftDeleted(
                f"Subject '{subject}' Version {target.version} was not deleted first before "
                "being permanently deleted."
            )
        session.delete(target)
        return target.version

    deleted = ctx.db.write(transaction)
    ctx.subject_versions.invalidate(subject)
    return deleted
