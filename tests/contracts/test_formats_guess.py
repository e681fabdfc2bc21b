"""contracts.guess_schema_type: a schema file's content decides, then its extension."""

from __future__ import annotations

import pytest

from contracts import SchemaType, guess_schema_type

AVRO, JSON = SchemaType.AVRO, SchemaType.JSON


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("x.json", '{"type": "record", "name": "A", "fields": []}', AVRO),
        ("x.json", '{"type": "enum", "name": "E", "symbols": ["A"]}', AVRO),
        ("x.json", '["null", "string"]', AVRO),
        ("x.json", '"long"', AVRO),
        ("x.json", '{"type": "map", "values": "long"}', AVRO),
        ("x.avsc", '{"$schema": "http://json-schema.org/draft-07/schema#"}', JSON),
        ("x.avsc", '{"type": "object"}', JSON),
        ("x.avsc", '{"properties": {}}', JSON),
        ("x.avsc", "true", JSON),
        ("x.avsc", '{"type": "string"}', AVRO),  # either: the extension decides
        ("x.json", '{"type": "string"}', JSON),
        ("x.avsc", "not json", AVRO),
        ("x.txt", "not json", JSON),
    ],
)
def test_content_then_extension(name: str, text: str, expected: SchemaType) -> None:
    assert guess_schema_type(name, text) is expected
