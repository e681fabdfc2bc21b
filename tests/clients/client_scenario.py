"""The CRM/Marketing/Data Analysis scenario's CUSTOMER_CREATED schemas and contracts, for client tests."""

from __future__ import annotations

import json

CUSTOMER_CREATED_AVRO_V1 = json.dumps(
    {
        "type": "record",
        "name": "CustomerCreated",
        "namespace": "crm",
        "fields": [
            {"name": "customer_id", "type": "string"},
            {"name": "email", "type": "string"},
            {"name": "name", "type": "string"},
            {"name": "tags", "type": {"type": "array", "items": "string"}, "default": []},
            {"name": "created_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        ],
    }
)
CUSTOMER_CREATED_AVRO_V2 = json.dumps(
    {
        "type": "record",
        "name": "CustomerCreated",
        "namespace": "crm",
        "fields": [
            *json.loads(CUSTOMER_CREATED_AVRO_V1)["fields"],
            {"name": "phone", "type": ["null", "string"], "default": None},
        ],
    }
)
# Marketing reads who to email; Data Analysis reads when customers arrive, and a segment CRM does
# not send yet (its default fills in).
MARKETING_AVRO = {
    "type": "record",
    "name": "CustomerCreated",
    "namespace": "marketing",
    "fields": [
        {"name": "customer_id", "type": "string"},
        {"name": "email", "type": "string"},
    ],
}
ANALYSIS_AVRO = {
    "type": "record",
    "name": "CustomerCreated",
    "namespace": "analysis",
    "fields": [
        {"name": "customer_id", "type": "string"},
        {"name": "created_at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "segment", "type": "string", "default": "unknown"},
    ],
}

CUSTOMER_CREATED_JSON = json.dumps(
    {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {
            "customer_id": {"type": "string"},
            "email": {"type": "string"},
            "name": {"type": "string"},
            "created_at": {"type": "integer"},
        },
        "required": ["customer_id", "email", "name", "created_at"],
        "additionalProperties": False,
    }
)
MARKETING_JSON = {
    "type": "object",
    "properties": {"customer_id": {"type": "string"}, "email": {"type": "string"}},
    "required": ["customer_id", "email"],
}


def customer(n: int) -> dict[str, object]:
    return {
        "customer_id": f"c-{n}",
        "email": f"customer{n}@example.com",
        "name": f"Ada Lovelace-{n} ✓",
        "tags": ["new"] if n % 2 else [],
        "created_at": 1_700_000_000_000 + n,
    }


def json_customer(n: int) -> dict[str, object]:
    message = customer(n)
    del message["tags"]
    return message
