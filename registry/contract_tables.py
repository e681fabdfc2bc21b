"""Storage of consumer contracts: one row per contract version, so a contract's history is kept."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def _now() -> datetime:
    return datetime.now(UTC)


class ConsumerContractRow(SQLModel, table=True):
    """Version n of what `consumer` relies on in `subject`'s messages. The current contract is the
    newest row not deleted; deleting a contract marks its rows deleted and keeps them. No foreign
    key to subjects: a team may register its contract before the producer's first version."""

    __tablename__ = "consumer_contracts"
    __table_args__ = (
        UniqueConstraint("subject", "consumer", "version", name="uq_consumer_contracts_version"),
        Index("ix_consumer_contracts_consumer", "consumer"),
    )

    # SQLite only auto-numbers a column declared exactly INTEGER PRIMARY KEY.
    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    )
    subject: str = Field(sa_column=Column(String(500), nullable=False))
    consumer: str = Field(sa_column=Column(String(255), nullable=False))
    version: int = Field(sa_column=Column(Integer, nullable=False))
    schema_type: str = Field(sa_column=Column(String(16), nullable=False))
    schema_text: str = Field(sa_column=Column(Text, nullable=False))
    # The consumer's example messages, as a JSON array.
    examples: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    deleted: bool = Field(default=False, nullable=False)
    created_at: datetime = Field(
        default_factory=_now, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
