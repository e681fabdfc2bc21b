"""Teams, their hashed tokens, topic owners and the audit log."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("name", sa.String(255), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "team_tokens",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("team", sa.String(255), sa.ForeignKey("teams.name"), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_team_tokens_team", "team_tokens", ["team"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(500), nullable=True),
        sa.Column("target", sa.String(255), nullable=True),
        sa.Column("before", sa.Text(), nullable=True),
        sa.Column("after", sa.Text(), nullable=True),
    )
    op.create_index("ix_audit_log_subject", "audit_log", ["subject"])
    op.create_index("ix_audit_log_actor", "audit_log", ["actor"])
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    # No foreign key to teams: SQLite would have to rebuild `subjects`, which versions reference.
    # The use cases only ever write an existing team's name here.
    op.add_column("subjects", sa.Column("owner", sa.String(255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subjects") as batch:
        batch.drop_column("owner")
    for index, table in (
        ("ix_audit_log_at", "audit_log"),
        ("ix_audit_log_actor", "audit_log"),
        ("ix_audit_log_subject", "audit_log"),
        ("ix_team_tokens_team", "team_tokens"),
    ):
        op.drop_index(index, table_name=table)
    op.drop_table("audit_log")
    op.drop_table("team_tokens")
    op.drop_table("teams")
