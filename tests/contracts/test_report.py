"""The check report as data and its text, JSON and JUnit XML renderings."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

from contracts.findings import Finding, FindingKind
from contracts.limits import MAX_FINDINGS_RENDERED, MAX_MESSAGE_LENGTH
from contracts.report import (
    CheckReport,
    ConsumerVerdict,
    Counterexample,
    LevelVerdict,
    render,
    render_json,
    render_junit,
    render_text,
)

EMAIL_REMOVED = Finding(
    kind=FindingKind.REQUIRED_FIELD_NOT_SENT,
    path=("fields", "customer", "email"),
    message="marketing reads customer.email as a string; this version removes it",
)

BROKEN = CheckReport(
    topic="CUSTOMER_CREATED",
    side="producer",
    level=LevelVerdict(level="BACKWARD", versions=(2,)),
    consumers=(
        ConsumerVerdict("data-analysis", contract_version=1),
        ConsumerVerdict(
            "marketing",
            findings=(EMAIL_REMOVED,),
            contract_version=3,
            counterexample=Counterexample({"id": "example", "blob": b"\x00\xff"}, "decoding fails"),
        ),
    ),
)

SAFE = CheckReport(
    topic="EMAIL_SENT",
    side="producer",
    level=LevelVerdict(level="NONE"),
    consumers=(ConsumerVerdict("crm"),),
)


def test_verdict_and_summary_name_who_breaks() -> None:
    assert not BROKEN.ok
    assert BROKEN.broken_consumers == ["marketing"]
    assert "breaks the contract of marketing" in BROKEN.summary()
    assert SAFE.ok
    assert SAFE.summary().startswith("EMAIL_SENT: safe")


def test_a_level_failure_alone_makes_the_report_breaking() -> None:
    report = CheckReport(
        topic="T", side="producer", level=LevelVerdict("FULL", (1,), (EMAIL_REMOVED,))
    )
    assert not report.ok
    assert "FULL compatibility" in report.summary()


def test_json_rendering_round_trips() -> None:
    data = json.loads(render_json(BROKEN))
    assert data["ok"] is False
    assert data["consumers"][1]["findings"][0]["path"] == "/fields/customer/email"
    # Avro bytes travel as Avro-JSON strings (one character per byte).
    assert data["consumers"][1]["counterexample"]["message"]["blob"] == "\x00\xff"
    again = CheckReport.from_dict(data)
    assert again.level == BROKEN.level
    assert [c.findings for c in again.consumers] == [c.findings for c in BROKEN.consumers]
    assert again.ok is False
    assert again.summary() == BROKEN.summary()


def test_junit_has_one_case_for_the_level_and_one_per_consumer() -> None:
    root = ET.fromstring(render_junit(BROKEN))
    suite = root.find("testsuite")
    assert suite is not None
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == [
        "compatibility BACKWARD",
        "consumer data-analysis",
        "consumer marketing",
    ]
    assert suite.get("tests") == "3"
    assert suite.get("failures") == "1"
    failure = cases[2].find("failure")
    assert failure is not None
    assert failure.get("type") == "REQUIRED_FIELD_NOT_SENT"
    assert "this version removes it" in (failure.text or "")
    assert "example message" in (failure.text or "")
    assert cases[0].find("failure") is None


def test_text_is_plain_unless_colour_is_asked_for() -> None:
    plain = render_text(BROKEN)
    assert "\033[" not in plain
    assert "[BROKEN] consumer marketing (contract v3)" in plain
    assert "[ok] consumer data-analysis" in plain
    assert "marketing reads customer.email as a string; this version removes it" in plain
    coloured = render_text(BROKEN, colour=True)
    assert "\033[31mBROKEN\033[0m" in coloured


def test_render_dispatches_on_format() -> None:
    assert render(SAFE, "json") == render_json(SAFE)
    assert render(SAFE, "junit").startswith("<?xml")
    assert render(SAFE, "text") == render_text(SAFE)


def test_consumer_side_report_has_no_level() -> None:
    report = CheckReport(
        topic="CUSTOMER_CREATED",
        side="consumer",
        consumers=(ConsumerVerdict("data-analysis", findings=(EMAIL_REMOVED,)),),
    )
    assert "current producer schema does not satisfy" in report.summary()
    root = ET.fromstring(render_junit(report))
    assert [c.get("name") for c in root.iter("testcase")] == ["consumer data-analysis"]


EVERY_FIELD = Finding(
    kind=FindingKind.REQUIRED_FIELD_NOT_SENT,
    path=("fields", "a/b", "c~d"),
    message="marketing reads a/b.c~d as a string; this version removes it",
    reader_path=("fields", "1", "type", "fields", "0"),
    writer_path=("fields", "1", "type"),
    version=4,
    keyword="required",
    field="c~d",
)


def test_every_finding_field_survives_the_json_round_trip() -> None:
    report = CheckReport(
        topic="T",
        side="producer",
        level=LevelVerdict("BACKWARD", (4,), (EVERY_FIELD,)),
        consumers=(ConsumerVerdict("marketing", findings=(EVERY_FIELD,), contract_version=2),),
    )
    data = json.loads(render_json(report))
    wire = data["level"]["findings"][0]
    assert wire == {
        "kind": "REQUIRED_FIELD_NOT_SENT",
        "path": "/fields/a~1b/c~0d",
        "message": EVERY_FIELD.message,
        "keyword": "required",
        "field": "c~d",
        "readerPath": "/fields/1/type/fields/0",
        "writerPath": "/fields/1/type",
        "version": 4,
    }
    again = CheckReport.from_dict(data)
    assert again.level is not None
    assert again.level.findings == (EVERY_FIELD,)
    assert again.consumers[0].findings == (EVERY_FIELD,)


def test_text_and_junit_show_every_finding_field() -> None:
    report = CheckReport(
        topic="T",
        side="producer",
        level=None,
        consumers=(ConsumerVerdict("marketing", findings=(EVERY_FIELD,)),),
    )
    junit = ET.fromstring(render_junit(report)).find("testsuite/testcase/failure")
    assert junit is not None
    for text in (render_text(report), junit.text or ""):
        for shown in (
            "/fields/a~1b/c~0d",
            "[REQUIRED_FIELD_NOT_SENT]",
            EVERY_FIELD.message,
            "keyword required",
            "field c~d",
            "reader /fields/1/type/fields/0",
            "writer /fields/1/type",
            "version 4",
        ):
            assert shown in text


def many_findings(count: int) -> tuple[Finding, ...]:
    return tuple(
        Finding(
            kind=FindingKind.REQUIRED_FIELD_NOT_SENT,
            path=("fields", f"f{i}"),
            message=f"f{i} was removed",
        )
        for i in range(count)
    )


FLOODED = CheckReport(
    topic="WIDE",
    side="producer",
    level=LevelVerdict(level="BACKWARD", versions=(1,), findings=many_findings(10_000)),
    consumers=(ConsumerVerdict("marketing", findings=many_findings(10_000)),),
)


def test_every_rendering_lists_at_most_the_cap_and_counts_the_rest() -> None:
    more = 10_000 - MAX_FINDINGS_RENDERED
    data = json.loads(render_json(FLOODED))
    assert len(data["level"]["findings"]) == MAX_FINDINGS_RENDERED
    assert data["level"]["moreFindings"] == more
    assert len(data["consumers"][0]["findings"]) == MAX_FINDINGS_RENDERED
    assert data["consumers"][0]["moreFindings"] == more
    text = render_text(FLOODED)
    assert text.count(" was removed") == 2 * MAX_FINDINGS_RENDERED
    assert text.count(f"... and {more} more findings") == 2
    junit = render_junit(FLOODED)
    assert junit.count(" was removed") <= 2 * (MAX_FINDINGS_RENDERED + 1)  # + failure message
    assert junit.count(f"... and {more} more findings") == 2
    # Bounded by the cap, not by the 20,000 findings.
    for rendered in (render_json(FLOODED), text, junit):
        assert len(rendered) < 4 * MAX_FINDINGS_RENDERED * 100


def test_a_report_read_back_keeps_the_count_of_findings_left_out() -> None:
    again = CheckReport.from_dict(json.loads(render_json(FLOODED)))
    assert again.ok is False
    more = 10_000 - MAX_FINDINGS_RENDERED
    assert render_text(again).count(f"... and {more} more findings") == 2


def test_a_long_sentence_is_clipped_in_every_rendering() -> None:
    huge = Finding(FindingKind.TYPE_CHANGED, ("fields", "f"), "m" * 100_000, field="f" * 100_000)
    report = CheckReport(topic="T", side="consumer", consumers=(ConsumerVerdict("c", (huge,)),))
    for rendered in (render_json(report), render_text(report), render_junit(report)):
        assert len(rendered) < 6 * MAX_MESSAGE_LENGTH


def test_a_described_counterexample_renders_its_description_and_no_message() -> None:
    described = Counterexample(None, "too large to build", "any message where name is huge")
    report = CheckReport(
        topic="T",
        side="consumer",
        consumers=(ConsumerVerdict("c", (EMAIL_REMOVED,), counterexample=described),),
    )
    data = json.loads(render_json(report))
    assert data["consumers"][0]["counterexample"] == {
        "message": None,
        "reason": "too large to build",
        "description": "any message where name is huge",
    }
    assert CheckReport.from_dict(data).consumers[0].counterexample == described
    assert "not built, any message where name is huge" in render_text(report)
    assert "not built, any message where name is huge" in render_junit(report)
