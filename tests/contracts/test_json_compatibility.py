"""JSON Schema compatibility held against jsonschema itself: table cases, counterexamples, generated instances."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from hypothesis_jsonschema import from_schema
from jsonschema import Draft7Validator, validators

from contracts import CompatibilityPolicy, parse_schema
from contracts.findings import parse_pointer
from contracts.json_compatibility import check_inclusion
from contracts.json_schema import JsonSchema

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "json_compatibility.json").read_text()
)
# hypothesis-jsonschema generates from draft 4/6/7 keywords; these writers use later ones.
MODERN = ("2019-09", "2020-12")


def parsed(schema: object) -> JsonSchema:
    result = parse_schema("JSON", json.dumps(schema))
    assert isinstance(result, JsonSchema)
    return result


def oracle(schema: Any) -> Any:
    """An independent validator: jsonschema's own choice of draft (draft 7 when `$schema` is absent,
    as Accord and Confluent default), no Accord code."""
    return validators.validator_for(schema, default=Draft7Validator)(schema)


def verdict(case: dict[str, Any]) -> list[Any]:
    return check_inclusion(
        parsed(case["reader"]),
        parsed(case["writer"]),
        policy=CompatibilityPolicy(case.get("policy", "STRICT")),
    )


def test_corpus_is_substantial_and_well_formed() -> None:
    assert len(CASES) >= 100
    assert sum(not c["compatible"] for c in CASES) >= 40
    assert any(c.get("policy") == "LENIENT" for c in CASES)
    for case in CASES:
        assert case["why"]
        assert "\n" not in case["why"]
        if case["compatible"]:
            assert case["kinds"] == []
        elif case.get("unproven"):
            assert "UNPROVEN" in case["kinds"]
        else:
            assert "counterexample" in case, case["why"]


@pytest.mark.parametrize("case", CASES, ids=[c["why"] for c in CASES])
def test_verdict_and_kinds(case: dict[str, Any]) -> None:
    findings = verdict(case)
    assert (not findings) == case["compatible"], [str(f) for f in findings]
    assert sorted({f.kind for f in findings}) == sorted(set(case["kinds"]))
    for finding in findings:
        assert parse_pointer(finding.pointer) == tuple(str(t) for t in finding.path)
        assert finding.reader_path is not None
        assert finding.writer_path is not None
        assert len(finding.message) > 20


INCOMPATIBLE = [c for c in CASES if "counterexample" in c]


@pytest.mark.parametrize("case", INCOMPATIBLE, ids=[c["why"] for c in INCOMPATIBLE])
def test_counterexample_is_real(case: dict[str, Any]) -> None:
    """Each breaking verdict is witnessed: a document the writer allows and the reader rejects."""
    example = case["counterexample"]
    assert oracle(case["writer"]).is_valid(example)
    assert not oracle(case["reader"]).is_valid(example)


PROVEN = [
    c
    for c in CASES
    if c["compatible"]
    and c.get("policy", "STRICT") == "STRICT"
    and not any(d in json.dumps(c["writer"]) for d in MODERN)
]


def test_most_compatible_cases_are_held_against_generated_instances() -> None:
    strict = [c for c in CASES if c["compatible"] and c.get("policy", "STRICT") == "STRICT"]
    assert len(PROVEN) >= 0.85 * len(strict)


@pytest.mark.parametrize("case", PROVEN, ids=[c["why"] for c in PROVEN])
def test_compatible_means_writer_instances_validate_under_reader(case: dict[str, Any]) -> None:
    writer, reader = case["writer"], oracle(case["reader"])
    assert not verdict(case)

    @settings(max_examples=15, suppress_health_check=[HealthCheck.filter_too_much])
    @given(from_schema(writer))
    def holds(document: Any) -> None:
        assert reader.is_valid(document), document

    if case.get("writer_accepts_nothing"):
        # The independent word on an empty writer: hypothesis-jsonschema finds no instance at all.
        with pytest.raises(Unsatisfiable):
            holds()
    else:
        holds()


# --- a generated family of evolved schemas ------------------------------------------------------

LEAVES = st.sampled_from(
    [
        {"type": "string"},
        {"type": "string", "maxLength": 3},
        {"type": "string", "minLength": 2},
        {"type": "integer"},
        {"type": "integer", "minimum": 0},
        {"type": "integer", "maximum": 10},
        {"type": "number"},
        {"type": "boolean"},
        {"type": ["string", "null"]},
        {"enum": ["a", "b"]},
        {"enum": ["a", "b", "c"]},
        {"const": "a"},
        {"type": "array", "items": {"type": "integer"}},
        {"type": "array", "items": {"type": "number"}, "maxItems": 2},
        {},
    ]
)
NAMES = st.sampled_from(["id", "email", "age", "tags"])


@st.composite
def object_schemas(draw: st.DrawFn, depth: int = 1) -> dict[str, Any]:
    value = LEAVES if depth == 0 else st.one_of(LEAVES, object_schemas(depth=depth - 1))
    properties = draw(st.dictionaries(NAMES, value, max_size=3))
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    required = (
        draw(st.lists(st.sampled_from(sorted(properties)), unique=True)) if properties else []
    )
    if required:
        schema["required"] = required
    extra = draw(st.sampled_from([None, False, {"type": "string"}]))
    if extra is not None:
        schema["additionalProperties"] = extra
    return schema


@st.composite
def evolutions(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A writer and a reader derived from it by small edits (so many pairs are compatible)."""
    writer = draw(object_schemas())
    reader = json.loads(json.dumps(writer))
    for _ in range(draw(st.integers(0, 2))):
        edit = draw(st.sampled_from(["add", "remove", "retype", "require", "unrequire", "close"]))
        props = reader["properties"]
        if edit == "add":
            props[draw(NAMES)] = draw(LEAVES)
        elif edit == "remove" and props:
            name = draw(st.sampled_from(sorted(props)))
            del props[name]
            reader["required"] = [n for n in reader.get("required", []) if n != name]
        elif edit == "retype" and props:
            props[draw(st.sampled_from(sorted(props)))] = draw(LEAVES)
        elif edit == "require" and props:
            reader["required"] = sorted(
                {*reader.get("required", []), draw(st.sampled_from(sorted(props)))}
            )
        elif edit == "unrequire":
            reader.pop("required", None)
        elif edit == "close":
            reader["additionalProperties"] = draw(st.sampled_from([True, False]))
        if not reader.get("required"):
            reader.pop("required", None)
    return reader, writer


