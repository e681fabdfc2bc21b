"""The documented finding model (the one the OpenAPI comes from) carries every field the report writes."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from contracts import FindingKind
from contracts.findings import Finding
from contracts.report import (
    CheckReport,
    ConsumerVerdict,
    Counterexample,
    LevelVerdict,
    WireCheckReport,
    WireFinding,
    finding_to_dict,
)
from tests.registry.registry_schemas import V1, record


def test_the_finding_model_reads_and_writes_every_field_of_a_report_finding() -> None:
    finding = Finding(
        kind=FindingKind.TYPE_CHANGED,
        path=("fields", "id"),
        message="the writer sends string where the reader expects long",
        reader_path=("fields", 0, "type"),
        writer_path=("fields", 0, "type"),
        version=3,
        keyword="type",
        field="id",
    )
    wire = finding_to_dict(finding)
    # pydantic reads and writes it as FastAPI does for the OpenAPI and the responses.
    model = TypeAdapter(WireFinding)
    assert model.dump_python(model.validate_python(wire), by_alias=True, mode="json") == wire
    assert set(wire) == {
        "kind",
        "path",
        "message",
        "keyword",
        "field",
        "readerPath",
        "writerPath",
        "version",
    }


def test_a_check_report_body_is_exactly_what_the_documented_model_reads() -> None:
    finding = Finding(FindingKind.TYPE_CHANGED, ("fields", "id"), "id changed", keyword="type")
    report = CheckReport(
        topic="T",
        side="producer",
        level=LevelVerdict("BACKWARD", (1,), (finding,)),
        consumers=(
            ConsumerVerdict("crm"),
            ConsumerVerdict(
                "marketing",
                (finding,),
                contract_version=2,
                counterexample=Counterexample(None, "too large", "any message where id is huge"),
            ),
        ),
    )
    body = report.to_dict()
    # The body the registry sends validates against the model its OpenAPI documents, and reads
    # back as the very wire value it was written from.
    assert TypeAdapter(WireCheckReport).validate_python(body) == report.wire()


def test_the_registry_check_carries_where_and_against_which_version(client: Any) -> None:
    # Compatibility findings are located in the reader and the writer schema and name the version.
    client.put("/config/T", json={"compatibility": "BACKWARD"})
    assert client.post("/subjects/T/versions", json={"schema": V1}).status_code == 200
    changed = {"schema": record(("id", "int"))}
    [finding] = client.post("/subjects/T/check", json=changed).json()["level"]["findings"]
    assert {k: v for k, v in finding.items() if k != "message"} == {
        "kind": "TYPE_CHANGED",
        "path": "/fields/id",
        "keyword": "type",
        "field": "id",
        "readerPath": "/fields/0/type",
        "writerPath": "/fields/0/type",
        "version": 1,
    }
