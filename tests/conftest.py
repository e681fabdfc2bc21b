"""Suite-wide settings: hypothesis runs derandomised with fixed example counts so CI is stable."""

from __future__ import annotations

import os

# authlib (pulled in by confluent_kafka.schema_registry) adds an "always" filter for its own
# deprecation warnings when first imported, which would override pyproject's filterwarnings.
# Importing it here, outside any test's warning context, lets that filter lapse with the context.
import authlib.deprecate  # noqa: F401
from hypothesis import HealthCheck, settings

# Derandomised everywhere (CI and local): a failure reproduces on every machine. Set
# ACCORD_HYPOTHESIS_PROFILE=explore locally to search with fresh randomness and more examples.
settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("explore", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("ACCORD_HYPOTHESIS_PROFILE", "ci"))


# --- Databases for the registry's tests (SQLite and PostgreSQL), each test on its own copy. ---
# Every test gets a fresh migrated store (a copy of a migrated file for SQLite, its own schema for
# PostgreSQL), so no test sees another's rows and none cleans up by DELETE. PostgreSQL is never skipped: an unreachable server fails the tests that need it.

import shutil  # noqa: E402 - kept beside the fixtures that use them
import uuid  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from contextlib import AbstractContextManager, contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

DEFAULT_TEST_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def _pg_admin(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=5)


def _pg_url_in_schema(base: str, schema: str) -> str:
    """`base` with every connection's search_path set to `schema` (tables, sequences, alembic).

    Test data need not survive a crash, so commits do not wait for the WAL flush; visibility and
    locking are unchanged."""
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL server's admin URL (ACCORD_TEST_POSTGRES_URL); fails if it is unreachable."""
    url = os.environ.get("ACCORD_TEST_POSTGRES_URL") or DEFAULT_TEST_POSTGRES_URL
    try:
        with _pg_admin(url) as admin:
            admin.execute("SELECT 1")
    except Exception as exc:
        pytest.fail(f"PostgreSQL at {url} is unreachable ({exc}); run `make postgres`")
    return url


@contextmanager
def postgres_schema(admin_url: str) -> Iterator[str]:
    """URL of a PostgreSQL namespace of its own, with no tables yet; dropped afterwards.

    A schema, not a database: CREATE DATABASE costs a second with fsync on, a schema
    milliseconds, and the isolation is the same (every connection's search_path is the schema).
    """
    name = f"accord_t_{uuid.uuid4().hex[:12]}"
    with _pg_admin(admin_url) as admin:
        admin.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield _pg_url_in_schema(admin_url, name)
    finally:
        with _pg_admin(admin_url) as admin:
            admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture(scope="session")
def make_postgres_schema(postgres_url: str) -> Callable[[], AbstractContextManager[str]]:
    """`with make_postgres_schema() as url:` for fixtures of a wider scope than one test."""
    return lambda: postgres_schema(postgres_url)


@pytest.fixture
def empty_postgres_database(postgres_url: str) -> Iterator[str]:
    """URL of a PostgreSQL namespace of this test's own, with no tables (see postgres_schema)."""
    with postgres_schema(postgres_url) as url:
        yield url


@pytest.fixture
def postgres_database(empty_postgres_database: str) -> str:
    """URL of a fresh PostgreSQL namespace of this test's own, migrated to head."""
    from registry.db import create_db_engine, migrate
    from registry.settings import normalise_database_url

    engine = create_db_engine(normalise_database_url(empty_postgres_database))
    migrate(engine)
    engine.dispose()
    return empty_postgres_database


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from registry.db import create_db_engine, migrate

    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = create_db_engine(f"sqlite:///{path}")
    migrate(engine)
    with engine.connect() as connection:  # fold the WAL into the file before copying it
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def sqlite_database(sqlite_template: Path, tmp_path: Path) -> str:
    """URL of a fresh, migrated SQLite file of this test's own."""
    path = tmp_path / "accord.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Parametrises a test over both stores the registry supports."""
    fixture = "sqlite_database" if request.param == "sqlite" else "postgres_database"
    url: str = request.getfixturevalue(fixture)
    return url
