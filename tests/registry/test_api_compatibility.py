"""`/compatibility/subjects/{s}/versions[/{v}]`: the verdict without registering."""

from __future__ import annotations

from tests.registry.registry_schemas import V1, V2, V3_BREAKING, record


def test_against_latest_and_verbose_messages(client) -> None:
    client.post("/subjects/T/versions", json={"schema": V1})
    ok = client.post("/compatibility/subjects/T/versions/latest", json={"schema": V2})
    assert ok.json() == {"is_compatible": True}
    bad = client.post(
        "/compatibility/subjects/T/versions/latest?verbose=True", json={"schema": V3_BREAKING}
    ).json()
    assert bad["is_compatible"] is False
    assert any("age" in m for m in bad["messages"])
    quiet = client.post("/compatibility/subjects/T/versions/1", json={"schema": V3_BREAKING})
    assert quiet.json() == {"is_compatible": False}
    # Nothing was registered by checking.
    assert client.get("/subjects/T/versions").json() == [1]


def test_all_versions_uses_the_transitive_level(client) -> None:
    client.put("/config/T", json={"compatibility": "BACKWARD_TRANSITIVE"})
    with_b = record(("id", "string"), ("b", {"type": "int", "default": 0}))
    client.post("/subjects/T/versions", json={"schema": V1})
    client.post("/subjects/T/versions", json={"schema": with_b})
    # Requires `b` without default: version 1 data lacks it, version 2 data has it.
    needs_b = record(("id", "string"), ("b", "int"))
    against_all = client.post(
        "/compatibility/subjects/T/versions?verbose=true", json={"schema": needs_b}
    ).json()
    assert against_all["is_compatible"] is False
    assert all("version 1" in m for m in against_all["messages"])
    assert client.post("/compatibility/subjects/T/versions/2", json={"schema": needs_b}).json() == {
        "is_compatible": True
    }


def test_missing_subject(client) -> None:
    latest = client.post("/compatibility/subjects/NOPE/versions/latest", json={"schema": V1})
    assert latest.json() == {"is_compatible": True}
    numbered = client.post("/compatibility/subjects/NOPE/versions/1", json={"schema": V1})
    assert (numbered.status_code, numbered.json()["error_code"]) == (404, 40402)


def test_invalid_schema_is_42201_unless_verbose(client) -> None:
    client.post("/subjects/T/versions", json={"schema": V1})
    plain = client.post("/compatibility/subjects/T/versions/latest", json={"schema": "{"})
    assert (plain.status_code, plain.json()["error_code"]) == (422, 42201)
    verbose = client.post(
        "/compatibility/subjects/T/versions/latest?verbose=true", json={"schema": "{"}
    ).json()
    assert verbose["is_compatible"] is False
    assert verbose["messages"]
    bad_version = client.post("/compatibility/subjects/T/versions/x", json={"schema": V1})
    assert bad_version.json()["error_code"] == 42202
