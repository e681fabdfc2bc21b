"""Alembic environment: runs on the connection that `registry.db.migrate` hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

connection: Connection | None = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only `registry.db.migrate` runs these migrations
    raise RuntimeError("run migrations through registry.db.migrate(engine)")
context.configure(connection=connection, target_metadata=None, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
