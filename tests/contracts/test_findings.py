"""The finding vocabulary: one kind per thing that happened, in every format, and paths as tokens."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from contracts import FindingKind, check_pair, parse_schema
from contracts.findings import Finding, parse_pointer, render_pointer

README = Path(__file__).resolve().parents[2] / "README.md"

AVRO_ORDER = json.dumps(
    {
        "type": "record",
        "name": "Order",
        "fields": [{"name": "id", "type": "long"}, {"name": "email", "type": "string"}],
    }
)
JSON_ORDER = json.dumps(
    {
        "type": "object",
        "properties": {"id": {"type": "integer"}, "email": {"type": "string"}},
        "required": ["id", "email"],
    }
)


def test_the_readme_lists_exactly_the_kinds() -> None:
    text = README.read_text()
    section = text.split("### Finding kinds", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^- `([A-Z_]+)` — \S", section, flags=re.MULTILINE)
    assert sorted(listed) == sorted(k.value for k in FindingKind)
    assert len(listed) == len(set(listed))


def test_pointers_escape_per_rfc_6901_and_parse_back() -> None:
    assert render_pointer(()) == ""
    assert render_pointer(("a/b", "c~d", 0, "~1")) == "/a~1b/c~0d/0/~01"
    assert parse_pointer("/a~1b/c~0d/0/~01") == ("a/b", "c~d", "0", "~1")
    assert parse_pointer("") == ()
    assert parse_pointer("/") == ("",)
    with pytest.raises(ValueError, match="starts with '/'"):
        parse_pointer("a/b")


@pytest.mark.parametrize(
    ("message", "kind", "path", "keyword", "field"),
    [
        ({"id": 1}, FindingKind.MISSING_FIELD, ("email",), None, "email"),
        ({"id": "one", "email": "a@b"}, FindingKind.WRONG_TYPE, ("id",), "type", None),
    ],
)
def test_the_same_bad_message_reads_the_same_in_avro_and_json(
    message: dict[str, object],
    kind: FindingKind,
    path: tuple[str, ...],
    keyword: str | None,
    field: str | None,
) -> None:
    avro = parse_schema("AVRO", AVRO_ORDER).validate(message)
    json_ = parse_schema("JSON", JSON_ORDER).validate(message)
    for findings in (avro, json_):
        assert [(f.kind, f.path) for f in findings] == [(kind, path)]
        if keyword is not None:
            assert findings[0].keyword == keyword
        if field is not None:
            assert findings[0].field == field


def test_a_removed_required_field_reads_the_same_in_avro_and_json() -> None:
    def without_email(text: str, fmt: str) -> str:
        doc = json.loads(text)
        if fmt == "AVRO":
            doc["fields"] = doc["fields"][:1]
        else:
            del doc["properties"]["email"]
            doc["required"] = ["id"]
        return json.dumps(doc)

    for fmt, text in (("AVRO", AVRO_ORDER), ("JSON", JSON_ORDER)):
        reader = parse_schema(fmt, text)
        writer = parse_schema(fmt, without_email(text, fmt))
        required = [f for f in check_pair(reader, writer) if f.keyword != "properties"]
        (finding,) = required  # JSON also reports the property the open writer model may carry
        assert finding.kind is FindingKind.REQUIRED_FIELD_NOT_SENT
        assert finding.field == "email"
        assert finding.reader_path is not None
        assert finding.writer_path is not None


def test_a_tightened_bound_names_its_keyword() -> None:
    writer = parse_schema("JSON", json.dumps({"type": "string", "maxLength": 10}))
    reader = parse_schema("JSON", json.dumps({"type": "string", "maxLength": 5}))
    (finding,) = check_pair(reader, writer)
    assert finding.kind is FindingKind.MAX_LENGTH_DECREASED
    assert finding.keyword == "maxLength"
    assert finding.path == ("maxLength",)
    assert finding.pointer == "/maxLength"


def test_the_root_renders_as_the_empty_pointer_and_reads_as_slash() -> None:
    finding = Finding(FindingKind.WRONG_TYPE, (), "expected an object")
    assert finding.pointer == ""
    assert str(finding) == "WRONG_TYPE at /: expected an object"


def test_every_avro_compatibility_finding_names_the_field_it_concerns() -> None:
    """Not only a missing field: a type changed, an enum narrowed, a fixed resized or a union
    narrowed under a nested record field names that (innermost) field."""

    def record(**fields: object) -> str:
        return json.dumps(
            {
                "type": "record",
                "name": "Order",
                "fields": [
                    {
                        "name": "customer",
                        "type": {
                            "type": "record",
                            "name": "Customer",
                            "fields": [{"name": n, "type": t} for n, t in fields.items()],
                        },
                    }
                ],
            }
        )

    writer = parse_schema(
        "AVRO",
        record(
            id="string",
            tier={"type": "enum", "name": "Tier", "symbols": ["A", "B"]},
            key={"type": "fixed", "name": "Key", "size": 16},
            note=["null", "string", "int"],
        ),
    )
    reader = parse_schema(
        "AVRO",
        record(
            id="int",
            tier={"type": "enum", "name": "Tier", "symbols": ["A"]},
            key={"type": "fixed", "name": "Key", "size": 8},
            note=["null", "string"],
        ),
    )
    findings = check_pair(reader, writer).findings
    by_kind = {f.kind: f.field for f in findings}
    assert by_kind == {
        FindingKind.TYPE_CHANGED: "id",
        FindingKind.ENUM_NARROWED: "tier",
        FindingKind.FIXED_SIZE_MISMATCH: "key",
        FindingKind.UNION_NARROWED: "note",
    }
