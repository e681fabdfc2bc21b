"""IMPORT is the admin's audited migration tool: no team reaches it, no imported id starves the id
allocator, and no team slips a contract-breaking version through it (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from starlette.exceptions import StarletteDeprecationWarning

from registry import Settings, create_app
from registry.db import create_db_engine

with warnings.catch_warnings():
    # As in tests/registry/conftest.py: the warning is about starlette's packaging.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from tests.registry.auth_world import ADMIN_TOKEN, TOPICS, World, build_world
from tests.registry.registry_schemas import V1, record

MAX_ID = 2**31 - 1
TOPIC = TOPICS[0]  # owned by crm; marketing's contract reads `id` (a string)
# BACKWARD-compatible with V1 (a reader ignores the writer's `id`) but it no longer sends `id`,
# which marketing's contract reads: only the contract refuses it.
DROPS_ID = record(("name", {"type": "string", "default": ""}))


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    """Auth on: crm owns TOPICS, marketing holds a contract on each (auth_world)."""
    with TestClient(
        create_app(Settings(database_url=database_url, admin_token=ADMIN_TOKEN)),
        raise_server_exceptions=False,
    ) as client:
        yield build_world(client)


def distinct_schema(n: int) -> str:
    return record(("id", "string"), (f"f{n}", {"type": ["null", "long"], "default": None}))


def test_only_the_admin_puts_a_topic_or_the_registry_in_import_mode(world: World) -> None:
    for path in (f"/mode/{TOPIC}?force=true", "/mode?force=true", "/mode/NEW_TOPIC"):
        refused = world.call("crm", "PUT", path, {"mode": "IMPORT"})
        assert (refused.status_code, refused.json()["error_code"]) == (403, 40301), path
        assert "IMPORT" in refused.json()["message"]
    assert world.ok("crm", "GET", f"/mode/{TOPIC}") == {"mode": "READWRITE"}
    assert world.ok("admin", "PUT", f"/mode/{TOPIC}?force=true", {"mode": "IMPORT"}) == {
        "mode": "IMPORT"
    }
    # The owner may still leave a mode it cannot enter, and other modes stay the owner's.
    assert world.ok("crm", "PUT", f"/mode/{TOPIC}", {"mode": "READONLY"}) == {"mode": "READONLY"}


def test_a_team_cannot_register_in_a_topic_the_admin_put_in_import_mode(world: World) -> None:
    world.ok("admin", "PUT", f"/mode/{TOPIC}?force=true", {"mode": "IMPORT"})
    refused = world.call("crm", "POST", f"/subjects/{TOPIC}/versions", {"schema": DROPS_ID})
    assert (refused.status_code, refused.json()["error_code"]) == (403, 40301)
    assert world.ok("admin", "GET", f"/subjects/{TOPIC}/versions") == [1]


def test_the_contract_bypass_through_import_is_closed_for_teams(world: World) -> None:
    """The owner cannot switch to IMPORT, so a contract-breaking version is refused in every mode
    it can reach; its /compatibility and /check say so first."""
    world.call("crm", "PUT", f"/mode/{TOPIC}?force=true", {"mode": "IMPORT"})
    verdict = world.ok(
        "crm", "POST", f"/compatibility/subjects/{TOPIC}/versions/latest", {"schema": DROPS_ID}
    )
    assert verdict == {"is_compatible": False}
    assert world.ok("crm", "POST", f"/subjects/{TOPIC}/check", {"schema": DROPS_ID})["ok"] is False
    for mode in ("READWRITE", "READONLY"):
        world.ok("crm", "PUT", f"/mode/{TOPIC}", {"mode": mode})
        refused = world.call("crm", "POST", f"/subjects/{TOPIC}/versions", {"schema": DROPS_ID})
        assert refused.status_code in {409, 422}, (mode, refused.text)
    world.ok("crm", "PUT", f"/mode/{TOPIC}", {"mode": "READWRITE"})
    refused = world.call("crm", "POST", f"/subjects/{TOPIC}/versions", {"schema": DROPS_ID})
    assert refused.status_code == 409
    assert "marketing" in refused.json()["message"]
    assert world.ok("crm", "GET", f"/subjects/{TOPIC}/versions") == [1]


def test_the_admins_import_may_bypass_contracts_and_is_audited(world: World) -> None:
    world.ok("admin", "PUT", f"/mode/{TOPIC}?force=true", {"mode": "IMPORT"})
    imported = world.ok(
        "admin",
        "POST",
        f"/subjects/{TOPIC}/versions",
        {"schema": DROPS_ID, "id": 500, "version": 2},
    )
    assert (imported["id"], imported["version"]) == (500, 2)
    entry = world.audit(topic=TOPIC)[0]
    assert (entry["actor"], entry["action"]) == ("admin", "import")
    assert (entry["after"]["id"], entry["after"]["version"]) == (500, 2)
    # A plain registration is audited as such.
    world.ok("admin", "PUT", f"/mode/{TOPIC}", {"mode": "READWRITE"})
    world.ok("crm", "POST", f"/subjects/{TOPICS[1]}/versions", {"schema": distinct_schema(1)})
    assert world.audit(topic=TOPICS[1])[0]["action"] == "register"


def test_an_imported_top_id_never_starves_the_allocator(world: World) -> None:
    """Importing 2^31-1 (and the ids right above the registry's own) leaves every later
    registration served with a fresh id inside [1, 2^31-1], on both stores."""
    world.ok("admin", "PUT", "/mode?force=true", {"mode": "IMPORT"})
    own = world.ok("admin", "GET", f"/subjects/{TOPIC}/versions/1")["id"]
    taken = [MAX_ID, own + 1, own + 2]
    for n, schema_id in enumerate(taken, start=1):
        world.ok(
            "admin",
            "POST",
            "/subjects/IMPORTED/versions",
            {"schema": distinct_schema(100 + n), "id": schema_id, "version": n},
        )
    world.ok("admin", "DELETE", "/mode")
    fresh = [
        world.ok("crm", "POST", f"/subjects/{TOPIC}/versions", {"schema": distinct_schema(n)})["id"]
        for n in range(1, 4)
    ]
    # The allocator continues above its own ids and skips the imported ones.
    assert fresh == [own + 3, own + 4, own + 5]
    for schema_id, n in zip(fresh, range(1, 4), strict=True):
        served = world.ok("crm", "GET", f"/schemas/ids/{schema_id}")
        assert json.loads(served["schema"]) == json.loads(distinct_schema(n))
    assert json.loads(world.ok("crm", "GET", f"/schemas/ids/{MAX_ID}")["schema"]) == json.loads(
        distinct_schema(101)
    )


def test_an_allocator_at_the_top_falls_back_to_the_lowest_free_id(database_url: str) -> None:
    """A store whose own ids already reach 2^31-1 (an import made before imports were marked)
    still serves: the next id is the lowest free one."""
    with TestClient(
        create_app(Settings(database_url=database_url)), raise_server_exceptions=False
    ) as client:
        assert client.post("/subjects/T/versions", json={"schema": V1}).json()["id"] == 1
        engine = create_db_engine(Settings(database_url=database_url).database_url)
        try:
            with engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO schemas (id, schema_type, fingerprint, schema_text, "
                        "created_at, imported) VALUES (:id, 'AVRO', 'legacy', :text, "
                        "CURRENT_TIMESTAMP, false)"
                    ),
                    {"id": MAX_ID, "text": distinct_schema(0)},
                )
        finally:
            engine.dispose()
        answers = [
            client.post("/subjects/T/versions", json={"schema": distinct_schema(n)}) for n in (1, 2)
        ]
        assert [(a.status_code, a.json()["id"]) for a in answers] == [(200, 2), (200, 3)]


def test_imported_ids_outside_the_range_are_refused(world: World) -> None:
    world.ok("admin", "PUT", "/mode?force=true", {"mode": "IMPORT"})
    for schema_id in (MAX_ID + 1, 2**40):  # 0 or less means "no id", as in Confluent
        refused = world.call(
            "admin",
            "POST",
            "/subjects/IMPORTED/versions",
            {"schema": distinct_schema(7), "id": schema_id, "version": 1},
        )
        assert refused.status_code == 422, (schema_id, refused.text)
    assert world.call("admin", "GET", "/subjects/IMPORTED/versions").status_code == 404


def test_an_imported_top_version_ends_its_subject_cleanly(world: World) -> None:
    """A version past 2^31-1 could be neither stored on PostgreSQL (a 500) nor addressed (SQLite
    stored it): after an imported version 2^31-1 the next registration is refused with 422, and
    every other subject is untouched."""
    world.ok("admin", "PUT", "/mode/IMPORTED", {"mode": "IMPORT"})
    world.ok(
        "admin",
        "POST",
        "/subjects/IMPORTED/versions",
        {"schema": distinct_schema(1), "id": 4242, "version": MAX_ID},
    )
    world.ok("admin", "PUT", "/mode/IMPORTED", {"mode": "READWRITE"})
    world.ok("admin", "PUT", "/config/IMPORTED", {"compatibility": "NONE"})
    refused = world.call(
        "admin", "POST", "/subjects/IMPORTED/versions", {"schema": distinct_schema(2)}
    )
    assert (refused.status_code, refused.json()["error_code"]) == (422, 42205), refused.text
    assert str(MAX_ID) in refused.json()["message"]
    assert world.ok("admin", "GET", "/subjects/IMPORTED/versions") == [MAX_ID]
    world.ok("crm", "POST", f"/subjects/{TOPICS[1]}/versions", {"schema": distinct_schema(3)})
