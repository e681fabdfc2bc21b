"""Consumer contracts over HTTP: registration, history, the check, enforcement and who reads what."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import fastavro
import pytest
from fastapi.testclient import TestClient

from registry.app import create_app
from registry.settings import Settings

SCENARIO = Path(__file__).resolve().parents[2] / "examples" / "scenario"
FORMATS = {"avro": ("AVRO", "avsc"), "json": ("JSON", "json")}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    """The app on a SQLite file, or on a PostgreSQL namespace of the test's own."""
    if request.param == "postgres":
        url = request.getfixturevalue("empty_postgres_database")
    else:
        url = f"sqlite:///{tmp_path / 'accord.db'}"
    with TestClient(create_app(Settings(database_url=url))) as test_client:
        yield test_client


class Files:
    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.schema_type, self.ext = FORMATS[fmt]

    def body(self, name: str, **extra: object) -> dict[str, object]:
        text = (SCENARIO / self.fmt / f"{name}.{self.ext}").read_text()
        return {"schemaType": self.schema_type, "schema": text, **extra}


@pytest.fixture(params=sorted(FORMATS))
def files(request: pytest.FixtureRequest) -> Files:
    return Files(request.param)


def register(client: TestClient, files: Files, topic: str, name: str) -> dict[str, object]:
    response = client.post(f"/subjects/{topic}/versions", json=files.body(name))
    return {"status": response.status_code, **response.json()}


def contract(
    client: TestClient, files: Files, topic: str, consumer: str, name: str
) -> dict[str, object]:
    response = client.put(
        f"/subjects/{topic}/consumers/{consumer}", json=files.body(f"contracts/{name}")
    )
    return {"status": response.status_code, **response.json()}


@pytest.fixture
def customer_created(client: TestClient, files: Files) -> TestClient:
    """CUSTOMER_CREATED v1 with Marketing's and Data Analysis's contracts."""
    assert register(client, files, "CUSTOMER_CREATED", "CUSTOMER_CREATED.v1")["status"] == 200
    for consumer in ("marketing", "data-analysis"):
        assert (
            contract(client, files, "CUSTOMER_CREATED", consumer, f"{consumer}.CUSTOMER_CREATED")[
                "status"
            ]
            == 200
        )
    return client


def test_contracts_are_stored_listed_and_versioned(
    customer_created: TestClient, files: Files
) -> None:
    client = customer_created
    got = client.get("/subjects/CUSTOMER_CREATED/consumers/marketing").json()
    assert got["version"] == 1
    assert got["schemaType"] == files.schema_type
    listed = client.get("/subjects/CUSTOMER_CREATED/consumers").json()
    assert sorted(c["consumer"] for c in listed) == ["data-analysis", "marketing"]
    # The same contract again is the same version; a changed one is the next version.
    again = contract(client, files, "CUSTOMER_CREATED", "marketing", "marketing.CUSTOMER_CREATED")
    assert again["version"] == 1
    changed = contract(client, files, "CUSTOMER_CREATED", "marketing", "support.CUSTOMER_CREATED")
    assert changed["version"] == 2
    assert client.get("/consumers/marketing").json()[0]["version"] == 2


def test_adding_an_optional_field_is_registered(customer_created: TestClient, files: Files) -> None:
    added = register(
        customer_created, files, "CUSTOMER_CREATED", "CUSTOMER_CREATED.v2-adds-optional-phone"
    )
    assert added["status"] == 200
    assert added["version"] == 2


def test_removing_a_field_marketing_reads_is_refused_with_a_409_naming_marketing(
    customer_created: TestClient, files: Files
) -> None:
    client = customer_created
    body = files.body("CUSTOMER_CREATED.v3-removes-email")
    check = client.post("/subjects/CUSTOMER_CREATED/check", json=body).json()
    assert check["ok"] is False
    marketing = next(c for c in check["consumers"] if c["consumer"] == "marketing")
    assert marketing["counterexample"] is not None
    refused = client.post("/subjects/CUSTOMER_CREATED/versions", json=body)
    assert refused.status_code == 409
    error = refused.json()
    assert error["error_code"] == 409
    assert "marketing" in error["message"]
    assert "marketing reads email as a string; this version removes it" in error["message"]
    assert "data-analysis" not in error["message"]
    # Nothing was stored: still one version.
    assert client.get("/subjects/CUSTOMER_CREATED/versions").json() == [1]


def test_under_none_removing_a_field_nobody_reads_is_accepted_but_a_contract_break_is_not(
    customer_created: TestClient, files: Files
) -> None:
    client = customer_created
    assert client.put("/config/CUSTOMER_CREATED", json={"compatibility": "NONE"}).status_code == 200
    assert (
        register(client, files, "CUSTOMER_CREATED", "CUSTOMER_CREATED.v3-removes-fax")["status"]
        == 200
    )
    refused = register(client, files, "CUSTOMER_CREATED", "CUSTOMER_CREATED.v3-removes-email")
    assert refused["status"] == 409


