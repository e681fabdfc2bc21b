"""Schema texts for the registry's tests, built small so each test shows what changes."""

from __future__ import annotations

import json
from typing import Any


def record(*fields: tuple[str, Any], name: str = "Customer") -> str:
    """An Avro record schema text with the given (name, type-or-field-dict) fields."""
    rendered = [
        {"name": n, **t} if isinstance(t, dict) else {"name": n, "type": t} for n, t in fields
    ]
    return json.dumps({"type": "record", "name": name, "fields": rendered})


V1 = record(("id", "string"))
# Adds an optional field: BACKWARD-compatible with V1.
V2 = record(("id", "string"), ("email", {"type": ["null", "string"], "default": None}))
# Adds a required field: a reader of V3 cannot read V1/V2 data (BACKWARD-incompatible).
V3_BREAKING = record(("id", "string"), ("age", "int"))

JSON_OPEN = json.dumps(
    {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}
)
# Adds an optional property to an open content model: incompatible under STRICT only.
JSON_OPEN_PLUS = json.dumps(
    {
        "type": "object",
        "properties": {"id": {"type": "string"}, "email": {"type": "string"}},
        "required": ["id"],
    }
)
