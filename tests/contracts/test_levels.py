"""Compatibility levels over Avro schemas: properties that hold for any history of versions."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import CompatibilityLevel, VersionedSchema, check_compatibility, check_pair
from contracts import parse_schema as parse
from tests.contracts.test_avro_compatibility import evolved, records

L = CompatibilityLevel


def avro(spec: Any) -> Any:
    return parse("AVRO", json.dumps(spec))


@st.composite
def histories(draw: Any) -> tuple[Any, list[VersionedSchema]]:
    """A new schema and 1-4 previous versions, each evolved from the one before."""
    spec = draw(records())
    versions = []
    for number in range(1, draw(st.integers(1, 4)) + 1):
        versions.append(VersionedSchema(number, avro(spec)))
        spec = draw(evolved(spec))
    return avro(spec), versions


def keys(result: Any) -> set[tuple[str, str, str, int | None]]:
    return {(f.kind, f.path, f.message, f.version) for f in result}


@settings(max_examples=60)
@given(histories())
def test_level_properties(history: tuple[Any, list[VersionedSchema]]) -> None:
    new, previous = history
    # reflexivity: every schema reads itself
    for version in previous:
        assert check_pair(version.schema, version.schema).compatible
    assert check_pair(new, new).compatible
    assert not check_compatibility(new, previous, L.NONE).findings
    for base in ("BACKWARD", "FORWARD", "FULL"):
        plain = check_compatibility(new, previous, L(base))
        transitive = check_compatibility(new, previous, L(f"{base}_TRANSITIVE"))
        # a transitive check finds everything the non-transitive one finds
        assert keys(plain) <= keys(transitive)
        # each finding says which version it came from
        assert all(f.version in {v.version for v in previous} for f in transitive)
    for suffix in ("", "_TRANSITIVE"):
        full = check_compatibility(new, previous, L("FULL" + suffix))
        backward = check_compatibility(new, previous, L("BACKWARD" + suffix))
        forward = check_compatibility(new, previous, L("FORWARD" + suffix))
        # FULL <=> BACKWARD and FORWARD, finding for finding
        assert full.compatible == (backward.compatible and forward.compatible)
        assert keys(full) == keys(backward) | keys(forward)


def test_backward_names_the_version_and_direction() -> None:
    v1 = avro({"type": "record", "name": "C", "fields": [{"name": "id", "type": "long"}]})
    v2 = avro(
        {
            "type": "record",
            "name": "C",
            "fields": [{"name": "id", "type": "long"}, {"name": "email", "type": "string"}],
        }
    )
    result = check_compatibility(v2, [VersionedSchema(1, v1)], L.BACKWARD)
    (finding,) = result
    assert finding.version == 1
    assert finding.kind == "REQUIRED_FIELD_NOT_SENT"
    assert "version 1" in finding.message
    assert check_compatibility(v2, [VersionedSchema(1, v1)], L.FORWARD).compatible
