"""Soft then permanent deletes, with Confluent's 40401/40402/40404-40407 codes."""

from __future__ import annotations

from tests.registry.registry_schemas import V1, V2


def _setup(client) -> int:
    first = client.post("/subjects/T/versions", json={"schema": V1}).json()
    client.post("/subjects/T/versions", json={"schema": V2})
    return int(first["id"])


def test_version_soft_then_permanent(client) -> None:
    _setup(client)
    assert client.delete("/subjects/T/versions/2?permanent=true").json()["error_code"] == 40407
    assert client.delete("/subjects/T/versions/2").json() == 2
    assert client.delete("/subjects/T/versions/2").json()["error_code"] == 40406
    assert client.get("/subjects/T/versions").json() == [1]
    assert client.get("/subjects/T/versions?deleted=true").json() == [1, 2]
    assert client.get("/subjects/T/versions?deletedOnly=true").json() == [2]
    assert client.get("/subjects/T/versions/latest").json()["version"] == 1
    assert client.get("/subjects/T/versions/2").json()["error_code"] == 40402
    soft = client.get("/subjects/T/versions/2?deleted=true").json()
    assert (soft["version"], soft["deleted"]) == (2, True)
    assert client.delete("/subjects/T/versions/2?permanent=true").json() == 2
    assert client.get("/subjects/T/versions?deleted=true").json() == [1]
    assert client.delete("/subjects/T/versions/2").json()["error_code"] == 40402
    assert client.delete("/subjects/NOPE/versions/1").json()["error_code"] == 40401
    assert client.delete("/subjects/T/versions/0").json()["error_code"] == 42202


def test_soft_deleted_version_is_ignored_by_compatibility_and_numbers_move_on(client) -> None:
    _setup(client)
    client.delete("/subjects/T/versions/2")
    # The next version is 3: a soft-deleted version keeps its number.
    again = client.post("/subjects/T/versions", json={"schema": V2}).json()
    assert again["version"] == 3


def test_subject_soft_then_permanent(client) -> None:
    schema_id = _setup(client)
    assert client.delete("/subjects/T?permanent=true").json()["error_code"] == 40405
    assert client.delete("/subjects/T").json() == [1, 2]
    assert client.delete("/subjects/T").json()["error_code"] == 40404
    assert client.get("/subjects").json() == []
    assert client.get("/subjects?deleted=true").json() == ["T"]
    assert client.get("/subjects/T/versions").json()["error_code"] == 40401
    # Consumers keep decoding: the schema stays readable by id.
    assert client.get(f"/schemas/ids/{schema_id}").status_code == 200
    assert client.get(f"/schemas/ids/{schema_id}/subjects").json() == []
    assert client.get(f"/schemas/ids/{schema_id}/subjects?deleted=true").json() == ["T"]
    assert client.delete("/subjects/T?permanent=true").json() == [1, 2]
    assert client.get("/subjects?deleted=true").json() == []
    assert client.delete("/subjects/T").json()["error_code"] == 40401
    # After a permanent delete the topic starts again at version 1, with the same global id.
    again = client.post("/subjects/T/versions", json={"schema": V1}).json()
    assert (again["version"], again["id"]) == (1, schema_id)


def test_soft_delete_keeps_the_subject_config(client) -> None:
    _setup(client)
    client.put("/config/T", json={"compatibility": "NONE"})
    client.delete("/subjects/T")
    assert client.get("/config/T").json()["compatibilityLevel"] == "NONE"
