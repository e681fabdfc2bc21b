"""Compatibility levels over JSON Schema topics: reflexivity, FULL = BACKWARD and FORWARD, transitivity."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import (
    CompatibilityLevel,
    CompatibilityPolicy,
    VersionedSchema,
    check_compatibility,
    parse_schema,
)
from contracts.formats import ParsedSchema

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "json_compatibility.json").read_text()
)
SCHEMAS: list[ParsedSchema] = list(
    {
        s.fingerprint: s
        for case in CASES
        for s in (
            parse_schema("JSON", json.dumps(case["reader"])),
            parse_schema("JSON", json.dumps(case["writer"])),
        )
    }.values()
)
POLICIES = list(CompatibilityPolicy)


@pytest.mark.parametrize("policy", POLICIES)
def test_every_schema_reads_itself(policy: CompatibilityPolicy) -> None:
    assert len(SCHEMAS) > 150
    for schema in SCHEMAS:
        again = parse_schema("JSON", schema.text)
        history = [VersionedSchema(1, again)]
        result = check_compatibility(schema, history, CompatibilityLevel.FULL, policy=policy)
        assert result.compatible, (schema.text, result.messages())


histories = st.lists(st.sampled_from(SCHEMAS), min_size=1, max_size=4)


@settings(max_examples=60)
@given(st.sampled_from(SCHEMAS), histories, st.sampled_from(POLICIES))
def test_full_is_backward_and_forward(
    new: ParsedSchema, old: list[ParsedSchema], policy: CompatibilityPolicy
) -> None:
    previous = [VersionedSchema(i + 1, s) for i, s in enumerate(old)]
    for full, backward, forward in (
        (CompatibilityLevel.FULL, CompatibilityLevel.BACKWARD, CompatibilityLevel.FORWARD),
        (
            CompatibilityLevel.FULL_TRANSITIVE,
            CompatibilityLevel.BACKWARD_TRANSITIVE,
            CompatibilityLevel.FORWARD_TRANSITIVE,
        ),
    ):
        both = check_compatibility(new, previous, full, policy=policy)
        back = check_compatibility(new, previous, backward, policy=policy)
        fwd = check_compatibility(new, previous, forward, policy=policy)
        assert both.compatible == (back.compatible and fwd.compatible)
        assert set(both.findings) == set(back.findings) | set(fwd.findings)


@settings(max_examples=60)
@given(st.sampled_from(SCHEMAS), histories, st.sampled_from(POLICIES))
def test_transitive_finds_everything_the_latest_only_check_finds(
    new: ParsedSchema, old: list[ParsedSchema], policy: CompatibilityPolicy
) -> None:
    previous = [VersionedSchema(i + 1, s) for i, s in enumerate(old)]
    for level, transitive in (
        (CompatibilityLevel.BACKWARD, CompatibilityLevel.BACKWARD_TRANSITIVE),
        (CompatibilityLevel.FORWARD, CompatibilityLevel.FORWARD_TRANSITIVE),
        (CompatibilityLevel.FULL, CompatibilityLevel.FULL_TRANSITIVE),
    ):
        latest = check_compatibility(new, previous, level, policy=policy)
        everything = check_compatibility(new, previous, transitive, policy=policy)
        assert set(latest.findings) <= set(everything.findings)
        assert all(f.version == len(old) for f in latest.findings)


def test_backward_means_the_new_schema_reads_the_old() -> None:
    old = parse_schema("JSON", '{"type": "integer"}')
    new = parse_schema("JSON", '{"type": "number"}')
    history = [VersionedSchema(1, old)]
    assert check_compatibility(new, history, CompatibilityLevel.BACKWARD).compatible
    forward = check_compatibility(new, history, CompatibilityLevel.FORWARD)
    assert [f.kind for f in forward] == ["TYPE_NARROWED"]
    assert forward.findings[0].version == 1
