"""The JSON Schema format: parse errors located, canonical form, validation held against generated instances."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from contracts import EncodingError, InvalidSchema, SchemaType, check_pair, parse_schema
from contracts.json_schema import JsonSchema

DATA = Path(__file__).parent / "data"
INVALID: list[dict[str, str]] = json.loads((DATA / "json_invalid_schemas.json").read_text())

CUSTOMER: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": {"type": "integer", "minimum": 1},
        "customer": {
            "type": "object",
            "properties": {
                "email": {"type": "string", "minLength": 3, "maxLength": 40},
                "tier": {"enum": ["GOLD", "BASIC"]},
            },
            "required": ["email"],
        },
        "tags": {"type": "array", "items": {"$ref": "#/definitions/tag"}, "maxItems": 3},
    },
    "required": ["id", "customer"],
    "definitions": {"tag": {"type": "string", "maxLength": 8}},
}


def parsed(schema: object) -> JsonSchema:
    result = parse_schema("JSON", json.dumps(schema))
    assert isinstance(result, JsonSchema)
    return result


@pytest.mark.parametrize("case", INVALID, ids=[c["why"] for c in INVALID])
def test_invalid_schema_says_what_and_where(case: dict[str, str]) -> None:
    with pytest.raises(InvalidSchema) as caught:
        parse_schema("JSON", case["text"])
    assert caught.value.path == case["path"]
    assert case["says"] in caught.value.message


@pytest.mark.parametrize(
    "text",
    [
        '{"type": "number", "maximum": 1e400}',
        '{"type": "number", "minimum": -1e400}',
        '{"type": "number", "multipleOf": 1e999}',
        '{"enum": [1, 2e308]}',
        '{"properties": {"a": {"const": -1.5e309}}}',
        '{"default": 1e400}',
    ],
)
def test_numbers_beyond_a_double_are_refused_at_parse(text: str) -> None:
    """json.loads would read them as infinity, which no bound, fraction or JSON answer holds."""
    with pytest.raises(InvalidSchema, match="too large for a double"):
        parse_schema("JSON", text)


def test_the_largest_numbers_a_double_holds_parse_and_check() -> None:
    huge = parse_schema("JSON", '{"type": "number", "maximum": 1.7e308, "minimum": -1e308}')
    digits = parse_schema("JSON", '{"type": "number", "maximum": ' + "9" * 60 + "}")
    small = parse_schema("JSON", '{"type": "number", "maximum": 5, "minimum": 0}')
    for reader, writer in ((huge, small), (small, huge), (digits, small), (small, digits)):
        check_pair(reader, writer)
    assert check_pair(huge, small).compatible
    assert not check_pair(small, digits).compatible


@pytest.mark.parametrize(
    ("schema", "draft"),
    [
        ({}, "Draft7Validator"),
        ({"$schema": "http://json-schema.org/draft-07/schema"}, "Draft7Validator"),
        ({"$schema": "https://json-schema.org/draft/2019-09/schema"}, "Draft201909Validator"),
        ({"$schema": "https://json-schema.org/draft/2020-12/schema#"}, "Draft202012Validator"),
        (True, "Draft7Validator"),
    ],
)
def test_draft_is_chosen_by_dollar_schema(schema: object, draft: str) -> None:
    assert parsed(schema).draft.__name__ == draft
    assert parsed(schema).schema_type is SchemaType.JSON


def test_canonical_ignores_whitespace_and_key_order() -> None:
    reordered = json.dumps(dict(reversed(list(CUSTOMER.items()))), indent=3)
    a, b = parsed(CUSTOMER), parse_schema("JSON", reordered)
    assert a.canonical == b.canonical
    assert a.fingerprint == b.fingerprint
    assert a == b
    assert len({a, b}) == 1
    assert b.text == reordered
    assert " " not in a.canonical.replace('"', "")
    different = {**CUSTOMER, "required": ["id"]}
    assert parsed(different).fingerprint != a.fingerprint


def test_embedded_id_resources_resolve_without_network() -> None:
    schema = parsed(
        {
            "$id": "https://accord.example/customer.json",
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$defs": {"email": {"$id": "email.json", "type": "string", "maxLength": 5}},
            "properties": {"email": {"$ref": "email.json"}},
        }
    )
    assert schema.validate({"email": "a@b"}) == []
    assert [f.kind for f in schema.validate({"email": "toolong@x"})] == ["WRONG_SIZE"]


def test_every_problem_is_reported_with_its_path() -> None:
    schema = parsed(CUSTOMER)
    message = {
        "id": 0,
        "customer": {"tier": "PLATINUM"},
        "tags": ["ok", "much-too-long", 3],
    }
    found = {(f.pointer, f.kind) for f in schema.validate(message)}
    assert found == {
        ("/id", "OUT_OF_RANGE"),
        ("/customer/email", "MISSING_FIELD"),
        ("/customer/tier", "NOT_ALLOWED_VALUE"),
        ("/tags/1", "WRONG_SIZE"),
        ("/tags/2", "WRONG_TYPE"),
    }
    for finding in schema.validate(message):
        assert "PLATINUM" not in finding.message or finding.kind == "NOT_ALLOWED_VALUE"


def test_several_missing_required_properties_each_get_a_path() -> None:
    schema = parsed({"type": "object", "required": ["a", "b", "c"]})
    assert [f.pointer for f in schema.validate({"b": 1})] == ["/a", "/c"]
    assert [f.kind for f in schema.validate([])] == ["WRONG_TYPE"]


def test_format_is_an_annotation() -> None:
    assert parsed({"type": "string", "format": "email"}).validate("not an e-mail") == []


def test_pointer_tokens_are_escaped() -> None:
    schema = parsed({"properties": {"a/b": {"type": "string"}, "c~d": {"type": "string"}}})
    assert [f.pointer for f in schema.validate({"a/b": 1, "c~d": 2})] == ["/a~1b", "/c~0d"]


def test_encode_is_compact_utf8_json_in_both_encodings() -> None:
    schema = parsed(CUSTOMER)
    message = {"id": 1, "customer": {"email": "zoë@x.fr"}}
    expected = '{"id":1,"customer":{"email":"zoë@x.fr"}}'.encode()
    assert schema.encode(message) == expected
    assert schema.encode(message, encoding="json") == expected
    assert schema.decode(expected, encoding="json") == message


@pytest.mark.parametrize("payload", [b"\xff\xfe", b"{", b"NaN", b'{"a": Infinity}', b""])
def test_decode_garbage_is_an_encoding_error(payload: bytes) -> None:
    with pytest.raises(EncodingError):
        parsed(CUSTOMER).decode(payload)


@pytest.mark.parametrize("message", [{"x": float("nan")}, {"x": object()}, {1j: 2}])
def test_encode_refuses_what_json_cannot_hold(message: object) -> None:
    with pytest.raises(EncodingError):
        parsed({}).encode(message)


def test_decode_with_reader_validates_and_keeps_the_whole_document() -> None:
    writer = parsed(CUSTOMER)
    reader = parsed(
        {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id"]}
    )
    payload = writer.encode({"id": 7, "customer": {"email": "abc"}})
    assert writer.decode(payload, reader=reader) == {"id": 7, "customer": {"email": "abc"}}
    with pytest.raises(EncodingError, match="/id"):
        writer.decode(b'{"customer": {}}', reader=reader)


@settings(max_examples=40, suppress_health_check=[HealthCheck.filter_too_much])
@given(from_schema(CUSTOMER))
def test_generated_instances_validate_and_round_trip(message: Any) -> None:
    schema = parsed(CUSTOMER)
    assert schema.validate(message) == []
    assert schema.decode(schema.encode(message)) == message


MUTATIONS = [
    (("id",), "not a number", "/id", "WRONG_TYPE"),
    (("customer", "email"), "ab", "/customer/email", "WRONG_SIZE"),
    (("customer", "tier"), "SILVER", "/customer/tier", "NOT_ALLOWED_VALUE"),
    (("customer", "email"), None, "/customer/email", "MISSING_FIELD"),
    (("id",), None, "/id", "MISSING_FIELD"),
]


@settings(max_examples=40, suppress_health_check=[HealthCheck.filter_too_much])
@given(from_schema(CUSTOMER), st.sampled_from(MUTATIONS))
def test_mutated_instances_are_reported_at_the_right_path(
    message: Any, mutation: tuple[tuple[str, ...], object, str, str]
) -> None:
    where, value, path, kind = mutation
    target = message
    for key in where[:-1]:
        target = target[key]
    if value is None:
        target.pop(where[-1], None)
    else:
        target[where[-1]] = value
    findings = parsed(CUSTOMER).validate(message)
    assert (path, kind) in {(f.pointer, f.kind) for f in findings}


def test_validator_is_compiled_once_per_schema() -> None:
    schema = parsed(CUSTOMER)
    first = schema.validator
    schema.validate({"id": 1})
    schema.validate({"id": 2})
    assert schema.validator is first
