"""Bad input gets the Confluent error code and a message saying what is wrong; never a 500, and
nothing is stored (asserted by reading back)."""

from __future__ import annotations

import json

import pytest

GOOD = json.dumps({"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]})


def _nested_avro(depth: int) -> str:
    # Built as text: json.dumps itself would hit the recursion limit on such a value.
    return '{"type": "array", "items": ' * depth + '"int"' + "}" * depth


def _nested_json_schema(depth: int) -> str:
    opening = '{"type": "object", "properties": {"x": '
    return opening * depth + '{"type": "integer"}' + "}}" * depth


# (case id, raw body, expected HTTP status, expected error_code, a word the message must contain)
BODIES: list[tuple[str, bytes, int, int, str]] = [
    ("malformed JSON", b'{"schema": ', 400, 400, "JSON"),
    ("body is a list", b"[]", 422, 42201, "body"),
    ("schema is a number", b'{"schema": 5}', 422, 42201, "schema"),
    ("no schema field", b"{}", 422, 42201, "schema"),
    ("blank schema", b'{"schema": "  "}', 422, 42201, "schema"),
    (
        "unknown schemaType",
        json.dumps({"schema": GOOD, "schemaType": "XML"}).encode(),
        422,
        42201,
        "XML",
    ),
    (
        "protobuf",
        json.dumps({"schema": 'syntax = "proto3";', "schemaType": "PROTOBUF"}).encode(),
        422,
        42201,
        "not supported",
    ),
    ("avro not JSON", b'{"schema": "{not json"}', 422, 42201, "AVRO"),
    (
        "avro unknown type",
        json.dumps({"schema": '{"type": "strng"}'}).encode(),
        422,
        42201,
        "strng",
    ),
    (
        "avro record without fields",
        json.dumps({"schema": '{"type": "record", "name": "R"}'}).encode(),
        422,
        42201,
        "AVRO",
    ),
    (
        "json schema with a bad type",
        json.dumps({"schema": '{"type": 5}', "schemaType": "JSON"}).encode(),
        422,
        42201,
        "JSON",
    ),
    (
        "json schema not JSON",
        json.dumps({"schema": "{", "schemaType": "JSON"}).encode(),
        422,
        42201,
        "JSON",
    ),
    (
        "references",
        json.dumps(
            {"schema": GOOD, "references": [{"name": "x", "subject": "s", "version": 1}]}
        ).encode(),
        422,
        42201,
        "references",
    ),
    (
        "deeply nested Avro",
        json.dumps({"schema": _nested_avro(3000)}).encode(),
        422,
        42201,
        "",
    ),
    (
        "deeply nested JSON Schema",
        json.dumps({"schema": _nested_json_schema(3000), "schemaType": "JSON"}).encode(),
        422,
        42201,
        "",
    ),
    ("deeply nested body", b'{"schema": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", 400, 400, ""),
]


def _nothing_stored(client) -> None:
    assert client.get("/subjects?deleted=true").json() == []
    assert client.get("/schemas?deleted=true").json() == []
    assert client.get("/schemas/ids/1").json()["error_code"] == 40403


def test_bad_bodies(client) -> None:
    for case, body, status, code, word in BODIES:
        for path in ("/subjects/T/versions", "/subjects/T", "/compatibility/subjects/T/versions"):
            response = client.post(path, content=body, headers={"Content-Type": "application/json"})
            got = (response.status_code, response.json().get("error_code"))
            assert got == (status, code), f"{case} on {path}: {response.text[:300]}"
            assert set(response.json()) == {"error_code", "message"}, case
            assert word.lower() in response.json()["message"].lower(), (case, response.text[:300])
    _nothing_stored(client)


def test_oversized_bodies_are_refused(make_client) -> None:
    client = make_client(max_request_bytes=4096)
    big = json.dumps({"schema": GOOD, "doc": "x" * 5000}).encode()
    declared = client.post(
        "/subjects/T/versions", content=big, headers={"Content-Type": "application/json"}
    )
    assert (declared.status_code, declared.json()["error_code"]) == (422, 42209)
    assert "4096" in declared.json()["message"]
    # Without a Content-Length (chunked), the limit holds while reading.
    chunked = client.post(
        "/subjects/T/versions",
        content=iter([big[:3000], big[3000:]]),
        headers={"Content-Type": "application/json"},
    )
    assert (chunked.status_code, chunked.json()["error_code"]) == (422, 42209)
    assert client.post("/subjects/T/versions", json={"schema": GOOD}).status_code == 200


@pytest.mark.parametrize(
    ("subject", "word"),
    [
        ("bad%00name", "control"),
        ("bad%0Aname", "control"),
        ("%20%20", "blank"),
        ("x" * 256, "256"),
    ],
)
def test_invalid_subject_names_are_42208(client, subject: str, word: str) -> None:
    for response in (
        client.post(f"/subjects/{subject}/versions", json={"schema": GOOD}),
        client.put(f"/config/{subject}", json={"compatibility": "NONE"}),
        client.put(f"/mode/{subject}", json={"mode": "READONLY"}),
    ):
        assert (response.status_code, response.json()["error_code"]) == (422, 42208)
        assert word in response.json()["message"]
    _nothing_stored(client)


def test_empty_subject_is_not_a_route(client) -> None:
    response = client.post("/subjects//versions", json={"schema": GOOD})
    assert response.status_code == 404
    assert set(response.json()) == {"error_code", "message"}


@pytest.mark.parametrize("version", ["0", "-2", "2147483648", "abc", "1.5", "latest1"])
def test_invalid_versions_are_42202(client, version: str) -> None:
    client.post("/subjects/T/versions", json={"schema": GOOD})
    for response in (
        client.get(f"/subjects/T/versions/{version}"),
        client.get(f"/subjects/T/versions/{version}/schema"),
        client.delete(f"/subjects/T/versions/{version}"),
        client.post(f"/compatibility/subjects/T/versions/{version}", json={"schema": GOOD}),
    ):
        assert (response.status_code, response.json()["error_code"]) == (422, 42202)
        assert version in response.json()["message"]
    assert client.get("/subjects/T/versions").json() == [1]


@pytest.mark.parametrize("version", [" latest ", "LATEST", "-1", "2147483647"])
def test_edge_versions_are_valid(client, version: str) -> None:
    client.post("/subjects/T/versions", json={"schema": GOOD})
    response = client.get(f"/subjects/T/versions/{version}")
    assert response.json().get("error_code") != 42202


def test_bad_query_parameters(client) -> None:
    for response in (client.get("/subjects?limit=many"), client.get("/schemas?offset=1.5")):
        assert (response.status_code, response.json()["error_code"]) == (400, 400)


def test_ids_and_versions_beyond_java_ints(client) -> None:
    huge = 2**71
    for path in (f"/schemas/ids/{huge}", f"/schemas/ids/{huge}/versions", "/schemas/ids/-3"):
        response = client.get(path)
        assert (response.status_code, response.json()["error_code"]) == (404, 40403), path
    too_big = client.post("/subjects/T/versions", json={"schema": GOOD, "version": 2**31})
    assert (too_big.status_code, too_big.json()["error_code"]) == (422, 42201)
    _nothing_stored(client)
    # -1 and 0 mean "not set" (Java clients have sent them), not an error.
    unset = client.post("/subjects/T/versions", json={"schema": GOOD, "id": -1, "version": 0})
    assert unset.json()["version"] == 1


def test_control_characters_in_reads_never_reach_the_database(client) -> None:
    """PostgreSQL cannot compare a text holding NUL: reads must answer before querying."""
    client.post("/subjects/T/versions", json={"schema": GOOD})
    for path in ("/subjects/a%00b/versions", "/subjects/a%00b/versions/latest", "/config/a%00b"):
        response = client.get(path)
        assert (response.status_code, response.json()["error_code"]) == (422, 42208), path
    assert client.post("/subjects/a%00b", json={"schema": GOOD}).json()["error_code"] == 42208
    # Filters naming a subject obey the subject's rules (registry.names) rather than match nothing.
    for path in ("/schemas/ids/1/versions?subject=a%00b", "/schemas?subjectPrefix=%00"):
        response = client.get(path)
        assert (response.status_code, response.json()["error_code"]) == (422, 42208), path
