"""Hostile schemas: whatever parses once works everywhere afterwards, and the depth limit is said at parse."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
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
        defs: dict[str, Any] = {f"d{n}": {"$ref": f"#/definitions/d{n + 1}"} for n in range(depth)}
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
    refusal: InvalidSchema | None
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


# --- through the registry: what registration accepts, every later route serves ----------------

# Values at and past the edges of what a double, a pattern engine, a size or an Avro type holds.
# Stand-ins for number literals json.dumps cannot write: 1e400 (past a double) and an integer of
# 5,000 digits (past Python's int-from-text limit).
OVERFLOW = "__1e400__"
LONG_INTEGER = "__5000_digits__"
HOSTILE_NUMBERS: list[Any] = [
    1.7e308,
    -1.7e308,
    10**60,
    -(10**40),
    5e-324,
    1e-320,
    0.1,
    3,
    OVERFLOW,
]


def schema_text(document: Any) -> str:
    text = json.dumps(document).replace(f'"{OVERFLOW}"', "1e400")
    return text.replace(f'"{LONG_INTEGER}"', "9" * 5000)


HOSTILE_SIZES = [0, 1, 17, 10**8, 2**31, 10**30]
HOSTILE_PATTERNS = [
    "^(a+)+$",
    "(x+x+)+y",
    "^(a|aa)*b$",
    "^[a-z]{1,1000}$",
    "\\p{L}+",
    "^(?=a)a+$",
    "(a)\\1",
    "^.*$",
]


@st.composite
def hostile_json_leaves(draw: st.DrawFn) -> Any:
    kind = draw(st.sampled_from(["number", "size", "pattern", "names", "enum"]))
    if kind == "number":
        keyword = draw(st.sampled_from(["maximum", "minimum", "multipleOf", "exclusiveMaximum"]))
        value = draw(st.sampled_from(HOSTILE_NUMBERS))
        if keyword == "multipleOf" and value != OVERFLOW and value <= 0:
            value = -value or 1
        return {"type": draw(st.sampled_from(["number", "integer"])), keyword: value}
    if kind == "size":
        keyword = draw(st.sampled_from(["minLength", "maxLength", "minItems", "minProperties"]))
        kind_of = {"minLength": "string", "maxLength": "string", "minItems": "array"}
        return {
            "type": kind_of.get(keyword, "object"),
            keyword: draw(st.sampled_from(HOSTILE_SIZES)),
        }
    if kind == "pattern":
        return {"type": "string", "pattern": draw(st.sampled_from(HOSTILE_PATTERNS))}
    if kind == "names":
        pattern = draw(st.sampled_from(HOSTILE_PATTERNS))
        return {"type": "object", "patternProperties": {pattern: {"type": "integer"}}}
    return {"enum": [draw(st.sampled_from(HOSTILE_NUMBERS)), "x" * 300, None]}


@st.composite
def hostile_json_documents(draw: st.DrawFn) -> Any:
    leaves = draw(st.lists(hostile_json_leaves(), min_size=1, max_size=3))
    properties = {f"p{i}": leaf for i, leaf in enumerate(leaves)}
    document: Any = {"type": "object", "properties": properties, "required": list(properties)}
    if draw(st.booleans()):  # inside the generated structures above, at a random depth
        document = {"type": "object", "properties": {"outer": draw(json_schemas()), "h": document}}
    return document


@st.composite
def hostile_avro_documents(draw: st.DrawFn) -> Any:
    fields: list[Any] = []
    for i in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["fixed", "decimal", "default", "enum", "structure"]))
        name = f"f{i}"
        if kind == "fixed":
            size = draw(st.sampled_from([0, 16, 10 * 1024 * 1024, 10 * 1024 * 1024 + 1, 10**9]))
            fields.append({"name": name, "type": {"type": "fixed", "name": f"F{i}", "size": size}})
        elif kind == "decimal":
            precision = draw(st.sampled_from([1, 38, 1000, 1001]))
            decimal = {"type": "bytes", "logicalType": "decimal", "precision": precision}
            fields.append({"name": name, "type": {**decimal, "scale": min(precision, 2)}})
        elif kind == "default":
            value = draw(st.sampled_from([*HOSTILE_NUMBERS, 2**63 - 1, 2**63]))
            kind_of = draw(st.sampled_from(["long", "double", "int"]))
            fields.append({"name": name, "type": kind_of, "default": value})
        elif kind == "enum":
            symbols = [f"S{n}" for n in range(draw(st.sampled_from([1, 500])))]
            fields.append(
                {"name": name, "type": {"type": "enum", "name": f"E{i}", "symbols": symbols}}
            )
        else:
            fields.append({"name": name, "type": draw(avro_schemas())})
    return {"type": "record", "name": "Hostile", "fields": fields}


# Plain proposals beside the hostile schema: the compatibility and contract checks compare them.
_PLAIN_PROPERTIES = {
    "p0": {"type": "number", "maximum": 5, "minimum": 0, "multipleOf": 0.5},
    "p1": {"type": "string", "maxLength": 3, "pattern": "^a"},
    "p2": {"type": "array", "maxItems": 2},
}
PLAIN_JSON = [
    {"schemaType": "JSON", "schema": json.dumps(schema)}
    for schema in (
        {"type": "number", "maximum": 5},
        {"type": "object"},
        {"type": "object", "properties": _PLAIN_PROPERTIES},
        {"type": "object", "properties": _PLAIN_PROPERTIES, "required": list(_PLAIN_PROPERTIES)},
    )
]
PLAIN_AVRO = [
    {"schema": json.dumps({"type": "record", "name": "Hostile", "fields": fields})}
    for fields in ([], [{"name": "f0", "type": "long"}], [{"name": "f1", "type": "string"}])
]


def served_everywhere(client: Any, subject: str, body: dict[str, Any]) -> None:
    """Registration answers 200 or a 4xx; after a 200 every route on the topic answers, none 5xx."""
    registered = client.post(f"/subjects/{subject}/versions", json=body)
    assert registered.status_code < 500, registered.text
    if registered.status_code != 200:
        assert registered.json()["error_code"] in (42201, 42208, 42209), registered.text
        return
    schema_id = registered.json()["id"]
    for path in (
        f"/subjects/{subject}/versions/latest",
        f"/subjects/{subject}/versions/1/schema",
        f"/schemas/ids/{schema_id}",
        f"/subjects/{subject}/fields",
    ):
        read = client.get(path)
        assert read.status_code == 200, (path, read.text)
    others = [body, *(PLAIN_AVRO if body.get("schemaType") != "JSON" else PLAIN_JSON)]
    # FULL: every proposal is checked as reader and as writer of the hostile schema.
    assert client.put(f"/config/{subject}", json={"compatibility": "FULL"}).status_code == 200
    for proposal in others:
        for path in (
            f"/subjects/{subject}/check",
            f"/compatibility/subjects/{subject}/versions/latest",
            f"/subjects/{subject}",
        ):
            answer = client.post(path, json=proposal)
            assert answer.status_code < 500, (path, answer.text)
    contract = client.put(f"/subjects/{subject}/consumers/reader", json=body)
    assert contract.status_code in (200, 409), contract.text
    # The hostile schema as a consumer's contract on a topic with plain producer schemas.
    for n, plain in enumerate(others[1:]):
        plain_topic = f"{subject}-plain-{n}"
        assert client.post(f"/subjects/{plain_topic}/versions", json=plain).status_code == 200
        contract = client.put(f"/subjects/{plain_topic}/consumers/hostile", json=body)
        assert contract.status_code in (200, 409, 422), contract.text
    again = client.post(f"/subjects/{subject}/versions", json=body)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == schema_id


SUBJECTS = itertools.count()


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=hostile_json_documents())
@example(document={"type": "number", "multipleOf": OVERFLOW})  # was stored, then 500 at /check
@example(document={"properties": {"p0": {"maximum": OVERFLOW, "minimum": -(10**40)}}})
def test_every_hostile_json_schema_registration_accepts_is_served_everywhere(
    plain_client: Any, document: Any
) -> None:
    body = {"schemaType": "JSON", "schema": schema_text(document)}
    served_everywhere(plain_client, f"json-{next(SUBJECTS)}", body)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=hostile_avro_documents())
@example(
    document={
        "type": "record",
        "name": "R",
        "fields": [{"name": "a", "type": "long", "default": LONG_INTEGER}],
    }
)
def test_every_hostile_avro_schema_registration_accepts_is_served_everywhere(
    plain_client: Any, document: Any
) -> None:
    served_everywhere(plain_client, f"avro-{next(SUBJECTS)}", {"schema": schema_text(document)})
