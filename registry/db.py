"""Database engine, migrations at start, and the one way to run a use case in a transaction."""

from __future__ import annotations

import enum
import logging
import os
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.pool import NullPool
from sqlmodel import Session

from registry.errors import ServiceUnavailable, StoreError

if TYPE_CHECKING:
    from registry.metrics import RegistryMetrics

T = TypeVar("T")

MIGRATIONS = Path(__file__).with_name("migrations")
# Any constant works; it only has to be the same in every replica migrating the same database.
_MIGRATION_LOCK_KEY = 0x4143434F5244  # "ACCORD"

log = logging.getLogger("accord.registry")

# PostgreSQL SQLSTATEs that mean "another transaction got there first; run yours again".
_RETRYABLE_SQLSTATES = {"40001", "40P01", "23505"}
# PostgreSQL SQLSTATEs (besides class 08, connection exception) that mean the server ended or
# refused the session: administrator or crash shutdown, starting up.
_GONE_SQLSTATES = {"57P01", "57P02", "57P03"}
# SQLite primary result codes that mean the storage refuses to keep a write: read-only, I/O
# error, full, cannot open. Retrying at once will not help; the operator has to act.
_SQLITE_REFUSALS = {8, 10, 13, 14}
# Attempts for a transaction whose connection failed or was lost before its COMMIT was sent.
_RECONNECT_ATTEMPTS = 3
# Seconds; a new connection after a lost one takes a round trip or a failover, not a lock's wait.
_RECONNECT_BACKOFF = 0.05


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


class _Failure(enum.Enum):
    """What a database error means for the transaction that met it."""

    RACE = "a concurrent writer won; run again"
    LOST = "the connection failed or was lost; nothing was committed"
    REFUSED = "the storage refuses the write (read-only, full, I/O error)"
    OTHER = "anything else: a defect or a state no retry fixes"


def _failure(exc: DBAPIError) -> _Failure:
    orig = exc.orig
    if isinstance(exc, IntegrityError):
        return _Failure.RACE
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in _RETRYABLE_SQLSTATES or "database is locked" in str(orig):
        return _Failure.RACE
    if exc.connection_invalidated or isinstance(exc, InterfaceError):
        return _Failure.LOST
    if sqlstate is not None and (sqlstate.startswith("08") or sqlstate in _GONE_SQLSTATES):
        return _Failure.LOST
    if isinstance(exc, OperationalError) and hasattr(orig, "sqlstate") and sqlstate is None:
        # psycopg raises OperationalError without a SQLSTATE only client-side: connecting failed
        # or the socket broke, so the server never got to answer.
        return _Failure.LOST
    if (getattr(orig, "sqlite_errorcode", 0) & 0xFF) in _SQLITE_REFUSALS:
        return _Failure.REFUSED
    return _Failure.OTHER


