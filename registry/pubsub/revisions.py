"""Pub/Sub revision -> registry version: how a consumer decodes a message only Pub/Sub's attributes identify."""

from __future__ import annotations

from sqlmodel import Session, col, select

from registry.context import RegistryContext
from registry.errors import RevisionNotFound
from registry.pubsub.tables import RevisionRow
from registry.tables import SubjectVersionRow
from registry.usecases import queries
from registry.usecases.model import SubjectVersion


def version_of_revision(
    ctx: RegistryContext, pubsub_schema: str, revision_id: str
) -> SubjectVersion:
    """The topic version that revision `revision_id` of Pub/Sub schema `pubsub_schema` (its full
    name, as the `googclient_schemaname` attribute gives it) holds. Revisions Pub/Sub has pruned,
    and soft-deleted versions, still answer: their messages may still be in flight."""

    def query(session: Session) -> SubjectVersion:
        row = session.exec(
            select(RevisionRow).where(
                col(RevisionRow.schema_name) == pubsub_schema,
                col(RevisionRow.revision_id) == revision_id,
            )
        ).first()
        if row is None:
            raise RevisionNotFound(
                f"Revision '{revision_id}' of Pub/Sub schema '{pubsub_schema}' was not synced "
                "by this registry."
            )
        version = session.exec(
            select(SubjectVersionRow).where(
                col(SubjectVersionRow.subject) == row.topic,
                col(SubjectVersionRow.version) == row.version,
            )
        ).first()
        schema = queries.schema_by_id(ctx, session, version.schema_id) if version else None
        if version is None or schema is None:
            raise RevisionNotFound(
                f"Revision '{revision_id}' of Pub/Sub schema '{pubsub_schema}' held version "
                f"{row.version} of '{row.topic}', which was deleted permanently."
            )
        return SubjectVersion(
            subject=row.topic, version=row.version, schema=schema, deleted=version.deleted
        )

    return ctx.db.read(query)