def test_a_contract_the_producer_does_not_satisfy_is_refused_with_the_report(
    customer_created: TestClient, files: Files
) -> None:
    refused = contract(
        customer_created,
        files,
        "CUSTOMER_CREATED",
        "data-analysis",
        "data-analysis.CUSTOMER_CREATED.needs-country",
    )
    assert refused["status"] == 409
    report = refused["report"]
    assert isinstance(report, dict)
    assert report["side"] == "consumer"
    (verdict,) = report["consumers"]
    assert "data-analysis reads country as a string" in verdict["findings"][0]["message"]
    # The refused version was not stored.
    current = customer_created.get("/subjects/CUSTOMER_CREATED/consumers/data-analysis").json()
    assert current["version"] == 1


def test_fields_say_who_reads_what(customer_created: TestClient) -> None:
    fields = {
        f["path"]: f["consumers"]
        for f in customer_created.get("/subjects/CUSTOMER_CREATED/fields").json()
    }
    assert fields["email"] == ["marketing"]
    assert fields["customer_id"] == ["data-analysis", "marketing"]
    assert fields["fax"] == []


def test_deleting_a_contract_releases_its_fields(
    customer_created: TestClient, files: Files
) -> None:
    client = customer_created
    # NONE: only contracts decide (a closed JSON model's BACKWARD rule would refuse on its own).
    assert client.put("/config/CUSTOMER_CREATED", json={"compatibility": "NONE"}).status_code == 200
    assert (
        register(client, files, "CUSTOMER_CREATED", "CUSTOMER_CREATED.v3-removes-email")["status"]
        == 409
    )
    assert client.delete("/subjects/CUSTOMER_CREATED/consumers/marketing").json() == [1]
    assert client.get("/subjects/CUSTOMER_CREATED/consumers/marketing").status_code == 404
    assert (
        register(client, files, "CUSTOMER_CREATED", "CUSTOMER_CREATED.v3-removes-email")["status"]
        == 200
    )


def test_invalid_contracts_and_unknown_ones_get_clear_4xx(client: TestClient) -> None:
    bad = client.put("/subjects/T/consumers/x", json={"schemaType": "AVRO", "schema": "{"})
    assert bad.status_code == 422
    assert bad.json()["error_code"] == 42201
    missing = client.get("/subjects/T/consumers/nobody")
    assert missing.status_code == 404
    assert client.get("/subjects/T/fields").status_code == 404
    wrong_example = client.put(
        "/subjects/T/consumers/x",
        json={
            "schemaType": "JSON",
            "schema": json.dumps({"type": "object", "properties": {"a": {"type": "string"}}}),
            "examples": [{"a": 1}],
        },
    )
    assert wrong_example.status_code == 422


def test_a_contract_before_the_first_producer_version_is_refused_and_blocks_nothing(
    client: TestClient,
) -> None:
    """A contract on a topic with no live version protects nothing and would block the
    producer's first version: it is refused (404); once the topic exists it guards it."""
    files = Files("avro")
    early = contract(client, files, "CUSTOMER_CREATED", "marketing", "marketing.CUSTOMER_CREATED")
    assert early["status"] == 404
    assert early["error_code"] == 40401
    assert register(client, files, "CUSTOMER_CREATED", "CUSTOMER_CREATED.v1")["status"] == 200
    assert (
        contract(client, files, "CUSTOMER_CREATED", "marketing", "marketing.CUSTOMER_CREATED")[
            "status"
        ]
        == 200
    )
    refused = register(client, files, "CUSTOMER_CREATED", "CUSTOMER_CREATED.v3-removes-email")
    assert refused["status"] == 409
    example = refused["report"]["consumers"][0]["counterexample"]["message"]  # type: ignore[index]
    writer = fastavro.parse_schema(
        json.loads(str(files.body("CUSTOMER_CREATED.v3-removes-email")["schema"]))
    )
    fastavro.validation.validate(example, writer)


def test_a_schema_demanding_huge_values_gets_a_small_report_not_a_huge_body(
    client: TestClient,
) -> None:
    def body(name: dict[str, object], tags: dict[str, object]) -> dict[str, object]:
        schema = {
            "type": "object",
            "properties": {"name": name, "tags": tags},
            "required": ["name", "tags"],
        }
        return {"schemaType": "JSON", "schema": json.dumps(schema)}

    small = {"type": "string", "maxLength": 5}
    assert client.post("/subjects/T/versions", json=body(small, {})).status_code == 200
    assert client.put("/config/T", json={"compatibility": "NONE"}).status_code == 200
    assert client.put("/subjects/T/consumers/marketing", json=body(small, {})).status_code == 200
    huge = body(
        {"type": "string", "minLength": 100_000_000},
        {"type": "array", "minItems": 20_000_000, "items": {"type": "string"}},
    )
    checked = client.post("/subjects/T/check", json=huge)
    assert checked.status_code == 200
    assert len(checked.content) < 10_000
    (verdict,) = checked.json()["consumers"]
    assert verdict["consumer"] == "marketing"
    example = verdict["counterexample"]
    assert example["message"] is None
    assert "name is any string of at least 100000000 characters" in example["description"]
    # Registration runs the same check: refused with the same small report, nothing stored.
    refused = client.post("/subjects/T/versions", json=huge)
    assert refused.status_code == 409
    assert len(refused.content) < 10_000
    assert client.get("/subjects/T/versions").json() == [1]
