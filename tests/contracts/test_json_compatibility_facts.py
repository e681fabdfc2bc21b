"""The facts the JSON Schema check relies on, held against Python's `re` and python-jsonschema."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import (
    Draft4Validator,
    Draft6Validator,
    Draft7Validator,
    Draft201909Validator,
    Draft202012Validator,
)

from contracts.json_compatibility.acceptance import UNKNOWN
from contracts.json_compatibility.pattern_facts import (
    matches_every_string,
    pattern_covers,
    patterns_disjoint,
)

UNIVERSAL = ["", "a*", ".*", "\\d*$", "^", "^a*", "^[\\s\\S]*$", "(?s)^.*$", "^.*", "x?y*"]
# (pattern, a string it does not match): none of these is universal.
NOT_UNIVERSAL = [
    ("^.*$", "a\nb"),
    ("a", "b"),
    ("^a*$", "b"),
    ("^[^\\s\\S]*$", "a"),
    ("\\b", ""),
    (".+", ""),
    ("^a*\\Z", "b"),
]
strings = st.text() | st.sampled_from(["", "\n", "a\nb", "a\n", "\n\n", "x-foo"])


@settings(max_examples=200)
@given(strings)
def test_universal_patterns_match_every_string(text: str) -> None:
    for pattern in UNIVERSAL:
        assert matches_every_string(pattern), pattern
        assert re.search(pattern, text) is not None, (pattern, text)


@pytest.mark.parametrize(("pattern", "witness"), NOT_UNIVERSAL)
def test_patterns_with_a_witness_are_not_universal(pattern: str, witness: str) -> None:
    assert re.search(pattern, witness) is None
    assert not matches_every_string(pattern)


DISJOINT = [("^a_", "^b_"), ("^x-", "^evt_"), ("^abc", "^abd")]
OVERLAPPING = [("^a", "^ab"), ("^x-", "x-"), ("(?i)^a", "^A"), ("(?m)^a", "^b")]


@pytest.mark.parametrize(("one", "other"), DISJOINT)
@settings(max_examples=50)
@given(data=st.data())
def test_disjoint_patterns_share_no_string(one: str, other: str, data: st.DataObject) -> None:
    assert patterns_disjoint(one, other)
    text = data.draw(st.from_regex(one))
    assert re.search(other, text) is None, text


@pytest.mark.parametrize(("one", "other"), OVERLAPPING)
def test_overlapping_patterns_are_not_called_disjoint(one: str, other: str) -> None:
    assert not patterns_disjoint(one, other)


@settings(max_examples=100)
@given(st.from_regex("^x-foo"))
def test_a_literal_prefix_covers_a_longer_one(text: str) -> None:
    assert pattern_covers("^x-", "^x-foo")
    assert re.search("^x-", text) is not None
    assert not pattern_covers("^x-foo", "^x-")
    assert not pattern_covers("^x-.", "^x-foo")  # only a bare literal prefix is trusted


@pytest.mark.parametrize(
    "draft",
    [Draft4Validator, Draft6Validator, Draft7Validator, Draft201909Validator, Draft202012Validator],
)
def test_keywords_a_draft_does_not_know_are_those_its_validator_ignores(draft: type) -> None:
    """The check drops what the draft's own validator has no rule for (draft 4's exclusive bounds
    are read by minimum/maximum; then/else by if; min/maxContains by contains from 2019-09)."""
    every = set().union(
        *(
            d.VALIDATORS
            for d in (
                Draft4Validator,
                Draft6Validator,
                Draft7Validator,
                Draft201909Validator,
                Draft202012Validator,
            )
        )
    )
    ignored = every - set(draft.VALIDATORS)
    if draft is Draft4Validator:
        ignored -= {"exclusiveMinimum", "exclusiveMaximum"}
    assert ignored <= UNKNOWN[draft]
    assert not (UNKNOWN[draft] & set(draft.VALIDATORS))


@pytest.mark.parametrize("pattern", ["a*\\Z", "\\A.*", "^[\\s\\S]*\\Z"])
def test_python_only_anchors_are_not_trusted(pattern: str) -> None:
    """`\\A` and `\\Z` match every string under Python's re, but ECMA-262 reads `\\Z` as a literal
    Z: the check does not rely on either."""
    assert not matches_every_string(pattern)
