"""Counterexamples are verified by oracles we did not write: jsonschema validating, fastavro decoding."""

from __future__ import annotations

import io
import json
from typing import Any

import fastavro
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import check_pair, parse_schema
from contracts.counterexamples import find_counterexample


def json_schema(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


def assert_json_counterexample(producer: dict[str, Any], contract: dict[str, Any]) -> object:
    found = find_counterexample(
        parse_schema("JSON", json.dumps(producer)), parse_schema("JSON", json.dumps(contract))
    )
    assert found is not None
    # The oracle: jsonschema itself accepts it under the producer and rejects it under the contract.
    jsonschema.validate(found.message, producer)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(found.message, contract)
    return found.message


EMAIL = {"type": "string"}

# (producer, contract, why the contract can be broken)
JSON_BREAKS = [
    pytest.param(
        {**json_schema(id=EMAIL), "required": ["id"]},
        {**json_schema(email=EMAIL), "required": ["email"]},
        id="removed field the contract requires",
    ),
    pytest.param(
        {**json_schema(email=EMAIL)},
        {**json_schema(email=EMAIL), "required": ["email"]},
        id="producer made a required field optional",
    ),
    pytest.param(
        {**json_schema(email={"type": ["string", "null"]}), "required": ["email"]},
        {**json_schema(email=EMAIL), "required": ["email"]},
        id="producer widened the type with null",
    ),
    pytest.param(
        {**json_schema(id=EMAIL), "required": ["id"]},
        json_schema(phone={"type": "string"}),
        id="open producer may send the contract's optional field with another type",
    ),
    pytest.param(
        {**json_schema(status={"enum": ["active", "closed", "frozen"]}), "required": ["status"]},
        {**json_schema(status={"enum": ["active", "closed"]}), "required": ["status"]},
        id="new enum value",
    ),
    pytest.param(
        {
            **json_schema(
                customer={
                    "type": "object",
                    "properties": {"email": {"type": "integer"}},
                    "required": ["email"],
                }
            ),
            "required": ["customer"],
        },
        {
            **json_schema(
                customer={
                    "type": "object",
                    "properties": {"email": EMAIL},
                    "required": ["email"],
                }
            ),
            "required": ["customer"],
        },
        id="nested type change",
    ),
    pytest.param(
        {**json_schema(tags={"type": "array", "items": {"type": "integer"}}), "required": ["tags"]},
        {**json_schema(tags={"type": "array", "items": EMAIL}), "required": ["tags"]},
        id="array item type change",
    ),
]


@pytest.mark.parametrize(("producer", "contract"), JSON_BREAKS)
def test_json_counterexample_is_valid_for_the_producer_and_rejected_by_the_contract(
    producer: dict[str, Any], contract: dict[str, Any]
) -> None:
    assert_json_counterexample(producer, contract)


def test_json_none_when_the_contract_accepts_everything_the_producer_sends() -> None:
    producer = {**json_schema(email=EMAIL, id=EMAIL), "required": ["email", "id"]}
    contract = {**json_schema(email=EMAIL), "required": ["email"]}
    assert (
        find_counterexample(
            parse_schema("JSON", json.dumps(producer)), parse_schema("JSON", json.dumps(contract))
        )
        is None
    )


def avro(fields: list[dict[str, Any]], name: str = "CustomerCreated") -> dict[str, Any]:
    return {"type": "record", "name": name, "fields": fields}


CUSTOMER = {
    "type": "record",
    "name": "Customer",
    "fields": [{"name": "email", "type": "string"}],
}

# (producer as writer, contract as reader)
AVRO_BREAKS = [
    pytest.param(
        avro([{"name": "id", "type": "string"}]),
        avro([{"name": "email", "type": "string"}]),
        id="removed field without default in the reader",
    ),
    pytest.param(
        avro([{"name": "email", "type": ["null", "string"]}]),
        avro([{"name": "email", "type": "string"}]),
        id="null branch the reader cannot take",
    ),
    pytest.param(
        avro(
            [{"name": "status", "type": {"type": "enum", "name": "S", "symbols": ["A", "B", "C"]}}]
        ),
        avro([{"name": "status", "type": {"type": "enum", "name": "S", "symbols": ["A", "B"]}}]),
        id="enum symbol unknown to the reader",
    ),
    pytest.param(
        avro([{"name": "count", "type": "long"}]),
        avro([{"name": "count", "type": "int"}]),
        id="long does not narrow to int",
    ),
    pytest.param(
        avro([{"name": "customer", "type": ["null", CUSTOMER]}]),
        avro(
            [
                {
                    "name": "customer",
                    "type": [
                        "null",
                        {
                            "type": "record",
                            "name": "Customer",
                            "fields": [
                                {"name": "email", "type": "string"},
                                {"name": "phone", "type": "string"},
                            ],
                        },
                    ],
                }
            ]
        ),
        id="field missing inside an optional nested record",
    ),
    pytest.param(
        avro([{"name": "tags", "type": {"type": "array", "items": ["string", "int"]}}]),
        avro([{"name": "tags", "type": {"type": "array", "items": "string"}}]),
        id="array item union branch the reader lacks",
    ),
]


@pytest.mark.parametrize(("producer", "contract"), AVRO_BREAKS)
def test_avro_counterexample_is_written_by_the_producer_and_fails_to_decode_with_the_contract(
    producer: dict[str, Any], contract: dict[str, Any]
) -> None:
    found = find_counterexample(
        parse_schema("AVRO", json.dumps(producer)), parse_schema("AVRO", json.dumps(contract))
    )
    assert found is not None
    # The oracle: fastavro itself writes it with the producer and cannot read it with the contract.
    writer = fastavro.parse_schema(producer)
    reader = fastavro.parse_schema(contract)
    buffer = io.BytesIO()
    fastavro.schemaless_writer(buffer, writer, found.message)
    with pytest.raises(Exception) as failure:  # noqa: PT011 - fastavro raises several kinds
        fastavro.schemaless_reader(io.BytesIO(buffer.getvalue()), writer, reader)
    assert failure.type.__module__.startswith("fastavro")


def test_avro_none_when_the_reader_resolves_every_message() -> None:
    producer = avro([{"name": "email", "type": "string"}, {"name": "count", "type": "int"}])
    contract = avro(
        [{"name": "count", "type": "long"}, {"name": "note", "type": "string", "default": ""}]
    )
    assert (
        find_counterexample(
            parse_schema("AVRO", json.dumps(producer)), parse_schema("AVRO", json.dumps(contract))
        )
        is None
    )


# --- generated pairs: sound always, complete on flat records ---------------------------------

ENUM_SYMBOLS = ["A", "B", "C"]
AVRO_TYPES: list[tuple[object, object]] = [
    ("string", ""),
    ("long", 0),
    ("int", 0),
    ("double", 0.0),
    (["null", "string"], None),
]


@st.composite
def avro_records(draw: st.DrawFn, *, defaults: bool) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), unique=True, max_size=4))
    fields = []
    for name in names:
        if draw(st.booleans()):
            kind, default = draw(st.sampled_from(AVRO_TYPES))
        else:
            symbols = draw(st.lists(st.sampled_from(ENUM_SYMBOLS), unique=True, min_size=1))
            kind, default = {"type": "enum", "name": f"E{name}", "symbols": symbols}, symbols[0]
        field: dict[str, Any] = {"name": name, "type": kind}
        if defaults and draw(st.booleans()):
            field["default"] = default
        fields.append(field)
    return avro(fields)


@given(producer=avro_records(defaults=False), contract=avro_records(defaults=True))
@settings(max_examples=60)
def test_generated_avro_pairs_have_a_counterexample_exactly_when_the_check_finds_a_break(
    producer: dict[str, Any], contract: dict[str, Any]
) -> None:
    writer, reader = (parse_schema("AVRO", json.dumps(s)) for s in (producer, contract))
    found = find_counterexample(writer, reader)
    if found is not None:
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, fastavro.parse_schema(producer), found.message)
        with pytest.raises(Exception) as failure:  # noqa: PT011 - fastavro raises several kinds
            fastavro.schemaless_reader(
                io.BytesIO(buffer.getvalue()),
                fastavro.parse_schema(producer),
                fastavro.parse_schema(contract),
            )
        assert failure.type.__module__.startswith("fastavro")
    # On flat records every break shows in some single-deviation message.
    assert (found is None) == check_pair(reader, writer).compatible
