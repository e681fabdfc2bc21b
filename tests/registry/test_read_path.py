"""The hot reads' lighter shape keeps the contract: the same flag parsing, auth, and OpenAPI."""

from __future__ import annotations

import json

import pytest

from registry.api.wire import V1_JSON, EncodedAnswers
from registry.usecases.model import StoredSchema, SubjectVersion
from tests.registry.auth_world import ADMIN_TOKEN, TOPICS, basic, bearer, build_world
from tests.registry.registry_schemas import V1, V2

# Values a client may send for a boolean query parameter: Java's Boolean.valueOf reads only
# "true" (any case) as true. Repeats: the last one counts.
FLAG_VALUES = ["true", "TRUE", " True ", "false", "yes", "1", "on", "", "true&deleted=false"]


@pytest.mark.parametrize("value", FLAG_VALUES)
def test_the_version_read_parses_deleted_as_the_flag_routes_do(client, value: str) -> None:
    # Oracle: `GET /subjects/T/versions` still parses `deleted` with FastAPI and the `Flag` type.
    client.post("/subjects/T/versions", json={"schema": V1})
    client.post("/subjects/T/versions", json={"schema": V2})
    assert client.delete("/subjects/T/versions/2").json() == 2
    listed = client.get(f"/subjects/T/versions?deleted={value}").json()
    for path in ("/subjects/T/versions/2", "/subjects/T/versions/2/schema"):
        answer = client.get(f"{path}?deleted={value}")
        assert (answer.status_code == 200) == (2 in listed), (path, value)


def test_the_hot_reads_still_need_credentials_and_see_revocation(make_client) -> None:
    world = build_world(make_client(admin_token=ADMIN_TOKEN))
    schema_id = world.ok("admin", "GET", f"/subjects/{TOPICS[0]}/versions/latest")["id"]
    hot = [f"/schemas/ids/{schema_id}", f"/subjects/{TOPICS[0]}/versions/latest"]
    token = world.tokens["finance"]  # any team may read
    forged = token[: -len("xyz")] + "xyz"
    for path in hot:
        assert world.call("anonymous", "GET", path).status_code == 401
        assert world.client.get(path, headers=bearer(forged)).status_code == 401
        assert world.client.get(path, headers=bearer(token)).status_code == 200
        assert world.client.get(path, headers=basic("finance", token)).status_code == 200
    world.ok("admin", "DELETE", f"/teams/finance/tokens/{token.split('_')[1]}")
    for path in hot:  # revoked: refused at once, though the answer itself is in memory
        assert world.client.get(path, headers=bearer(token)).status_code == 401


def test_the_openapi_documents_auth_and_the_flag(client) -> None:
    spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert {s["scheme"] for s in schemes.values()} == {"bearer", "basic"}
    required: list[dict[str, list[str]]] = [{name: []} for name in schemes]
    operations = {
        (path, method): operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    }
    for key, operation in operations.items():
        # The server routes (liveness, health, cluster metadata) answer anyone; no other does.
        if operation["tags"] == ["server"]:
            assert "security" not in operation, key
        else:
            assert operation.get("security") == required, key
    for path in (
        "/subjects/{subject}/versions/{version}",
        "/subjects/{subject}/versions/{version}/schema",
    ):
        parameters = operations[(path, "get")]["parameters"]
        assert [p["name"] for p in parameters] == ["subject", "version", "deleted"]
        assert parameters[2]["schema"] == {"type": "boolean", "default": False, "title": "Deleted"}


def test_encoded_answers_are_keyed_by_the_whole_value() -> None:
    answers = EncodedAnswers(capacity=2)
    schema = StoredSchema(id=1, schema_type="AVRO", text='"string"', fingerprint="f")
    live, deleted = SubjectVersion("T", 1, schema), SubjectVersion("T", 1, schema, deleted=True)
    renders: list[SubjectVersion] = []

    def body(value: SubjectVersion) -> bytes:
        def render() -> dict[str, object]:
            renders.append(value)
            return {"version": value.version, "deleted": value.deleted}

        return bytes(answers.response(value, render).body)

    assert json.loads(body(live)) == {"version": 1, "deleted": False}
    assert json.loads(body(SubjectVersion("T", 1, schema))) == {"version": 1, "deleted": False}
    assert json.loads(body(deleted)) == {"version": 1, "deleted": True}
    assert renders == [live, deleted]  # an equal value is served from memory, a changed one not


def test_latest_follows_writes_and_deletes_through_the_memo(client) -> None:
    first = client.post("/subjects/T/versions", json={"schema": V1}).json()
    assert client.get("/subjects/T/versions/latest").json()["version"] == 1
    second = client.post("/subjects/T/versions", json={"schema": V2}).json()
    latest = client.get("/subjects/T/versions/latest").json()
    assert (latest["version"], latest["id"]) == (2, second["id"])
    assert "deleted" not in client.get("/subjects/T/versions/2").json()
    assert client.delete("/subjects/T/versions/2").json() == 2
    assert client.get("/subjects/T/versions/latest").json()["id"] == first["id"]
    assert client.get("/subjects/T/versions/2?deleted=true").json()["deleted"] is True
    by_id = client.get(f"/schemas/ids/{second['id']}")
    assert (by_id.json()["schema"], by_id.headers["content-type"]) == (V2, V1_JSON)
