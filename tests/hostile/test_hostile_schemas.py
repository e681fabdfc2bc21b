"""Hostile schemas: whatever parses once works everywhere afterwards, and the depth limit is said at parse."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import (
    MAX_DEPTH,
    CompatibilityLevel,
    InvalidSchema,
    VersionedSchema,
    check_pair,
    parse_schema,
)
from contracts.consumers import ConsumerContract, check_producer_schema
from contracts.fields import field_paths

PRIMITIVES = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]


@st.composite
def avro_schemas(draw: st.DrawFn) -> Any:
    """Deep chains, wide records, recursive records and long chains of named references."""
    names = (f"R{n}" for n in itertools.count())
    shape = draw(st.sampled_from(["random", "arrays", "records", "named_chain", "wide"]))
    if shape == "arrays":  # one document level and one type level per array
        schema: Any = "string"
        for _ in range(draw(st.integers(MAX_DEPTH - 4, MAX_DEPTH + 4))):
            schema = {"type": "array", "items": schema}
        return schema
    if shape == "records":  # three document levels per record
        schema = "long"
        for _ in range(draw(st.integers(MAX_DEPTH // 3 - 3, MAX_DEPTH // 3 + 3))):
            schema = {
                "type": "record",
                "name": next(names),
                "fields": [{"name": "f", "type": schema}],
            }
        return schema
    if shape == "named_chain":  # shallow text, deep types: each record holds the one before it
        chain = [{"type": "record", "name": "R0", "fields": [{"name": "f", "type": "int"}]}]
        for n in range(1, draw(st.integers(MAX_DEPTH - 4, MAX_DEPTH + 4))):
            chain.append(
                {"type": "record", "name": f"R{n}", "fields": [{"name": "f", "type": f"R{n - 1}"}]}
            )
        return chain
    if shape == "wide":
        width = draw(st.integers(200, 600))
        fields = [{"name": f"f{i}", "type": PRIMITIVES[i % 8]} for i in range(width)]
        return {"type": "record", "name": "Wide", "fields": fields}
    open_names: list[str] = []
    defined: list[str] = []

    def build(budget: int) -> Any:
        kinds = ["primitive"] + (["record", "array", "map", "union"] if budget > 0 else [])
        if open_names or defined:
            kinds.append("reference")
        kind = draw(st.sampled_from(kinds))
        if kind == "primitive":
            return draw(st.sampled_from(PRIMITIVES))
        if kind == "reference":  # to an enclosing record (recursion) or an earlier one
            return ["null", draw(st.sampled_from(open_names + defined))]
        if kind == "array":
            return {"type": "array", "items": build(budget - 1)}
        if kind == "map":
            return {"type": "map", "values": build(budget - 1)}
        if kind == "union":
            return ["null", {"type": "array", "items": build(budget - 1)}]
        name = next(names)
        open_names.append(name)
        count = draw(st.integers(0, 3))
        fields = [{"name": f"f{i}", "type": build(budget - 1)} for i in range(count)]
        open_names.pop()
        defined.append(name)
        return {"type": "record", "name": name, "fields": fields}

    return build(draw(st.integers(0, 8)))


@st.composite
def json_schemas(draw: st.DrawFn) -> Any:
    """Deep nesting, wide objects, recursion through properties, and chains and cycles of $ref."""
    shape = draw(
        st.sampled_from(["random", "not", "properties", "ref_chain", "ref_cycle", "wide", "tree"])
    )
    depth = draw(st.integers(MAX_DEPTH - 4, MAX_DEPTH + 4))
    if shape == "not":  # one document level per subschema
        schema: Any = {"type": "string"}
        for _ in range(depth):
            schema = {"not": schema}
        return schema
    if shape == "properties":  # two document levels per subschema
        schema = {"type": "integer"}
        for _ in range(depth // 2):
            schema = {"type": "object", "properties": {"p": schema}, "required": ["p"]}
        return schema
    if shape == "ref_chain":  # shallow text, deep subschemas
        defs = {f"d{n}": {"$ref": f"#/definitions/d{n + 1}"} for n in range(depth)}
        defs[f"d{depth}"] = {"type": "string"}
        return {"definitions": defs, "$ref": "#/definitions/d0"}
    if shape == "ref_cycle":  # a cycle of references, descending or not
        length = draw(st.integers(1, 4))
        descends = draw(st.booleans())
        defs = {}
        for n in range(length):
            target = {"$ref": f"#/definitions/d{(n + 1) % length}"}
            defs[f"d{n}"] = {"properties": {"next": target}} if descends else {"allOf": [target]}
        return {"definitions": defs, "$ref": "#/definitions/d0"}
    if shape == "wide":
        width = draw(st.integers(200, 600))
        return {"type": "object", "properties": {f"p{i}": {"type": "string"} for i in range(width)}}
    if shape == "tree":  # recursion through items and properties: the message bounds it
        return {
            "definitions": {
                "node": {
                    "type": "object",
                    "properties": {
                        "children": {"type": "array", "items": {"$ref": "#/definitions/node"}}
                    },
                }
            },
            "$ref": "#/definitions/node",
        }

    def build(budget: int) -> Any:
        kinds = ["leaf"] + (["object", "array", "allOf", "anyOf", "not"] if budget > 0 else [])
        kind = draw(st.sampled_from(kinds))
        if kind == "leaf":
            return draw(st.sampled_from([{"type": "string"}, {"type": "integer"}, {}, True]))
        if kind == "object":
            count = draw(st.integers(0, 3))
            return {
                "type": "object",
                "properties": {f"p{i}": build(budget - 1) for i in range(count)},
            }
        if kind == "array":
            return {"type": "array", "items": build(budget - 1)}
        if kind == "not":
            return {"not": build(budget - 1)}
        return {kind: [build(budget - 1) for _ in range(draw(st.integers(1, 3)))]}

    return build(draw(st.integers(0, 8)))


def nested(depth: int) -> Any:
    value: Any = "x"
    for n in range(depth):
        value = {"p": value, "f": value, "next": None, "children": [value]} if n < 3 else [value]
    return value


MESSAGES = [
    None,
    "x",
    1,
    1.5,
    True,
    {},
    [],
    {"f": 1},
    nested(5),
    nested(MAX_DEPTH + 5),
    nested(2000),
]


def survives_everything(schema_type: str, document: Any) -> None:
    text = json.dumps(document)
    try:
        parsed = parse_schema(schema_type, text)
    except InvalidSchema as exc:
        refusal = exc
    else:
        refusal = None
    if refusal is not None:
        assert refusal.path.startswith("/")
        return
    again = parse_schema(schema_type, parsed.canonical)
    assert again.canonical == parsed.canonical
    assert again.fingerprint == parsed.fingerprint == parse_schema(schema_type, text).fingerprint
    for message in MESSAGES:
        findings = parsed.validate(message)
        assert (findings == []) == (parsed.explain(message) == [])
        if not findings:
            encoded = parsed.encode(message)
            decoded = parsed.decode(encoded)
            assert (
                parsed.validate(decoded) == [] or schema_type == "AVRO"
            )  # Avro gives back bytes/datetimes
    itself = check_pair(parsed, parsed)
    if schema_type == "AVRO":
        assert itself.compatible, itself.messages()
    field_paths(parsed)
    check_producer_schema(
        "T",
        parsed,
        live=[VersionedSchema(1, again)],
        level=CompatibilityLevel.FULL_TRANSITIVE,
        contracts=[ConsumerContract("team", again)],
    )


@given(avro_schemas())
def test_every_avro_schema_that_parses_works_everywhere(document: Any) -> None:
    survives_everything("AVRO", document)


@given(json_schemas())
def test_every_json_schema_that_parses_works_everywhere(document: Any) -> None:
    survives_everything("JSON", document)


def nots(depth: int) -> Any:
    schema: Any = {}
    for _ in range(depth - 1):
        schema = {"not": schema}
    return schema


def arrays(depth: int) -> Any:
    schema: Any = "int"
    for _ in range(depth - 1):
        schema = {"type": "array", "items": schema}
    return schema


@pytest.mark.parametrize(
    ("schema_type", "build"), [("JSON", nots), ("AVRO", arrays)], ids=["JSON", "AVRO"]
)
def test_schemas_parse_up_to_the_depth_limit_and_are_refused_beyond_saying_where(
    schema_type: str, build: Any
) -> None:
    parse_schema(schema_type, json.dumps(build(MAX_DEPTH)))
    with pytest.raises(InvalidSchema) as refused:
        parse_schema(schema_type, json.dumps(build(MAX_DEPTH + 1)))
    assert f"more than {MAX_DEPTH} levels" in str(refused.value)
    assert refused.value.path.count("/") > MAX_DEPTH - 2  # the deepest place, not "/"


@pytest.mark.parametrize("schema_type", ["JSON", "AVRO"])
def test_schema_text_past_the_interpreter_limit_is_an_invalid_schema(schema_type: str) -> None:
    with pytest.raises(InvalidSchema, match=f"more than {MAX_DEPTH} levels"):
        parse_schema(schema_type, "[" * 100_000 + "]" * 100_000)


def test_a_reference_chain_deeper_than_the_limit_is_refused_where_it_goes_too_deep() -> None:
    depth = MAX_DEPTH + 10
    defs = {f"d{n}": {"$ref": f"#/$defs/d{n + 1}"} for n in range(depth)}
    defs[f"d{depth}"] = {"type": "string"}
    with pytest.raises(InvalidSchema, match=r"references followed") as refused:
        parse_schema("JSON", json.dumps({"$defs": defs, "$ref": "#/$defs/d0"}))
    assert refused.value.path.startswith("/$defs/d")


def test_a_cycle_of_references_that_never_descends_is_refused() -> None:
    schema = {"$defs": {"a": {"allOf": [{"$ref": "#/$defs/b"}]}, "b": {"$ref": "#/$defs/a"}}}
    with pytest.raises(InvalidSchema, match="never leave the cycle"):
        parse_schema("JSON", json.dumps({**schema, "$ref": "#/$defs/a"}))
    # the same cycle through `properties` is recursion, bounded by the message: accepted
    node = {"type": "object", "properties": {"next": {"$ref": "#/$defs/a"}}}
    tree = {"$defs": {"a": node}, "$ref": "#/$defs/a"}
    parsed = parse_schema("JSON", json.dumps(tree))
    assert parsed.validate({"next": {"next": {}}}) == []
    assert parsed.validate({"next": {"next": 5}}) != []
