"""Team names are unique without regard to case: `CRM` cannot join `crm`."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    connection = op.get_bind()
    clashes = connection.execute(
        sa.text(
            "SELECT lower(name) FROM teams GROUP BY lower(name) HAVING count(*) > 1 "
            "ORDER BY lower(name)"
        )
    ).scalars()
    clashing = list(clashes)
    if clashing:
        # Which of two such teams should keep its tokens, topics and contracts is a human's call.
        raise RuntimeError(
            "Team names must be unique without regard to case, and these differ only in case: "
            f"{', '.join(clashing)}. Rename or remove one team of each before upgrading."
        )
    # Team names are ASCII (registry.names), so lower() agrees on SQLite and PostgreSQL.
    op.create_index("ux_teams_name_lower", "teams", [sa.text("lower(name)")], unique=True)


def downgrade() -> None:
    op.drop_index("ux_teams_name_lower", table_name="teams")
