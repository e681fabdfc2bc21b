"""The compiled Avro check inlines float/double: at their limits it agrees with the per-type checks."""

from __future__ import annotations

import math

import pytest

from contracts import parse_schema
from contracts.avro import AvroSchema
from contracts.avro.checks import _F32_OVERFLOW, _F64_OVERFLOW

# Values at and around the overflow limits, where an inlined comparison could be off by one.
EDGES: list[object] = [
    0,
    -0.0,
    1.5,
    True,
    None,
    "1.0",
    math.inf,
    -math.inf,
    math.nan,
    3.4028234663852886e38,  # the largest float32
    3.4028235677973366e38,  # float(_F32_OVERFLOW): rounds to inf in float32
    -3.4028235677973366e38,
    1e39,
    -1e39,
    1.7976931348623157e308,
    -1.7976931348623157e308,
    _F32_OVERFLOW,
    _F32_OVERFLOW - 1,
    -_F32_OVERFLOW,
    -_F32_OVERFLOW + 1,
    _F64_OVERFLOW,
    _F64_OVERFLOW - 1,
    -_F64_OVERFLOW,
    -_F64_OVERFLOW + 1,
    2**63,
    2**2000,
]
SCHEMAS = ['"float"', '"double"', '["null", "float"]', '{"type": "array", "items": "double"}']


@pytest.mark.parametrize("text", SCHEMAS)
@pytest.mark.parametrize("value", EDGES, ids=repr)
def test_inlined_float_and_double_agree_with_the_type_checks(text: str, value: object) -> None:
    schema = parse_schema("AVRO", text)
    assert isinstance(schema, AvroSchema)
    message = [value] if text.startswith("{") else value
    # explain() walks the per-type predicates (_is_float, _is_double), not the generated source.
    assert schema.is_valid(message) == (schema.explain(message) == [])
