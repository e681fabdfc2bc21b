"""The Avro format: parse errors located, canonical form, validate, encode and decode."""

from __future__ import annotations

import json

import fastavro.validation
import pytest

from contracts import EncodingError, InvalidSchema, MessageRejected, parse_schema
from contracts.avro import AvroSchema

CUSTOMER = json.dumps(
    {
        "type": "record",
        "name": "Customer",
        "namespace": "com.acme.crm",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "email", "type": "string"},
            {"name": "nickname", "type": ["null", "string"], "default": None},
            {
                "name": "tier",
                "type": {"type": "enum", "name": "Tier", "symbols": ["GOLD", "BASIC"]},
            },
            {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
        ],
    }
)


def customer() -> AvroSchema:
    schema = parse_schema("AVRO", CUSTOMER)
    assert isinstance(schema, AvroSchema)
    return schema


def test_canonical_ignores_whitespace_and_key_order() -> None:
    spec = json.loads(CUSTOMER)
    reordered = json.dumps(dict(reversed(list(spec.items()))), indent=4)
    assert parse_schema("AVRO", reordered).canonical == customer().canonical
    assert parse_schema("AVRO", reordered).fingerprint == customer().fingerprint


def test_doc_change_changes_the_fingerprint() -> None:
    spec = json.loads(CUSTOMER)
    spec["doc"] = "a customer of ACME"
    assert parse_schema("AVRO", json.dumps(spec)).fingerprint != customer().fingerprint


def test_non_json_text_is_an_invalid_schema() -> None:
    with pytest.raises(InvalidSchema, match="not valid JSON"):
        parse_schema("AVRO", "{not json")


def test_an_integer_longer_than_python_reads_is_an_invalid_schema() -> None:
    """json.loads raises a plain ValueError past 4,300 digits: still an InvalidSchema."""
    field = '{"name": "a", "type": "long", "default": ' + "9" * 5000 + "}"
    with pytest.raises(InvalidSchema, match="not valid JSON"):
        parse_schema("AVRO", '{"type": "record", "name": "R", "fields": [' + field + "]}")


def test_valid_message_round_trips_binary_and_json() -> None:
    schema = customer()
    message = {"id": 7, "email": "a@b.c", "nickname": "al", "tier": "GOLD", "tags": ["x"]}
    assert schema.validate(message) == []
    for encoding in ("binary", "json"):
        assert (
            schema.decode(schema.encode(message, encoding=encoding), encoding=encoding) == message
        )


def test_invalid_message_is_reported_with_paths_and_refused() -> None:
    schema = customer()
    message = {"id": "7", "tier": "PLATINUM", "tags": ["x", 3]}
    found = {(f.kind, f.pointer) for f in schema.validate(message)}
    assert found == {
        ("WRONG_TYPE", "/id"),
        ("MISSING_FIELD", "/email"),
        ("NOT_ALLOWED_VALUE", "/tier"),
        ("WRONG_TYPE", "/tags/1"),
    }
    with pytest.raises(MessageRejected) as refused:
        schema.encode(message)
    assert len(refused.value.findings) == 4


def test_garbage_payload_is_an_encoding_error() -> None:
    with pytest.raises(EncodingError):
        customer().decode(b"\x05\xff\xff")


INVALID = json.loads(
    (__import__("pathlib").Path(__file__).parent / "data" / "avro_invalid.json").read_text()
)


@pytest.mark.parametrize("case", INVALID, ids=[c["why"] for c in INVALID])
def test_invalid_schemas_say_what_and_where(case: dict[str, str]) -> None:
    with pytest.raises(InvalidSchema) as refused:
        parse_schema("AVRO", case["schema"])
    assert case["message"] in refused.value.message
    assert refused.value.path == case["path"]


@pytest.mark.parametrize("text", ['"string"', '{"type": "string"}', '["null", "long"]'])
def test_bare_primitives_and_unions_are_schemas(text: str) -> None:
    assert parse_schema("AVRO", text).canonical == parse_schema("AVRO", text).canonical
    assert parse_schema("AVRO", '{"type": "string"}').canonical == '"string"'


def test_canonical_form_reparses_to_itself() -> None:
    schema = customer()
    again = parse_schema("AVRO", schema.canonical)
    assert again.canonical == schema.canonical
    assert isinstance(again, AvroSchema)
    assert again.parsing_canonical_form == schema.parsing_canonical_form


NO_BRANCHES = '{"type": "record", "name": "R", "fields": [{"name": "a", "type": []}]}'
SAMPLE_VALUES: list[object] = [None, True, 0, 1.5, "", b"", [], {}, {"a": None}]


@pytest.mark.parametrize("text", ["[]", NO_BRANCHES])
def test_a_union_with_no_branches_parses_and_accepts_no_value(text: str) -> None:
    schema = parse_schema("AVRO", text)
    assert isinstance(schema, AvroSchema)
    assert parse_schema("AVRO", schema.canonical).canonical == schema.canonical
    assert "[]" in schema.parsing_canonical_form
    for value in SAMPLE_VALUES:
        # fastavro's own validator agrees: nothing matches a union with no branches.
        assert not fastavro.validation.validate(value, schema.fastavro_schema, raise_errors=False)
        assert not schema.is_valid(value)
        assert schema.validate(value) == schema.explain(value) != []
        with pytest.raises(MessageRejected):
            schema.encode(value)


def test_a_value_for_a_union_with_no_branches_is_no_matching_alternative() -> None:
    (finding,) = parse_schema("AVRO", NO_BRANCHES).validate({"a": 3})
    assert (finding.kind, finding.pointer) == ("NO_MATCHING_ALTERNATIVE", "/a")
    assert "no branches" in finding.message
    assert [f.kind for f in parse_schema("AVRO", "[]").validate("x")] == ["NO_MATCHING_ALTERNATIVE"]


def test_no_payload_decodes_with_a_union_with_no_branches() -> None:
    schema = parse_schema("AVRO", "[]")
    for payload in (b"", b"\x00", b"\x02\x00"):
        with pytest.raises(EncodingError):
            schema.decode(payload)