class _SqliteFile:
    """The identity (device, inode) of the SQLite file a running registry opened. SQLite keeps
    writing to a file removed or replaced under it, and those writes vanish at restart; comparing
    the path's identity with the opened one notices that before a write is acknowledged."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._identity: tuple[int, int] | None = None
        self.check()

    @classmethod
    def of(cls, engine: Engine) -> _SqliteFile | None:
        database = engine.url.database
        if engine.dialect.name != "sqlite" or not database or database == ":memory:":
            return None
        if database.startswith("file:"):  # a URI filename: its path is not simply the name
            return None
        return cls(Path(database).absolute())

    def check(self) -> None:
        try:
            status = os.stat(self.path)
        except FileNotFoundError:
            status = None
        if self._identity is None:
            # Not created yet (no migration ran): the first file seen becomes the one in use.
            if status is not None:
                self._identity = (status.st_dev, status.st_ino)
            return
        if status is None or (status.st_dev, status.st_ino) != self._identity:
            log.error(
                "SQLite file %s was removed or replaced while the registry had it open", self.path
            )
            raise ServiceUnavailable(
                "The registry's database file was removed or replaced while it was running; "
                "nothing was stored. Restore the file or restart the registry."
            )


class Database:
    """Runs use cases, one transaction each. Writes retry when a concurrent writer won a race or
    the connection failed before COMMIT was sent; a connection lost during COMMIT is not retried,
    since the write may have been stored. Database trouble reaches callers as a plain 503
    (`ServiceUnavailable`); the driver's text, which names hosts and databases, goes to the log."""

    def __init__(
        self, engine: Engine, *, write_retries: int, metrics: RegistryMetrics | None = None
    ) -> None:
        self.engine = engine
        self._writer = engine.execution_options(accord_write=True)
        self._write_retries = write_retries
        self._file = _SqliteFile.of(engine)
        self._metrics = metrics

    def check_ready(self) -> None:
        """Raise `ServiceUnavailable` unless the database answers and is the one opened at start."""
        if self._file is not None:
            self._file.check()
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except DBAPIError as exc:
            log.warning("readiness: the database did not answer: %s", exc.orig)
            raise ServiceUnavailable("The database is not reachable.") from exc

    def read(self, use_case: Callable[[Session], T], *, before_write: bool = False) -> T:
        """Run `use_case` in one transaction; a failed or lost connection is tried again (a read
        changes nothing, so even a COMMIT that failed is safe to repeat). `before_write`: the read
        is a write's snapshot, so a failure is answered as the write's ("nothing was stored")."""
        if self._metrics is None:
            return self._read(use_case, before_write=before_write)
        started = time.perf_counter()
        try:
            return self._read(use_case, before_write=before_write)
        finally:
            self._metrics.database("read", time.perf_counter() - started)

    def write(self, use_case: Callable[[Session], T]) -> T:
        """Run `use_case` in one transaction; on a unique-key clash, serialization failure or lock
        timeout, roll back and run it again from the start (its checks see the winner's rows).
        A connection that fails before COMMIT is sent is replaced and the use case run again."""
        if self._metrics is None:
            return self._write(use_case)
        started = time.perf_counter()
        try:
            return self._write(use_case)
        finally:
            self._metrics.database("write", time.perf_counter() - started)

    def _met(self, operation: str, exc: DBAPIError) -> _Failure:
        failure = _failure(exc)
        if self._metrics is not None:
            self._metrics.database_error(operation, failure.name.lower())
        return failure

    def _read(self, use_case: Callable[[Session], T], *, before_write: bool) -> T:
        for attempt in range(_RECONNECT_ATTEMPTS):
            try:
                with Session(self.engine, expire_on_commit=False) as session, session.begin():
                    return use_case(session)
            except DBAPIError as exc:
                failure = self._met("read", exc)
                if failure is _Failure.LOST and attempt < _RECONNECT_ATTEMPTS - 1:
                    _back_off(attempt + 1, exc, base=_RECONNECT_BACKOFF)
                    continue
                action = "write" if before_write else "read"
                raise _answer(exc, failure, action, attempts=attempt + 1) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _write(self, use_case: Callable[[Session], T]) -> T:
        races = reconnects = 0
        while True:
            try:
                return self._write_once(use_case)
            except DBAPIError as exc:
                failure = self._met("write", exc)
                if failure is _Failure.RACE and races < self._write_retries - 1:
                    races += 1
                    _back_off(races, exc)
                    continue
                if failure is _Failure.LOST and reconnects < _RECONNECT_ATTEMPTS - 1:
                    reconnects += 1
                    _back_off(reconnects, exc, base=_RECONNECT_BACKOFF)
                    continue
                raise _answer(exc, failure, "write", attempts=races + reconnects + 1) from exc

    def _write_once(self, use_case: Callable[[Session], T]) -> T:
        if self._file is not None:
            self._file.check()
        with Session(self._writer, expire_on_commit=False) as session:
            session.begin()
            result = use_case(session)
            # Everything but the COMMIT itself happens here, where a failure is safe to retry.
            session.flush()
            if self._file is not None:
                self._file.check()  # leaving the block unfinished rolls the transaction back
            try:
                session.commit()
            except DBAPIError as exc:
                if _failure(exc) is not _Failure.LOST:
                    raise  # the database answered COMMIT with a refusal: nothing was stored
                self._met("write", exc)
                log.error("connection lost during COMMIT; outcome unknown: %s", exc.orig)
                raise ServiceUnavailable(
                    "The database connection was lost while this write was being committed; it "
                    "may or may not have been stored. Read it back before sending it again."
                ) from exc
            return result


def _back_off(retry: int, exc: DBAPIError, *, base: float = 0.01) -> None:
    """Wait before the `retry`-th retry (1, 2, ...)."""
    log.info("retry %d of a transaction after: %s", retry, exc.orig)
    # Full-jitter backoff so that retrying writers do not collide again in lockstep.
    time.sleep(random.uniform(0, base * 2 ** (retry - 1)))  # noqa: S311 - not cryptographic


def _answer(exc: DBAPIError, failure: _Failure, action: str, *, attempts: int) -> Exception:
    """The registry error for a database failure that will not be retried (again)."""
    log.error("a %s failed after %d attempt(s) (%s): %s", action, attempts, failure.value, exc.orig)
    outcome = "nothing was stored" if action == "write" else "the request was not answered"
    if failure is _Failure.LOST:
        return ServiceUnavailable(f"The database is unavailable; {outcome}. Try again later.")
    if failure is _Failure.REFUSED:
        return ServiceUnavailable(
            f"The database storage refuses changes (read-only, full or failing); {outcome}."
        )
    if failure is _Failure.RACE:
        return ServiceUnavailable(
            f"The database stayed busy with concurrent writers; {outcome} after {attempts} "
            "attempt(s). Try again."
        )
    return StoreError(f"The database could not complete the {action}; see the registry's log.")
