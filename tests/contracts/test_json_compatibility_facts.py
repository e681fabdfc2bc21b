"""The facts the JSON Schema check relies on, held against the ECMA-262 matcher and python-jsonschema."""

from __future__ import annotations

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
from jsonschema.protocols import Validator

from contracts import patterns
from contracts.json_compatibility.acceptance import UNKNOWN
from contracts.json_compatibility.pattern_facts import (
    matches_every_string,
    pattern_covers,
    patterns_disjoint,
)

UNIVERSAL = [
    "",
    "a*",
    ".*",
    "\\d*$",
    "^",
    "^a*",
    "^[\\s\\S]*$",
    "^[\\w\\W]*$",
    "^.*",
    "x?y*",
    "a{0,}",
]
# (pattern, a string it does not match): none of these is universal.
NOT_UNIVERSAL = [
    ("^.*$", "a\nb"),
    ("a", "b"),
    ("^a*$", "b"),
    ("^[^\\s\\S]*$", "a"),
    ("\\b", ""),
    (".+", ""),
    ("^a*\\Z", "b"),
    ("^.*$", "a\u2028b"),  # ECMA-262's `.` stops at U+2028 too
]
strings = st.text() | st.sampled_from(["", "\n", "a\nb", "a\n", "\r", "\u2028", "x-foo"])


@settings(max_examples=200)
@given(strings)
def test_universal_patterns_match_every_string(text: str) -> None:
    for pattern in UNIVERSAL:
        assert matches_every_string(pattern), pattern
        assert patterns.search(pattern, text), (pattern, text)


@pytest.mark.parametrize(("pattern", "witness"), NOT_UNIVERSAL)
def test_patterns_with_a_witness_are_not_universal(pattern: str, witness: str) -> None:
    assert not patterns.search(pattern, witness)
    assert not matches_every_string(pattern)


DISJOINT = [("^a_", "^b_"), ("^x-", "^evt_"), ("^abc", "^abd")]
# `^\a` is `^a` in ECMA-262 (an identity escape) but a bell to Python: escapes end a prefix.
OVERLAPPING = [
    ("^a", "^ab"),
    ("^x-", "x-"),
    ("(?i)^a", "^A"),
    ("(?m)^a", "^b"),
    ("^\\a", "^a"),
    ("^ab|^cd", "^cd"),
    ("^ab?", "^ac"),
]


@pytest.mark.parametrize(("one", "other"), DISJOINT)
@settings(max_examples=50)
@given(data=st.data())
def test_disjoint_patterns_share_no_string(one: str, other: str, data: st.DataObject) -> None:
    assert patterns_disjoint(one, other)
    text = data.draw(st.from_regex(one))
    assert not patterns.search(other, text), text


@pytest.mark.parametrize(("one", "other"), OVERLAPPING)
def test_overlapping_patterns_are_not_called_disjoint(one: str, other: str) -> None:
    assert not patterns_disjoint(one, other)


@settings(max_examples=100)
@given(st.from_regex("^x-foo"))
def test_a_literal_prefix_covers_a_longer_one(text: str) -> None:
    assert pattern_covers("^x-", "^x-foo")
    assert patterns.search("^x-", text)
    assert not pattern_covers("^x-foo", "^x-")
    assert not pattern_covers("^x-.", "^x-foo")  # only a bare literal prefix is trusted


@pytest.mark.parametrize(
    "draft",
    [Draft4Validator, Draft6Validator, Draft7Validator, Draft201909Validator, Draft202012Validator],
)
def test_keywords_a_draft_does_not_know_are_those_its_validator_ignores(
    draft: type[Validator],
) -> None:
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


# Texts Python's parser reads otherwise than ECMA-262, each with a string ECMA-262 does not match.
DIVERGENT = [("a{,5}", "b"), ("^x{,3}$", "xx"), ("x{,}", "b")]


@pytest.mark.parametrize(("pattern", "witness"), DIVERGENT)
def test_texts_python_reads_as_repetitions_are_not_universal(pattern: str, witness: str) -> None:
    """Python's `re` would call each universal (an optional repetition); ECMA-262 reads literal
    text, which `witness` lacks. The check must follow ECMA-262, as validators do."""
    assert not patterns.search(pattern, witness)
    assert not matches_every_string(pattern)


def test_a_python_named_character_is_no_literal_prefix() -> None:
    """`^\\N{DIGIT ONE}` starts with "1" for Python's `re`, with "N{DIGIT ONE}" for ECMA-262."""
    assert patterns.search("^\\N{DIGIT ONE}", "N{DIGIT ONE}")
    assert not patterns_disjoint("^\\N{DIGIT ONE}", "^N")


def test_a_reader_pattern_python_calls_universal_is_no_false_yes() -> None:
    """A writer allowing any string, a reader requiring `a{,5}` (the literal text under ECMA-262):
    the string "b" is valid for the writer and invalid for the reader, so the change is unsafe."""
    from contracts import check_pair, parse_schema

    writer = parse_schema("JSON", '{"type": "string"}')
    reader = parse_schema("JSON", '{"type": "string", "pattern": "a{,5}"}')
    assert writer.validate("b") == []
    assert reader.validate("b") != []
    assert not check_pair(reader, writer).compatible
