"""Use cases and storage below HTTP: concurrent writers, migrations, settings, caches, the seam."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import inspect, text

from contracts import CompatibilityLevel
from registry import Settings
from registry.context import RegistryContext
from registry.db import Database, create_db_engine, migrate
from registry.errors import OperationNotPermitted, SubjectNotFound
from registry.principal import ANONYMOUS_ADMIN
from registry.settings import SettingsError
from registry.usecases import read
from registry.usecases.model import ProposedVersion
from registry.usecases.register import Registration, register_version
from tests.registry.registry_schemas import V1, V2


@pytest.fixture
def ctx(database_url: str) -> Any:
    settings = Settings(database_url=database_url)
    engine = create_db_engine(settings.database_url)
    context = RegistryContext.create(settings, Database(engine, write_retries=20))
    yield context
    engine.dispose()


def optional_field_schema(n: int) -> str:
    """Distinct schemas, each BACKWARD-compatible with every other (one optional field each)."""
    return json.dumps(
        {
            "type": "record",
            "name": "Customer",
            "fields": [
                {"name": "id", "type": "string"},
                {"name": f"extra_{n}", "type": ["null", "string"], "default": None},
            ],
        }
    )


def test_concurrent_writers_get_contiguous_versions_and_unique_ids(ctx: RegistryContext) -> None:
    def write(n: int) -> tuple[int, int]:
        done = register_version(
            ctx, ANONYMOUS_ADMIN, Registration("TOPIC", None, optional_field_schema(n))
        )
        return done.version, done.schema.id

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(write, range(24)))
    versions = sorted(v for v, _ in results)
    ids = [i for _, i in results]
    assert versions == list(range(1, 25))
    assert len(set(ids)) == 24
    assert read.list_versions(
        ctx, "TOPIC", deleted=True, deleted_only=False, page=read.Page()
    ) == list(range(1, 25))


def test_concurrent_writers_of_one_schema_to_many_topics_share_one_id(
    ctx: RegistryContext,
) -> None:
    def write(n: int) -> int:
        return register_version(ctx, ANONYMOUS_ADMIN, Registration(f"T{n}", None, V1)).schema.id

    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = set(pool.map(write, range(12)))
    assert len(ids) == 1


def test_registration_checks_seam_refuses_before_anything_is_stored(ctx: RegistryContext) -> None:
    register_version(ctx, ANONYMOUS_ADMIN, Registration("T", None, V1))
    seen: list[ProposedVersion] = []

    def refuse(proposal: ProposedVersion) -> None:
        seen.append(proposal)
        raise OperationNotPermitted(f"{proposal.principal.name} may not change {proposal.subject}")

    ctx.registration_checks.append(refuse)
    with pytest.raises(OperationNotPermitted, match="anonymous may not change T"):
        register_version(ctx, ANONYMOUS_ADMIN, Registration("T", None, V2))
    assert [v.version for v in seen[0].live_versions] == [1]
    assert seen[0].config.level is CompatibilityLevel.BACKWARD
    assert read.list_versions(ctx, "T", deleted=True, deleted_only=False, page=read.Page()) == [1]
    # Re-registering what the topic already has runs no check at all (Confluent semantics).
    assert register_version(ctx, ANONYMOUS_ADMIN, Registration("T", None, V1)).version == 1


def test_migrations_are_idempotent_and_reach_head(database_url: str) -> None:
    engine = create_db_engine(Settings(database_url=database_url).database_url)
    try:
        migrate(engine)  # the fixture already migrated: a second run changes nothing
        tables = set(inspect(engine).get_table_names())
        assert {"schemas", "subjects", "subject_versions", "global_config"} <= tables
        with engine.connect() as connection:
            revision = connection.execute(text("SELECT version_num FROM alembic_version")).one()
        assert revision[0]
    finally:
        engine.dispose()


def test_a_fresh_sqlite_file_is_migrated_at_start(tmp_path: Any, make_client: Any) -> None:
    from fastapi.testclient import TestClient

    from registry import create_app

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with TestClient(create_app(Settings(database_url=url))) as client:
        assert client.post("/subjects/T/versions", json={"schema": V1}).status_code == 200


def test_two_apps_in_one_process_keep_their_own_settings(make_client: Any) -> None:
    classic = make_client()
    modern = make_client(incompatible_error_code=40901, read_cache_ttl_seconds=0)
    classic.post("/subjects/T/versions", json={"schema": V1})
    breaking = json.dumps(
        {"type": "record", "name": "Customer", "fields": [{"name": "n", "type": "int"}]}
    )
    assert (
        classic.post("/subjects/T/versions", json={"schema": breaking}).json()["error_code"] == 409
    )
    assert (
        modern.post("/subjects/T/versions", json={"schema": breaking}).json()["error_code"] == 40901
    )


def test_replicas_on_one_database_see_each_others_writes(make_client: Any) -> None:
    """Two apps on one database stand for two replicas. With no read cache a replica sees the
    other's write at once; its own writes always invalidate its cache."""
    replica_a = make_client(read_cache_ttl_seconds=0)
    replica_b = make_client()
    replica_b.post("/subjects/T/versions", json={"schema": V1})
    assert replica_a.get("/subjects/T/versions/latest").json()["version"] == 1
    replica_b.post("/subjects/T/versions", json={"schema": V2})
    assert replica_a.get("/subjects/T/versions/latest").json()["version"] == 2
    assert replica_b.get("/subjects/T/versions/latest").json()["version"] == 2
    replica_b.delete("/subjects/T/versions/2")
    assert replica_b.get("/subjects/T/versions/latest").json()["version"] == 1


def test_reads_of_a_missing_subject_are_not_cached_as_present(ctx: RegistryContext) -> None:
    with pytest.raises(SubjectNotFound):
        read.get_version(ctx, "T", read.LATEST)
    register_version(ctx, ANONYMOUS_ADMIN, Registration("T", None, V1))
    assert read.get_version(ctx, "T", read.LATEST).version == 1


def test_settings_from_environment() -> None:
    settings = Settings.from_env(
        {
            "ACCORD_DATABASE_URL": "postgresql://u@db:5432/accord",
            "ACCORD_INCOMPATIBLE_ERROR_CODE": "40901",
            "ACCORD_DEFAULT_COMPATIBILITY": "FULL",
            "ACCORD_MAX_REQUEST_BYTES": "2048",
            "UNRELATED": "x",
        }
    )
    assert settings.database_url == "postgresql+psycopg://u@db:5432/accord"
    assert settings.incompatible_error_code == 40901
    assert settings.default_compatibility is CompatibilityLevel.FULL
    assert settings.max_request_bytes == 2048
    assert Settings.from_env({}, database_url="sqlite:///x.db").database_url == "sqlite:///x.db"
    assert Settings.from_env({}).database_url == "sqlite:///accord.db"


@pytest.mark.parametrize(
    "environ",
    [
        {"ACCORD_INCOMPATIBLE_ERROR_CODE": "500"},
        {"ACCORD_DEFAULT_COMPATIBILITY": "SIDEWAYS"},
        {"ACCORD_MAX_REQUEST_BYTES": "ten"},
        {"ACCORD_DATABASE_URL": "   "},
    ],
)
def test_invalid_settings_stop_the_start(environ: dict[str, str]) -> None:
    # The message names the variable (not pydantic's field name): see tests/registry/test_serve.py.
    (name,) = environ
    with pytest.raises(SettingsError, match=f"^{name}: "):
        Settings.from_env(environ)
