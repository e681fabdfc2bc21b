"""Initial tables: schemas by content, subjects, subject versions, global config."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schemas",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("schema_type", sa.String(16), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("schema_text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("schema_type", "fingerprint", name="uq_schemas_content"),
    )
    op.create_table(
        "subjects",
        sa.Column("name", sa.String(500), primary_key=True),
        sa.Column("compatibility", sa.String(32), nullable=True),
        sa.Column("compatibility_policy", sa.String(16), nullable=True),
        sa.Column("mode", sa.String(32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "subject_versions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("subject", sa.String(500), sa.ForeignKey("subjects.name"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("schema_id", sa.Integer(), sa.ForeignKey("schemas.id"), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("subject", "version", name="uq_subject_versions_subject_version"),
    )
    op.create_index("ix_subject_versions_schema_id", "subject_versions", ["schema_id"])
    op.create_table(
        "global_config",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("compatibility", sa.String(32), nullable=True),
        sa.Column("compatibility_policy", sa.String(16), nullable=True),
        sa.Column("mode", sa.String(32), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("global_config")
    op.drop_index("ix_subject_versions_schema_id", table_name="subject_versions")
    op.drop_table("subject_versions")
    op.drop_table("subjects")
    op.drop_table("schemas")
