"""Storage models: schemas stored once by content, topics (Confluent subjects), their versions."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlmodel import Field, SQLModel


def _now() -> datetime:
    return datetime.now(UTC)


class SchemaRow(SQLModel, table=True):
    """A schema text, stored once per (schema type, canonical fingerprint); its id is global."""

    __tablename__ = "schemas"
    __table_args__ = (UniqueConstraint("schema_type", "fingerprint", name="uq_schemas_content"),)

    id: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    schema_type: str = Field(sa_column=Column(String(16), nullable=False))
    fingerprint: str = Field(sa_column=Column(String(64), nullable=False))
    # The text as it was first registered: clients parse it back, people read it.
    schema_text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(
        default_factory=_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    # Registered with a caller-chosen id (the admin's IMPORT): such ids never move the allocator.
    imported: bool = Field(
        default=False,
        sa_column=Column(Boolean, nullable=False, server_default=false()),
    )


class SubjectRow(SQLModel, table=True):
    """A topic. Null level/policy/mode inherit the global configuration."""

    __tablename__ = "subjects"

    # 500 characters keep the key inside PostgreSQL's b-tree entry limit even in 4-byte UTF-8.
    name: str = Field(sa_column=Column(String(500), primary_key=True))
    compatibility: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    compatibility_policy: str | None = Field(
        default=None, sa_column=Column(String(16), nullable=True)
    )
    mode: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    created_at: datetime = Field(
        default_factory=_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    # The team that owns the topic: the first to write it, or one an admin assigns.
    # Null while auth is off, or for topics written by an admin and not yet assigned.
    owner: str | None = Field(default=None, sa_column=Column(String(255), nullable=True))
    # Pub/Sub enforcement (registry/pubsub): which versions the topic accepts (ALL_LIVE or
    # LATEST) and its encoding (BINARY or JSON); null = ALL_LIVE, BINARY.
    pubsub_revisions: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    pubsub_encoding: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))
    # The producer versions a consumer contract must read (contracts.consumers.ContractScope):
    # ALL_LIVE or LATEST; null = ALL_LIVE.
    contract_scope: str | None = Field(default=None, sa_column=Column(String(16), nullable=True))


class SubjectVersionRow(SQLModel, table=True):
    """Version n of a topic points at a schema. The unique (subject, version) pair is what keeps
    concurrent writers from allocating the same version twice."""

    __tablename__ = "subject_versions"
    __table_args__ = (
        UniqueConstraint("subject", "version", name="uq_subject_versions_subject_version"),
        Index("ix_subject_versions_schema_id", "schema_id"),
    )

    # SQLite only auto-numbers a column declared exactly INTEGER PRIMARY KEY.
    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    )
    subject: str = Field(sa_column=Column(String(500), ForeignKey("subjects.name"), nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    schema_id: int = Field(sa_column=Column(Integer, ForeignKey("schemas.id"), nullable=False))
    deleted: bool = Field(default=False, nullable=False)
    created_at: datetime = Field(
        default_factory=_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class GlobalConfigRow(SQLModel, table=True):
    """The single row (id 1) of global settings changed through /config and /mode; null = default."""

    __tablename__ = "global_config"

    id: int = Field(default=1, sa_column=Column(Integer, primary_key=True))
    compatibility: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    compatibility_policy: str | None = Field(
        default=None, sa_column=Column(String(16), nullable=True)
    )
    mode: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
