"""Consumer contracts, one row per contract version."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consumer_contracts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("subject", sa.String(500), nullable=False),
        sa.Column("consumer", sa.String(255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("schema_type", sa.String(16), nullable=False),
        sa.Column("schema_text", sa.Text(), nullable=False),
        sa.Column("examples", sa.Text(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("subject", "consumer", "version", name="uq_consumer_contracts_version"),
    )
    op.create_index("ix_consumer_contracts_consumer", "consumer_contracts", ["consumer"])


def downgrade() -> None:
    op.drop_index("ix_consumer_contracts_consumer", table_name="consumer_contracts")
    op.drop_table("consumer_contracts")
