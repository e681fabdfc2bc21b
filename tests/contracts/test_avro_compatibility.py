"""The Avro compatibility engine against a corpus written from the spec, and against fastavro."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import fastavro
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import check_pair, parse_schema
from contracts.avro import AvroSchema, AvroType, Record, Union
from contracts.findings import parse_pointer
from tests.contracts.test_avro_datums import datums

CASES = json.loads((Path(__file__).parent / "data" / "avro_compatibility.json").read_text())


def avro(spec: Any) -> AvroSchema:
    schema = parse_schema("AVRO", json.dumps(spec))
    assert isinstance(schema, AvroSchema)
    return schema


def fastavro_reads(reader: AvroSchema, writer: AvroSchema, message: Any) -> bool:
    """The oracle: fastavro's own schema resolution decodes what the writer wrote."""
    payload = writer.encode(message)
    try:
        fastavro.schemaless_reader(
            io.BytesIO(payload), writer.fastavro_schema, reader.fastavro_schema
        )
    except Exception:
        return False
    return True


def test_corpus_is_large_and_balanced() -> None:
    assert len(CASES) >= 120
    assert sum(c["compatible"] for c in CASES) >= 40
    assert sum(not c["compatible"] for c in CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c["why"] for c in CASES])
def test_corpus_verdicts_and_kinds(case: dict[str, Any]) -> None:
    result = check_pair(avro(case["reader"]), avro(case["writer"]))
    assert result.compatible is case["compatible"], result.messages()
    assert sorted({f.kind for f in result}) == case["kinds"]
    for finding in result:
        assert parse_pointer(finding.pointer) == tuple(str(t) for t in finding.path)
        assert finding.reader_path is not None
        assert finding.writer_path is not None
        assert len(finding.message) > 20


def writes_something(node: AvroType, active: frozenset[int] = frozenset()) -> bool:
    """Whether some message is valid for the type (a union with no branches has none, nor has a
    record with a field of such a type)."""
    if isinstance(node, Union):
        return any(writes_something(b, active) for b in node.branches)
    if isinstance(node, Record):
        if id(node) in active:
            return False  # a record that needs itself, with no way out, has no finite message
        return all(writes_something(f.type, active | {id(node)}) for f in node.fields)
    return True  # a primitive, enum or fixed has values; an array or map may be empty


COMPATIBLE = [c for c in CASES if c["compatible"] and writes_something(avro(c["writer"]).root)]
WRITES_NOTHING = [c for c in CASES if not writes_something(avro(c["writer"]).root)]


@pytest.mark.parametrize("case", COMPATIBLE, ids=[c["why"] for c in COMPATIBLE])
@settings(max_examples=5)
@given(data=st.data())
def test_compatible_corpus_cases_decode_with_fastavro(case: dict[str, Any], data: Any) -> None:
    reader, writer = avro(case["reader"]), avro(case["writer"])
    # The spec lets a reader read bytes as a string; fastavro cannot decode non-UTF-8 bytes as
    # text, so the writer's bytes are UTF-8 here (the spec, not the oracle, decides the verdict).
    message = data.draw(datums(writer.root, utf8_bytes=True))
    assert fastavro_reads(reader, writer, message)


@pytest.mark.parametrize("case", WRITES_NOTHING, ids=[c["why"] for c in WRITES_NOTHING])
def test_a_writer_that_writes_nothing_is_read_by_every_reader(case: dict[str, Any]) -> None:
    writer = avro(case["writer"])
    assert check_pair(avro(case["reader"]), writer).compatible
    for payload in (b"", b"\x00", b"\x02", b"\x00\x00", b"\x02\x02\x02"):
        # fastavro, the oracle, decodes no payload at all with this writer schema.
        with pytest.raises((IndexError, EOFError, StopIteration, ValueError)):
            fastavro.schemaless_reader(io.BytesIO(payload), writer.fastavro_schema, None)


def test_finding_names_field_and_reason() -> None:
    writer = avro({"type": "record", "name": "C", "fields": [{"name": "id", "type": "long"}]})
    reader = avro(
        {
            "type": "record",
            "name": "C",
            "fields": [
                {"name": "id", "type": "long"},
                {
                    "name": "customer",
                    "type": {
                        "type": "record",
                        "name": "Customer",
                        "fields": [{"name": "email", "type": "string"}],
                    },
                    "default": {"email": "x"},
                },
            ],
        }
    )
    assert check_pair(reader, writer).compatible
    nested_writer = avro(
        {
            "type": "record",
            "name": "C",
            "fields": [
                {"name": "id", "type": "long"},
                {
                    "name": "customer",
                    "type": {"type": "record", "name": "Customer", "fields": []},
                },
            ],
        }
    )
    (finding,) = check_pair(reader, nested_writer)
    assert finding.kind == "REQUIRED_FIELD_NOT_SENT"
    assert finding.pointer == "/fields/customer/email"
    assert finding.reader_path == ("fields", 1, "type", "fields", 0)
    assert finding.reader_pointer == "/fields/1/type/fields/0"
    assert finding.field == "email"
    assert "'email'" in finding.message
    assert "does not send it" in finding.message


