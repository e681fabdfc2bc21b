"""`/config` and `/mode`, global and per subject, and what they change in registration."""

from __future__ import annotations

import pytest

from tests.registry.registry_schemas import JSON_OPEN, JSON_OPEN_PLUS, V1, V2, V3_BREAKING


def test_global_config_round_trip(client) -> None:
    assert client.get("/config").json() == {
        "compatibilityLevel": "BACKWARD",
        "compatibilityPolicy": "STRICT",
    }
    assert client.put("/config", json={"compatibility": "full_transitive"}).json() == {
        "compatibility": "FULL_TRANSITIVE"
    }
    assert client.get("/config").json()["compatibilityLevel"] == "FULL_TRANSITIVE"
    assert client.delete("/config").json()["compatibilityLevel"] == "FULL_TRANSITIVE"
    assert client.get("/config").json()["compatibilityLevel"] == "BACKWARD"


def test_default_level_is_a_setting(make_client) -> None:
    client = make_client(default_compatibility="NONE")
    assert client.get("/config").json()["compatibilityLevel"] == "NONE"
    client.post("/subjects/T/versions", json={"schema": V1})
    assert client.post("/subjects/T/versions", json={"schema": V3_BREAKING}).status_code == 200


def test_subject_config(client) -> None:
    missing = client.get("/config/T")
    assert (missing.status_code, missing.json()["error_code"]) == (404, 40408)
    assert client.get("/config/T?defaultToGlobal=true").json()["compatibilityLevel"] == "BACKWARD"
    assert client.put("/config/T", json={"compatibility": "NONE"}).status_code == 200
    assert client.get("/config/T").json()["compatibilityLevel"] == "NONE"
    client.post("/subjects/T/versions", json={"schema": V1})
    assert client.post("/subjects/T/versions", json={"schema": V3_BREAKING}).status_code == 200
    assert client.delete("/config/T").json()["compatibilityLevel"] == "NONE"
    assert client.delete("/config/T").json()["error_code"] == 40401
    assert client.get("/config/T").json()["error_code"] == 40408


@pytest.mark.parametrize(
    "body",
    [{"compatibility": "SIDEWAYS"}, {}, {"compatibilityPolicy": "LOOSE"}, {"compatibility": 3}],
)
def test_invalid_config_is_42203_and_changes_nothing(client, body: dict[str, object]) -> None:
    response = client.put("/config", json=body)
    assert (response.status_code, response.json()["error_code"]) == (422, 42203)
    assert client.get("/config").json()["compatibilityLevel"] == "BACKWARD"


def test_policy_lenient_accepts_an_optional_property_strict_refuses(client) -> None:
    assert (
        client.post(
            "/subjects/E/versions", json={"schema": JSON_OPEN, "schemaType": "JSON"}
        ).status_code
        == 200
    )
    strict = client.post(
        "/subjects/E/versions", json={"schema": JSON_OPEN_PLUS, "schemaType": "JSON"}
    )
    assert strict.status_code == 409
    put = client.put("/config/E", json={"compatibilityPolicy": "lenient"})
    assert put.json() == {"compatibilityPolicy": "LENIENT"}
    assert client.get("/config/E").json() == {
        "compatibilityLevel": "BACKWARD",
        "compatibilityPolicy": "LENIENT",
    }
    lenient = client.post(
        "/subjects/E/versions", json={"schema": JSON_OPEN_PLUS, "schemaType": "JSON"}
    )
    assert lenient.status_code == 200, lenient.text


def test_readonly_mode_refuses_writes_with_42205(client) -> None:
    client.post("/subjects/T/versions", json={"schema": V1})
    assert client.get("/mode").json() == {"mode": "READWRITE"}
    assert client.put("/mode/T", json={"mode": "READONLY"}).json() == {"mode": "READONLY"}
    refused = client.post("/subjects/T/versions", json={"schema": V2})
    assert (refused.status_code, refused.json()["error_code"]) == (422, 42205)
    assert client.delete("/subjects/T").json()["error_code"] == 42205
    assert client.delete("/subjects/T/versions/1").json()["error_code"] == 42205
    # Reads still work, and other subjects are not affected.
    assert client.get("/subjects/T/versions").json() == [1]
    assert client.post("/subjects/U/versions", json={"schema": V1}).status_code == 200
    assert client.delete("/mode/T").json() == {"mode": "READONLY"}
    assert client.get("/mode/T").json()["error_code"] == 40409
    assert client.get("/mode/T?defaultToGlobal=true").json() == {"mode": "READWRITE"}
    assert client.post("/subjects/T/versions", json={"schema": V2}).status_code == 200


def test_global_readonly(client) -> None:
    client.put("/mode", json={"mode": "READONLY"})
    assert client.post("/subjects/T/versions", json={"schema": V1}).json()["error_code"] == 42205
    assert client.delete("/mode").json() == {"mode": "READONLY"}
    assert client.get("/mode").json() == {"mode": "READWRITE"}


def test_invalid_mode_is_42204(client) -> None:
    for body in ({"mode": "SOMETIMES"}, {}, {"mode": 5}):
        response = client.put("/mode", json=body)
        assert (response.status_code, response.json()["error_code"]) == (422, 42204)


def test_import_mode_takes_caller_ids_and_versions(client) -> None:
    client.post("/subjects/EXISTING/versions", json={"schema": V1})
    refused = client.put("/mode", json={"mode": "IMPORT"})
    assert refused.json()["error_code"] == 42205  # non-empty registry
    assert client.put("/mode?force=true", json={"mode": "IMPORT"}).json() == {"mode": "IMPORT"}
    imported = client.post(
        "/subjects/T/versions", json={"schema": V3_BREAKING, "id": 100, "version": 5}
    ).json()
    assert (imported["id"], imported["version"]) == (100, 5)
    # No compatibility check in IMPORT: a breaking version is taken as it is.
    assert (
        client.post("/subjects/T/versions", json={"schema": V2, "id": 101, "version": 7}).json()[
            "version"
        ]
        == 7
    )
    clash = client.post("/subjects/T/versions", json={"schema": V1, "id": 100})
    assert clash.json()["error_code"] == 42207  # V1 already has another id
    assert client.get("/schemas/ids/100").json()["schema"] == V3_BREAKING
    client.delete("/mode")
    # Ids given out afterwards continue above the registry's own (V1 took 1): imported ids never
    # move the allocator, which skips them (tests/hostile/test_hostile_import.py).
    fresh = client.post(
        "/subjects/NEW/versions", json={"schema": '{"type": "array", "items": "long"}'}
    ).json()
    assert fresh["id"] == 2


def test_caller_ids_are_refused_outside_import(client) -> None:
    response = client.post("/subjects/T/versions", json={"schema": V1, "id": 77})
    assert (response.status_code, response.json()["error_code"]) == (422, 42205)
    assert client.get("/subjects").json() == []
