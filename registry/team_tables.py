"""Storage of teams, their tokens (hashed) and the audit log of every write."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlmodel import Field, SQLModel


def _now() -> datetime:
    return datetime.now(UTC)


class TeamRow(SQLModel, table=True):
    """A team: owns topics, holds consumer contracts under its name, authenticates with tokens."""

    __tablename__ = "teams"
    # Unique without regard to case (migration 0004): `CRM` cannot join `crm`.
    __table_args__ = (Index("ux_teams_name_lower", func.lower(text("name")), unique=True),)

    name: str = Field(sa_column=Column(String(255), primary_key=True))
    created_at: datetime = Field(
        default_factory=_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class TeamTokenRow(SQLModel, table=True):
    """A token of a team. Only the SHA-256 of its secret part is kept; the id is public (it names
    the token in listings and in the token text itself). Revoked tokens stay for the record."""

    __tablename__ = "team_tokens"
    __table_args__ = (Index("ix_team_tokens_team", "team"),)

    id: str = Field(sa_column=Column(String(32), primary_key=True))
    team: str = Field(sa_column=Column(String(255), ForeignKey("teams.name"), nullable=False))
    secret_sha256: str = Field(sa_column=Column(String(64), nullable=False))
    created_at: datetime = Field(
        default_factory=_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    revoked_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class AuditEntryRow(SQLModel, table=True):
    """One write: who (`actor`, a team name, `admin` or `anonymous`), what (`action` on `subject`
    and/or `target`), when, and JSON summaries of before and after. Written in the write's own
    transaction, so an entry exists exactly when the write does."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_subject", "subject"),
        Index("ix_audit_log_actor", "actor"),
        Index("ix_audit_log_at", "at"),
    )

    # SQLite only auto-numbers a column declared exactly INTEGER PRIMARY KEY.
    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    )
    at: datetime = Field(
        default_factory=_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    actor: str = Field(sa_column=Column(String(255), nullable=False))
    action: str = Field(sa_column=Column(String(64), nullable=False))
    subject: str | None = Field(default=None, sa_column=Column(String(500), nullable=True))
    # What else the write was about: a consumer, a team, a token id. Never a secret.
    target: str | None = Field(default=None, sa_column=Column(String(255), nullable=True))
    before: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    after: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
