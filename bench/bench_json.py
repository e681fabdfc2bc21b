"""JSON validate per message: Accord's cached validator vs a fresh jsonschema.validate call per message."""

from __future__ import annotations

import json
import timeit

import jsonschema

from contracts import parse_schema

SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "minLength": 1, "maxLength": 64},
        "email": {"type": "string", "maxLength": 254},
        "name": {"type": ["string", "null"]},
        "age": {"type": "integer", "minimum": 0, "maximum": 150},
        "tier": {"enum": ["GOLD", "SILVER", "BASIC"]},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 10},
        "address": {"$ref": "#/definitions/address"},
    },
    "required": ["id", "email"],
    "additionalProperties": False,
    "definitions": {
        "address": {
            "type": "object",
            "properties": {"street": {"type": "string"}, "zip": {"type": "string"}},
            "required": ["street"],
        }
    },
}
MESSAGE = {
    "id": "c-42",
    "email": "ada@example.com",
    "name": "Ada",
    "age": 36,
    "tier": "GOLD",
    "tags": ["vip", "newsletter"],
    "address": {"street": "1 Main St", "zip": "75001"},
}
N = 2000


def main() -> None:
    schema = parse_schema("JSON", json.dumps(SCHEMA))
    assert schema.validate(MESSAGE) == []
    jsonschema.validate(MESSAGE, SCHEMA)
    # Best of five repeats for each, measured in the same run.
    baseline = min(timeit.repeat(lambda: jsonschema.validate(MESSAGE, SCHEMA), number=N, repeat=5))
    accord = min(timeit.repeat(lambda: schema.validate(MESSAGE), number=N, repeat=5))
    # For reference: a validator compiled once by hand, the floor Accord's wrapper sits on.
    compiled = jsonschema.Draft7Validator(SCHEMA)
    floor = min(timeit.repeat(lambda: list(compiled.iter_errors(MESSAGE)), number=N, repeat=5))
    print(f"jsonschema.validate per message : {baseline / N * 1e6:8.1f} µs")
    print(f"Accord JsonSchema.validate      : {accord / N * 1e6:8.1f} µs")
    print(f"hand-compiled Draft7Validator   : {floor / N * 1e6:8.1f} µs")
    print(f"speed-up (goal >= 3x)           : {baseline / accord:8.1f}x")
    print(f"overhead over the compiled floor: {accord / floor:8.2f}x")


if __name__ == "__main__":
    main()
