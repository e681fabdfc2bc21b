"""Field paths of Avro and JSON schemas, and locating a schema pointer at a field."""

from __future__ import annotations

import json

import pytest

from contracts import parse_schema
from contracts.fields import FieldPath, field_of_pointer, field_paths
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
    assert fields["customer.phone"] == FieldPath("customer.phone", "optional string", False)
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
        # name-based Avro pointers, as PRODUCT.md writes them
        ("AVRO", CUSTOMER_AVRO, "/fields/customer/email", "customer.email"),
        ("AVRO", CUSTOMER_AVRO, "/fields/customer/fields/phone", "customer.phone"),
        ("AVRO", CUSTOMER_AVRO, "/fields/tags/items", "tags[]"),
        ("JSON", CUSTOMER_JSON, "/properties/customer/properties/email", "customer.email"),
        ("JSON", CUSTOMER_JSON, "/properties/customer/required", "customer"),
        ("JSON", CUSTOMER_JSON, "/properties/tags/items/properties/name", "tags[].name"),
        ("JSON", CUSTOMER_JSON, "/", None),
    ],
)
def test_a_pointer_lands_in_the_field_it_names(
    schema_type: str, text: str, pointer: str, field: str | None
) -> None:
    assert field_of_pointer(parse_schema(schema_type, text), parse_pointer(pointer)) == field
