"""Storage of the Pub/Sub integration: the outbox, the version ↔ revision mapping, each topic's sync state."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Index, Integer, String, Text
from sqlmodel import Field, SQLModel


def _now() -> datetime:
    return datetime.now(UTC)


class OutboxRow(SQLModel, table=True):
    """Work owed to Pub/Sub for one topic, written in the transaction of the change that causes it.

    One row per (kind, topic): a later change bumps `requested`, so a worker that finishes a sync
    started before that change releases the row instead of deleting it. `claimed_by` and
    `claimed_until` are the lease of the worker syncing it; an expired lease is taken over."""

    __tablename__ = "pubsub_outbox"
    __table_args__ = (Index("ix_pubsub_outbox_available_at", "available_at"),)

    kind: str = Field(sa_column=Column(String(32), primary_key=True))
    topic: str = Field(sa_column=Column(String(500), primary_key=True))
    requested: int = Field(default=1, sa_column=Column(Integer, nullable=False))
    reason: str = Field(sa_column=Column(String(64), nullable=False))
    created_at: datetime = Field(
        default_factory=_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    available_at: datetime = Field(
        default_factory=_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    claimed_by: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    claimed_until: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    claimed_request: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class RevisionRow(SQLModel, table=True):
    """Registry version ↔ Pub/Sub revision: which schema (generation) holds it, under which id."""

    __tablename__ = "pubsub_revisions"

    topic: str = Field(sa_column=Column(String(500), primary_key=True))
    version: int = Field(sa_column=Column(Integer, primary_key=True))
    generation: int = Field(sa_column=Column(Integer, nullable=False))
    schema_name: str = Field(sa_column=Column(String(1000), nullable=False))
    revision_id: str = Field(sa_column=Column(String(128), nullable=False))
    committed_at: datetime = Field(
        default_factory=_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    # Deleted from Pub/Sub (outside the accepted range); kept here so old messages still decode.
    pruned: bool = Field(default=False, nullable=False)


class TopicSyncRow(SQLModel, table=True):
    """One topic's state in Pub/Sub as Accord last applied it, and the owner's cutover."""

    __tablename__ = "pubsub_topics"

    topic: str = Field(sa_column=Column(String(500), primary_key=True))
    generation: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    cutover_to: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    schema_name: str | None = Field(default=None, sa_column=Column(String(1000), nullable=True))
    encoding: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    first_revision_id: str | None = Field(
        default=None, sa_column=Column(String(128), nullable=True)
    )
    last_revision_id: str | None = Field(default=None, sa_column=Column(String(128), nullable=True))
    last_sync_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    last_error_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
