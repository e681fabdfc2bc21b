"""Registration, look-up and reads through the Confluent API, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest

from tests.registry.registry_schemas import JSON_OPEN, V1, V2, V3_BREAKING, record

V1_TYPE = "application/vnd.schemaregistry.v1+json"


def register(client, subject: str, schema: str, **extra):
    return client.post(f"/subjects/{subject}/versions", json={"schema": schema, **extra})


def test_register_evolve_and_read_back(client) -> None:
    first = register(client, "CUSTOMER_CREATED", V1)
    assert first.status_code == 200
    assert first.headers["content-type"] == V1_TYPE
    assert (first.json()["id"], first.json()["version"]) == (1, 1)
    second = register(client, "CUSTOMER_CREATED", V2)
    assert second.json()["version"] == 2
    assert second.json()["id"] != first.json()["id"]

    latest = client.get("/subjects/CUSTOMER_CREATED/versions/latest").json()
    assert latest == {
        "subject": "CUSTOMER_CREATED",
        "version": 2,
        "id": second.json()["id"],
        "schemaType": "AVRO",
        "schema": V2,
    }
    assert client.get("/subjects/CUSTOMER_CREATED/versions/-1").json()["version"] == 2
    assert client.get("/subjects/CUSTOMER_CREATED/versions/1").json()["schema"] == V1
    assert client.get("/subjects/CUSTOMER_CREATED/versions").json() == [1, 2]
    assert client.get("/subjects").json() == ["CUSTOMER_CREATED"]
    by_id = client.get(f"/schemas/ids/{first.json()['id']}")
    assert by_id.json() == {"schema": V1, "schemaType": "AVRO"}
    raw = client.get(f"/schemas/ids/{first.json()['id']}/schema")
    assert json.loads(raw.text) == json.loads(V1)  # the text itself, not a JSON string
    assert client.get("/subjects/CUSTOMER_CREATED/versions/2/schema").text == V2


def test_incompatible_registration_is_refused_with_findings_and_nothing_stored(client) -> None:
    register(client, "CUSTOMER_CREATED", V1)
    refused = register(client, "CUSTOMER_CREATED", V3_BREAKING)
    assert refused.status_code == 409
    body = refused.json()
    assert set(body) == {"error_code", "message"}
    assert body["error_code"] == 409
    assert "incompatible" in body["message"]
    assert "age" in body["message"]
    assert client.get("/subjects/CUSTOMER_CREATED/versions").json() == [1]
    assert client.get("/schemas/ids/2").json()["error_code"] == 40403


def test_incompatible_error_code_is_a_setting(make_client) -> None:
    client = make_client(incompatible_error_code=40901)
    register(client, "T", V1)
    refused = register(client, "T", V3_BREAKING)
    assert (refused.status_code, refused.json()["error_code"]) == (409, 40901)


def test_ids_are_global_and_content_based(client) -> None:
    a = register(client, "A", V1).json()
    b = register(client, "B", json.dumps(json.loads(V1), indent=4)).json()  # other whitespace
    assert a["id"] == b["id"]
    assert (a["version"], b["version"]) == (1, 1)
    versions = client.get(f"/schemas/ids/{a['id']}/versions").json()
    assert versions == [{"subject": "A", "version": 1}, {"subject": "B", "version": 1}]
    assert client.get(f"/schemas/ids/{a['id']}/subjects").json() == ["A", "B"]


def test_re_registering_an_existing_schema_returns_it_without_a_check(client) -> None:
    # Under NONE the topic takes a version 1 that a BACKWARD reader of version 2 could not be.
    client.put("/config/T", json={"compatibility": "NONE"})
    first = register(client, "T", V3_BREAKING).json()
    register(client, "T", V1)
    client.put("/config/T", json={"compatibility": "BACKWARD"})
    # The level now refuses that text as a new version: the check would fail it...
    verdict = client.post("/compatibility/subjects/T/versions/latest", json={"schema": V3_BREAKING})
    assert verdict.json()["is_compatible"] is False
    assert register(client, "T", record(("id", "string"), ("years", "int"))).status_code == 409
    # ...yet registering it again answers the version that holds it, with no check and no write.
    again = register(client, "T", V3_BREAKING)
    assert again.status_code == 200
    assert (again.json()["id"], again.json()["version"]) == (first["id"], 1)
    assert client.get("/subjects/T/versions").json() == [1, 2]


def test_lookup_finds_the_version_holding_a_schema(client) -> None:
    register(client, "T", V1)
    register(client, "T", V2)
    found = client.post("/subjects/T", json={"schema": V1})
    assert found.status_code == 200
    assert (found.json()["version"], found.json()["subject"]) == (1, "T")
    missing = client.post("/subjects/T", json={"schema": V3_BREAKING})
    assert (missing.status_code, missing.json()["error_code"]) == (404, 40403)
    unknown = client.post("/subjects/NOPE", json={"schema": V1})
    assert (unknown.status_code, unknown.json()["error_code"]) == (404, 40401)


def test_json_schema_topics(client) -> None:
    created = register(client, "EMAIL_SENT", JSON_OPEN, schemaType="JSON")
    assert created.status_code == 200
    assert client.get(f"/schemas/ids/{created.json()['id']}").json()["schemaType"] == "JSON"
    # The same text of the same type is the same schema, in any topic.
    assert (
        register(client, "OTHER", JSON_OPEN, schemaType="JSON").json()["id"]
        == (created.json()["id"])
    )


def test_the_same_text_as_another_type_is_another_schema(client) -> None:
    # `{"type": "string"}` is a valid Avro schema and a valid JSON Schema, with different meanings.
    text = json.dumps({"type": "string"})
    as_avro = register(client, "AS_AVRO", text).json()
    as_json = register(client, "AS_JSON", text, schemaType="JSON").json()
    assert as_avro["id"] != as_json["id"]
    assert client.get(f"/schemas/ids/{as_avro['id']}").json()["schemaType"] == "AVRO"
    assert client.get(f"/schemas/ids/{as_json['id']}").json()["schemaType"] == "JSON"
    assert client.get(f"/schemas/ids/{as_json['id']}/subjects").json() == ["AS_JSON"]


def test_changing_schema_type_is_incompatible(client) -> None:
    register(client, "T", V1)
    refused = register(client, "T", JSON_OPEN, schemaType="JSON")
    assert refused.status_code == 409


@pytest.mark.parametrize("encoded", ["team%2Forders", "team%2forders"])
def test_subject_with_slash_stays_one_name(client, encoded: str) -> None:
    assert register(client, encoded, V1).json()["subject"] == "team/orders"
    assert client.get("/subjects").json() == ["team/orders"]
    assert client.get(f"/subjects/{encoded}/versions/1").json()["subject"] == "team/orders"
    assert client.get("/subjects/team/versions").status_code == 404


def test_percent_sign_in_subject_round_trips(client) -> None:
    assert register(client, "100%25-sure", V1).json()["subject"] == "100%-sure"
    assert client.get("/subjects").json() == ["100%-sure"]


@pytest.mark.parametrize(
    "content_type",
    [
        "application/vnd.schemaregistry.v1+json",
        "application/vnd.schemaregistry+json",
        "application/json",
        "application/json; charset=utf-8",
        "application/octet-stream",
    ],
)
def test_request_content_types(client, content_type: str) -> None:
    response = client.post(
        "/subjects/T/versions",
        content=json.dumps({"schema": V1}),
        headers={"Content-Type": content_type},
    )
    assert response.status_code == 200, response.text


def test_unknown_content_type_is_415(client) -> None:
    response = client.post(
        "/subjects/T/versions", content="schema=x", headers={"Content-Type": "text/plain"}
    )
    assert (response.status_code, response.json()["error_code"]) == (415, 415)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("application/vnd.schemaregistry.v1+json, application/json", V1_TYPE),
        ("*/*", V1_TYPE),
        ("application/json", "application/json"),
        ("application/vnd.schemaregistry+json", "application/vnd.schemaregistry+json"),
    ],
)
def test_response_content_type_follows_accept(client, accept: str, expected: str) -> None:
    assert client.get("/subjects", headers={"Accept": accept}).headers["content-type"] == expected


@pytest.mark.parametrize("flag", ["True", "true", "TRUE"])
def test_booleans_in_any_case(client, flag: str) -> None:
    register(client, "T", V1)
    client.delete("/subjects/T/versions/1")
    assert client.get(f"/subjects/T/versions?deleted={flag}").json() == [1]
    assert client.get("/subjects/T/versions?deleted=maybe").status_code == 404


def test_unknown_query_parameters_and_body_fields_are_ignored(client) -> None:
    response = client.post(
        "/subjects/T/versions?normalize=False&reference_format=x&whatever=1",
        json={"schema": V1, "metadata": {"properties": {"a": "b"}}, "future": [1, 2]},
    )
    assert response.status_code == 200
    assert client.get("/subjects?deleted_only=true&subject=T").json() == ["T"]


def test_list_schemas_and_pagination(client) -> None:
    for name in ("A", "B", "C"):
        register(client, name, record(("id", "string"), name=name))
    register(
        client,
        "A",
        record(("id", "string"), ("x", {"type": ["null", "int"], "default": None}), name="A"),
    )
    listed = client.get("/schemas").json()
    assert [(s["subject"], s["version"]) for s in listed] == [
        ("A", 1),
        ("A", 2),
        ("B", 1),
        ("C", 1),
    ]
    latest = client.get("/schemas?latestOnly=true&subjectPrefix=A").json()
    assert [(s["subject"], s["version"]) for s in latest] == [("A", 2)]
    assert client.get("/subjects?offset=1&limit=1").json() == ["B"]
    assert client.get("/subjects/A/versions?offset=1").json() == [2]


def test_version_of_unknown_subject_and_unknown_version(client) -> None:
    assert client.get("/subjects/NOPE/versions/1").json()["error_code"] == 40401
    register(client, "T", V1)
    assert client.get("/subjects/T/versions/7").json()["error_code"] == 40402
    assert client.get("/schemas/ids/999").json()["error_code"] == 40403
    assert client.get("/schemas/ids/999/versions").json()["error_code"] == 40403


def test_server_routes(client) -> None:
    assert client.get("/").json() == {}
    assert client.post("/").json() == {}
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").json() == {"status": "ready"}
    assert client.get("/contexts").json() == ["."]
    assert client.get("/schemas/types").json() == ["JSON", "AVRO"]
    assert client.get("/v1/metadata/id").json()["id"] == "accord"
    assert "version" in client.get("/v1/metadata/version").json()
    referenced = client.get("/subjects/NOPE/versions/1/referencedby")
    assert referenced.json()["error_code"] == 40401


def test_errors_never_carry_detail(client) -> None:
    for response in (
        client.get("/no/such/route"),
        client.patch("/subjects"),
        client.post("/subjects/T/versions", json={"schema": 5}),
        client.post(
            "/subjects/T/versions", content="{", headers={"Content-Type": "application/json"}
        ),
        client.get("/subjects?offset=abc"),
        client.get("/schemas/ids/abc"),
    ):
        assert set(response.json()) == {"error_code", "message"}, response.text
        assert response.status_code < 500
