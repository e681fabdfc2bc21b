"""Examples are small by construction: a schema demanding a huge value gets a description, not one."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import InvalidSchema, parse_schema
from contracts.compatibility import CompatibilityLevel
from contracts.consumers import ConsumerContract, check_producer_schema
from contracts.counterexamples import find_counterexample
from contracts.limits import (
    MAX_AVRO_FIXED_SIZE,
    MAX_DECIMAL_PRECISION,
    MAX_EXAMPLE_BYTES,
    MAX_EXAMPLE_ITEMS,
    MAX_EXAMPLE_SIZE,
    MAX_EXAMPLE_STRING,
)
from contracts.report import render_json, render_junit, render_text


def described(
    producer: dict[str, Any] | str, contract: dict[str, Any], schema_type: str = "JSON"
) -> str:
    """The description of the counterexample; `producer` as a dict, or as text when it holds a
    number json.dumps cannot write."""
    text = producer if isinstance(producer, str) else json.dumps(producer)
    found = find_counterexample(
        parse_schema(schema_type, text),
        parse_schema(schema_type, json.dumps(contract)),
    )
    assert found is not None
    assert found.message is None  # nothing was built
    assert found.description is not None
    return found.description


def obj(required: bool = True, **properties: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        **({"required": sorted(properties)} if required else {}),
    }


# (producer, contract, words the description must contain, why)
HUGE = [
    pytest.param(
        obj(name={"type": "string", "minLength": 100_000_000}),
        obj(name={"type": "string", "maxLength": 10}),
        ["name is any string of at least 100000000 characters"],
        id="minLength far above the example limit",
    ),
    pytest.param(
        obj(tags={"type": "array", "minItems": 20_000_000, "items": {"type": "string"}}),
        obj(tags={"type": "array", "maxItems": 3}),
        ["tags is any array of at least 20000000 items"],
        id="minItems far above the example limit",
    ),
    pytest.param(
        obj(n={"type": "integer", "minimum": 10**300}),
        obj(n={"type": "integer", "maximum": 5}),
        ["n is any integer above an integer of about 301 digits"],
        id="a minimum with more digits than an example number may have",
    ),
    pytest.param(
        obj(many={"type": "object", "minProperties": 5000}),
        obj(many={"type": "object", "maxProperties": 1}),
        ["many is any object of at least 5000 properties"],
        id="minProperties above the property limit",
    ),
]


@pytest.mark.parametrize(("producer", "contract", "words"), HUGE)
def test_a_json_constraint_beyond_the_limits_is_described_not_built(
    producer: dict[str, Any] | str, contract: dict[str, Any], words: list[str]
) -> None:
    description = described(producer, contract)
    for word in words:
        assert word in description
    assert len(description) < 500


def test_a_number_no_double_can_hold_is_refused_at_parse() -> None:
    """Python's json would read 1e400 as infinity, which no example (or bound) can represent: the
    schema is refused where it is parsed, naming the number, before any example is sought."""
    with pytest.raises(InvalidSchema, match="1e400 is too large for a double"):
        parse_schema(
            "JSON",
            '{"type": "object", "properties": {"n": {"type": "number", "minimum": 1e400}}}',
        )


def avro_record(*fields: dict[str, Any]) -> dict[str, Any]:
    return {"type": "record", "name": "Event", "fields": list(fields)}


def test_an_avro_fixed_beyond_the_example_limit_is_described() -> None:
    size = MAX_EXAMPLE_BYTES + 1
    producer = avro_record(
        {"name": "blob", "type": {"type": "fixed", "name": "Blob", "size": size}}
    )
    contract = avro_record({"name": "blob", "type": "string"})
    assert f"blob is any {size}-byte value of the fixed Blob" in described(
        producer, contract, "AVRO"
    )


def test_an_avro_fixed_within_the_example_limit_is_still_built() -> None:
    producer = avro_record(
        {"name": "blob", "type": {"type": "fixed", "name": "Blob", "size": MAX_EXAMPLE_BYTES}}
    )
    contract = avro_record({"name": "blob", "type": "string"})
    found = find_counterexample(
        parse_schema("AVRO", json.dumps(producer)), parse_schema("AVRO", json.dumps(contract))
    )
    assert found is not None
    assert found.message == {"blob": b"\0" * MAX_EXAMPLE_BYTES}


@pytest.mark.parametrize(
    ("schema", "path", "words"),
    [
        pytest.param(
            avro_record(
                {"name": "b", "type": {"type": "fixed", "name": "B", "size": 1_000_000_000}}
            ),
            "/fields/0/type/size",
            f"larger than the {MAX_AVRO_FIXED_SIZE} bytes",
            id="fixed size above the largest message",
        ),
        pytest.param(
            {"type": "bytes", "logicalType": "decimal", "precision": 10**8, "scale": 5 * 10**7},
            "/precision",
            f"at most {MAX_DECIMAL_PRECISION} digits",
            id="decimal precision (encoding writes scale digits even for zero)",
        ),
    ],
)
def test_avro_sizes_beyond_the_documented_maxima_are_refused_at_parse(
    schema: dict[str, Any], path: str, words: str
) -> None:
    with pytest.raises(InvalidSchema) as refused:
        parse_schema("AVRO", json.dumps(schema))
    assert refused.value.path == path
    assert words in refused.value.message


def test_nested_arrays_whose_example_would_explode_stay_within_the_size_limit() -> None:
    # Eight levels of arrays of at least MAX_EXAMPLE_ITEMS items: 16**8 leaves if built.
    node: dict[str, Any] = {"type": "integer"}
    for _ in range(8):
        node = {"type": "array", "minItems": MAX_EXAMPLE_ITEMS, "items": node}
    producer = obj(deep=node, id={"type": "integer"})
    contract = obj(id={"type": "string"})
    description = described(producer, contract)
    assert f"more than {MAX_EXAMPLE_SIZE} characters" in description


@st.composite
def sized_schemas(draw: st.DrawFn) -> dict[str, Any]:
    """Objects whose properties carry size constraints on both sides of every limit."""
    sizes = st.integers(min_value=0, max_value=4 * MAX_EXAMPLE_STRING)
    properties: dict[str, Any] = {}
    for name in draw(st.lists(st.sampled_from("abcde"), unique=True, min_size=1)):
        kind = draw(st.sampled_from(["string", "array", "integer"]))
        if kind == "string":
            properties[name] = {"type": "string", "minLength": draw(sizes)}
        elif kind == "array":
            items = draw(st.integers(min_value=0, max_value=4 * MAX_EXAMPLE_ITEMS))
            properties[name] = {"type": "array", "minItems": items, "items": {"type": "string"}}
        else:
            properties[name] = {"type": "integer", "minimum": draw(st.integers(0, 10**60))}
    return obj(**properties)


@given(producer=sized_schemas())
@settings(max_examples=40, deadline=None)
def test_every_counterexample_is_within_the_size_limit_or_described(
    producer: dict[str, Any],
) -> None:
    contract = {"type": "object", "properties": {"zz": {"type": "string"}}, "required": ["zz"]}
    found = find_counterexample(
        parse_schema("JSON", json.dumps(producer)), parse_schema("JSON", json.dumps(contract))
    )
    assert found is not None  # the producer never sends `zz`
    if found.description is None:
        assert len(json.dumps(found.message)) <= MAX_EXAMPLE_SIZE
        jsonschema.validate(found.message, producer)  # a built example is a real one
    else:
        assert found.message is None


def test_a_check_against_a_huge_string_renders_a_small_report_in_every_format() -> None:
    producer = parse_schema("JSON", json.dumps(obj(name={"type": "string", "minLength": 10**8})))
    contract = ConsumerContract(
        "marketing", parse_schema("JSON", json.dumps(obj(name={"type": "string", "maxLength": 5})))
    )
    report = check_producer_schema(
        "CUSTOMER", producer, live=(), level=CompatibilityLevel.NONE, contracts=[contract]
    )
    assert not report.ok
    for rendered in (render_json(report), render_text(report), render_junit(report)):
        assert len(rendered) < 10_000
        assert "marketing" in rendered
        assert "any string of at least 100000000 characters" in rendered