@settings(max_examples=40, suppress_health_check=[HealthCheck.filter_too_much])
@given(evolutions(), st.data())
def test_generated_evolutions_hold_against_jsonschema(
    pair: tuple[dict[str, Any], dict[str, Any]], data: st.DataObject
) -> None:
    reader, writer = pair
    # Only a "compatible" answer claims anything the oracle can test; a pair judged incompatible is
    # not a case here (hypothesis fails the test if no generated pair is compatible).
    assume(not check_inclusion(parsed(reader), parsed(writer)))
    check = oracle(reader)
    for _ in range(5):
        document = data.draw(from_schema(writer))
        assert check.is_valid(document), (reader, writer, document)


def test_generated_family_is_not_trivially_compatible() -> None:
    """Guards the property above against a generator whose pairs would all be identical."""
    pairs = [
        (
            {"type": "object", "properties": {"id": {"type": "integer"}}},
            {"type": "object", "properties": {"id": {"type": "number"}}},
        ),
        ({"type": "object", "required": ["id"]}, {"type": "object"}),
    ]
    assert all(check_inclusion(parsed(r), parsed(w)) for r, w in pairs)


@settings(max_examples=30, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    st.lists(LEAVES, min_size=2, max_size=4, unique_by=json.dumps),
    st.sampled_from(["anyOf", "oneOf"]),
    st.randoms(use_true_random=False),
    st.data(),
)
def test_reordered_or_regrouped_alternatives_are_proven_safe(
    branches: list[dict[str, Any]], keyword: str, order: Any, data: st.DataObject
) -> None:
    """Branches shuffled, then the tail regrouped under a nested combinator of the same kind: the
    reader accepts the same documents or more (a nested oneOf accepts what the flat one does)."""
    shuffled = list(branches)
    order.shuffle(shuffled)
    writer: dict[str, Any] = {keyword: branches}
    for reader in ({keyword: shuffled}, {keyword: [shuffled[0], {keyword: shuffled[1:]}]}):
        assert not check_inclusion(parsed(reader), parsed(writer)), (reader, writer)
        if keyword == "anyOf":  # hypothesis-jsonschema generates anyOf instances directly
            check = oracle(reader)
            for _ in range(3):
                document = data.draw(from_schema(writer))
                assert check.is_valid(document), (reader, writer, document)
