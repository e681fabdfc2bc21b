"""Pub/Sub enforcement: the outbox, the version ↔ revision mapping, topic sync state and settings."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pubsub_outbox",
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("topic", sa.String(500), primary_key=True),
        sa.Column("requested", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("available_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_request", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index("ix_pubsub_outbox_available_at", "pubsub_outbox", ["available_at"])
    op.create_table(
        "pubsub_revisions",
        sa.Column("topic", sa.String(500), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("schema_name", sa.String(1000), nullable=False),
        sa.Column("revision_id", sa.String(128), nullable=False),
        sa.Column("committed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pruned", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "pubsub_topics",
        sa.Column("topic", sa.String(500), primary_key=True),
        sa.Column("generation", sa.Integer(), nullable=True),
        sa.Column("cutover_to", sa.Integer(), nullable=True),
        sa.Column("schema_name", sa.String(1000), nullable=True),
        sa.Column("encoding", sa.String(16), nullable=True),
        sa.Column("first_revision_id", sa.String(128), nullable=True),
        sa.Column("last_revision_id", sa.String(128), nullable=True),
        sa.Column("last_sync_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.add_column("subjects", sa.Column("pubsub_revisions", sa.String(16), nullable=True))
    op.add_column("subjects", sa.Column("pubsub_encoding", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subjects") as batch:
        batch.drop_column("pubsub_encoding")
        batch.drop_column("pubsub_revisions")
    op.drop_table("pubsub_topics")
    op.drop_table("pubsub_revisions")
    op.drop_index("ix_pubsub_outbox_available_at", table_name="pubsub_outbox")
    op.drop_table("pubsub_outbox")
