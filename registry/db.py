"""Database engine, migrations at start, and the one way to run a use case in a transaction."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from registry.errors import StoreError

T = TypeVar("T")

MIGRATIONS = Path(__file__).with_name("migrations")
# Any constant works; it only has to be the same in every replica migrating the same database.
_MIGRATION_LOCK_KEY = 0x4143434F5244  # "ACCORD"

# PostgreSQL SQLSTATEs that mean "another transaction got there first; run yours again".
_RETRYABLE_SQLSTATES = {"40001", "40P01", "23505"}


def create_db_engine(url: str) -> Engine:
    """An engine for `url`. SQLite gets WAL, a busy timeout and `BEGIN IMMEDIATE` for writes so that
    concurrent writers queue instead of failing on a read-to-write lock upgrade."""
    if url.startswith("sqlite"):
        in_memory = url in {"sqlite://", "sqlite:///:memory:"}
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            # A memory database lives in its connection; a pool of one keeps it.
            poolclass=None if not in_memory else NullPool,
        )
        _configure_sqlite(engine, wal=not in_memory)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN itself (pysqlite's own is deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if wal:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("accord_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def migrate(engine: Engine) -> None:
    """Bring the database to the newest revision. Replicas starting together on one PostgreSQL
    take an advisory lock, so exactly one of them migrates and the others find it done."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
            connection.commit()
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            connection.commit()
        finally:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK_KEY}
                )
                connection.commit()


def is_reachable(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError:
        return False
    return True


class Database:
    """Runs use cases, one transaction each. Writes retry when a concurrent writer won a race."""

    def __init__(self, engine: Engine, *, write_retries: int) -> None:
        self.engine = engine
        self._writer = engine.execution_options(accord_write=True)
        self._write_retries = write_retries

    @contextmanager
    def _session(self, engine: Engine) -> Iterator[Session]:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            yield session

    def read(self, use_case: Callable[[Session], T]) -> T:
        try:
            with self._session(self.engine) as session:
                return use_case(session)
        except OperationalError as exc:
            raise StoreError(f"The database could not answer: {exc.orig}") from exc

    def write(self, use_case: Callable[[Session], T]) -> T:
        """Run `use_case` in one transaction; on a unique-key clash, serialization failure or lock
        timeout, roll back and run it again from the start (its checks see the winner's rows)."""
        for attempt in range(self._write_retries):
            try:
                with self._session(self._writer) as session:
                    return use_case(session)
            except (IntegrityError, OperationalError) as exc:
                if not _retryable(exc) or attempt == self._write_retries - 1:
                    raise StoreError(
                        f"The write could not be completed after {attempt + 1} attempt(s): "
                        f"{exc.orig}"
                    ) from exc
                # Full-jitter backoff so that retrying writers do not collide again in lockstep.
                time.sleep(random.uniform(0, 0.01 * 2**attempt))  # noqa: S311 - not cryptographic
        raise AssertionError("unreachable")  # pragma: no cover


def _retryable(exc: DBAPIError) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate in _RETRYABLE_SQLSTATES:
        return True
    return "database is locked" in str(exc.orig)
