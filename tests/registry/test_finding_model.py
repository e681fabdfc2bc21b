"""The registry's documented finding model carries every field the report writes."""

from __future__ import annotations

from contracts import FindingKind
from contracts.findings import Finding
from contracts.report import finding_to_dict
from registry.api.consumers import FindingModel


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
    assert FindingModel.model_validate(wire).wire() == wire
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