# --- evolution: random schemas, random changes, fastavro as the judge -------------------------

PRIMS = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]
DEFAULTS: dict[str, Any] = {
    "null": None,
    "boolean": False,
    "int": 0,
    "long": 0,
    "float": 0.0,
    "double": 0.0,
    "bytes": "",
    "string": "",
}


def field_types() -> st.SearchStrategy[Any]:
    leaf = st.sampled_from(PRIMS)
    enum = st.lists(st.sampled_from("ABCDE"), min_size=1, max_size=4, unique=True).map(
        lambda s: {"type": "enum", "name": "E", "symbols": s}
    )
    return st.one_of(
        leaf,
        st.lists(leaf, min_size=1, max_size=3, unique=True),
        st.builds(lambda t: {"type": "array", "items": t}, leaf),
        st.builds(lambda t: {"type": "map", "values": t}, leaf),
        enum,
    )


def default_for(type_: Any) -> Any:
    if isinstance(type_, list):
        return default_for(type_[0])
    if isinstance(type_, dict):
        return {"array": [], "map": {}}.get(type_["type"], type_.get("symbols", [None])[0])
    return DEFAULTS[type_]


@st.composite
def records(draw: Any) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from("abcdefg"), min_size=1, max_size=5, unique=True))
    fields = []
    enum_used = False
    for name in names:
        type_ = draw(field_types())
        if isinstance(type_, dict) and type_["type"] == "enum":
            if enum_used:
                type_ = "string"
            enum_used = True
        field: dict[str, Any] = {"name": name, "type": type_}
        if draw(st.booleans()):
            field["default"] = default_for(type_)
        fields.append(field)
    return {"type": "record", "name": "R", "fields": fields}


@st.composite
def evolved(draw: Any, spec: dict[str, Any]) -> dict[str, Any]:
    spec = json.loads(json.dumps(spec))
    fields = spec["fields"]
    for _ in range(draw(st.integers(1, 3))):
        op = draw(
            st.sampled_from(
                ["add", "remove", "retype", "symbols", "branches", "rename", "rename_record"]
            )
        )
        if op == "add" and len(fields) < 7:
            free = [n for n in "hijklmn" if n not in {f["name"] for f in fields}]
            field = {"name": draw(st.sampled_from(free)), "type": draw(st.sampled_from(PRIMS))}
            if draw(st.booleans()):
                field["default"] = default_for(field["type"])
            fields.append(field)
        elif op == "remove" and len(fields) > 1:
            fields.pop(draw(st.integers(0, len(fields) - 1)))
        elif op == "retype":
            field = draw(st.sampled_from(fields))
            field["type"] = draw(st.sampled_from(PRIMS))
            if "default" in field:
                field["default"] = default_for(field["type"])
        elif op == "symbols":
            for field in fields:
                if isinstance(field["type"], dict) and field["type"]["type"] == "enum":
                    symbols = draw(
                        st.lists(st.sampled_from("ABCDEF"), min_size=1, max_size=5, unique=True)
                    )
                    field["type"]["symbols"] = symbols
                    if draw(st.booleans()):
                        field["type"]["default"] = symbols[0]
                    if "default" in field:
                        field["default"] = symbols[0]
        elif op == "branches":
            field = draw(st.sampled_from(fields))
            field["type"] = draw(
                st.lists(st.sampled_from(PRIMS), min_size=1, max_size=4, unique=True)
            )
            if "default" in field:
                field["default"] = default_for(field["type"])
        elif op == "rename":
            field = draw(st.sampled_from(fields))
            old = field["name"]
            field["name"] = old + "2" if old + "2" not in {f["name"] for f in fields} else old
            if draw(st.booleans()):
                field["aliases"] = [old]
        elif op == "rename_record":
            spec["name"] = "S"
            if draw(st.booleans()):
                spec["aliases"] = ["R"]
    return spec


@settings(max_examples=120)
@given(data=st.data())
def test_engine_agrees_with_fastavro_on_evolved_schemas(data: Any) -> None:
    base = data.draw(records())
    changed = data.draw(evolved(base))
    for reader_spec, writer_spec in ((changed, base), (base, changed)):
        reader, writer = avro(reader_spec), avro(writer_spec)
        compatible = check_pair(reader, writer).compatible
        messages = data.draw(st.lists(datums(writer.root, utf8_bytes=True), min_size=3, max_size=3))
        decoded = all(fastavro_reads(reader, writer, m) for m in messages)
        if compatible:
            assert decoded, "the engine said compatible, but fastavro could not decode"
        if not decoded:
            assert not compatible
