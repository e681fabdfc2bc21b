"""Field paths of Avro and JSON schemas, locating a finding's location at a field, and linearity."""

from __future__ import annotations

import json
from typing import Any

import pytest

from contracts import ParsedSchema, parse_schema
from contracts import fields as fields_module
from contracts.consumers import ConsumerContract, judge_contract
from contracts.fields import FieldIndex, FieldPath, field_paths, forget_indexes, index_of
from contracts.findings import parse_pointer

CUSTOMER_AVRO = json.dumps(
    {
        "type": "record",
        "name": "CustomerCreated",
        "namespace": "crm",
        "fields": [
            {"name": "id", "type": "string"},
            {
                "name": "customer",
                "type": {
                    "type": "record",
                    "name": "Customer",
                    "fields": [
                        {"name": "email", "type": "string"},
                        {"name": "phone", "type": ["null", "string"], "default": None},
                    ],
                },
            },
            {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
            {"name": "previous", "type": ["null", "Customer"], "default": None},
        ],
    }
)

CUSTOMER_JSON = json.dumps(
    {
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "customer": {
                "type": "object",
                "properties": {
                    "email": {"type": "string", "format": "email"},
                    "phone": {"$ref": "#/$defs/phone"},
                },
                "required": ["email"],
            },
            "tags": {
                "type": "array",
                "items": {"type": "object", "properties": {"name": {"type": "string"}}},
            },
        },
        "required": ["id", "customer"],
        "$defs": {"phone": {"type": ["string", "null"]}},
    }
)


def test_avro_field_paths_walk_nested_records_arrays_and_named_references() -> None:
    fields = {f.path: f for f in field_paths(parse_schema("AVRO", CUSTOMER_AVRO))}
    assert fields["id"] == FieldPath("id", "string", True)
    assert fields["customer"] == FieldPath("customer", "record Customer", True)
    assert fields["customer.email"] == FieldPath("customer.email", "string", True)
    # The engine's describer, the same words its findings use.
    assert fields["customer.phone"] == FieldPath("customer.phone", "union [null, string]", False)
    assert fields["tags"].type == "array of string"
    # A named type referenced again is walked again under its new path.
    assert fields["previous.email"].type == "string"
    assert list(fields)[:3] == ["id", "customer", "customer.email"]


def test_json_field_paths_follow_properties_refs_and_items() -> None:
    fields = {f.path: f for f in field_paths(parse_schema("JSON", CUSTOMER_JSON))}
    assert fields["customer.email"] == FieldPath("customer.email", "string (email)", True)
    assert fields["customer.phone"] == FieldPath("customer.phone", "string or null", False)
    assert fields["tags[].name"].type == "string"
    assert not fields["tags"].required


@pytest.mark.parametrize(
    ("schema_type", "text", "pointer", "field"),
    [
        # index-based Avro pointers, as parse errors use them
        ("AVRO", CUSTOMER_AVRO, "/fields/1/type/fields/0", "customer.email"),
        ("AVRO", CUSTOMER_AVRO, "/fields/1/type/fields/0/type", "customer.email"),
        # name-based Avro paths, as the compatibility engine's findings carry them
        ("AVRO", CUSTOMER_AVRO, "/fields/customer/email", "customer.email"),
        ("AVRO", CUSTOMER_AVRO, "/fields/customer/phone", "customer.phone"),
        ("AVRO", CUSTOMER_AVRO, "/fields/tags/items", "tags[]"),
        ("JSON", CUSTOMER_JSON, "/properties/customer/properties/email", "customer.email"),
        ("JSON", CUSTOMER_JSON, "/properties/customer/required", "customer"),
        ("JSON", CUSTOMER_JSON, "/properties/tags/items/properties/name", "tags[].name"),
        ("JSON", CUSTOMER_JSON, "", None),
    ],
)
def test_a_pointer_lands_in_the_field_it_names(
    schema_type: str, text: str, pointer: str, field: str | None
) -> None:
    # The tokens a finding carries; the pointer text here is only how the table spells them.
    assert index_of(parse_schema(schema_type, text)).locate(parse_pointer(pointer)) == field


def wide_record(fields: int, kind: str) -> str:
    return json.dumps(
        {
            "type": "record",
            "name": "Wide",
            "fields": [{"name": f"f{i}", "type": kind} for i in range(fields)],
        }
    )


@pytest.mark.parametrize("fields", [10, 400])
def test_a_check_builds_each_field_index_once_however_many_findings(
    fields: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every field of the contract breaks (string -> long), so findings grow with the fields;
    # the index builder and the parser still run once per schema.
    built: list[ParsedSchema] = []
    parses: list[str] = []
    real_build, real_loads = fields_module.build_index, json.loads

    def counting_build(schema: ParsedSchema) -> FieldIndex:
        built.append(schema)
        return real_build(schema)

    def counting_loads(text: str, **kwargs: Any) -> Any:
        parses.append(text)
        return real_loads(text, **kwargs)

    producer = parse_schema("AVRO", wide_record(fields, "long"))
    contract = ConsumerContract("marketing", parse_schema("AVRO", wide_record(fields, "string")))
    previous = parse_schema("AVRO", wide_record(fields, "int"))
    forget_indexes()
    monkeypatch.setattr(fields_module, "build_index", counting_build)
    # contracts.fields parses with the json module: counting its loads counts the parses
    monkeypatch.setattr(json, "loads", counting_loads)
    verdict = judge_contract(contract, producer, previous=previous, side="producer")
    monkeypatch.undo()
    assert len(verdict.findings) == fields
    assert all(f"f{i} as a string" in verdict.findings[i].message for i in range(fields))
    assert sorted(map(id, built)) == sorted({id(s) for s in (producer, contract.schema, previous)})
    assert parses == []  # no schema text is parsed again
