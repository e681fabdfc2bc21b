"""contracts.patterns: ECMA-262 semantics, both engines agreeing, Python's `re` as an oracle."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts import patterns
from contracts.patterns import (
    InvalidPattern,
    Pattern,
    PatternBudgetExceeded,
    PatternNotEvaluated,
    compile_pattern,
)

# Where ECMA-262 (and so Accord) differs from Python's `re`: (pattern, text, matches, why).
ECMA: list[tuple[str, str, bool, str]] = [
    (
        "^a$",
        "a\n",
        False,
        "ECMA's $ is the end of the input; Python's also matches before a final \\n",
    ),
    ("^\\d$", "٣", False, "ECMA's \\d is [0-9]; Python's is any Unicode digit"),
    ("^\\w+$", "é", False, "ECMA's \\w is [A-Za-z0-9_]; Python's is Unicode"),
    ("\\bé", " é", False, "ECMA's \\b sees only ASCII word characters"),
    ("^\\s$", "\ufeff", True, "ECMA's \\s includes U+FEFF (and Unicode spaces)"),
    ("^\\s$", "\u2028", True, "ECMA's \\s includes the line terminators"),
    ("^\\s$", "\x0b", True, "vertical tab is whitespace (RE2's \\s leaves it out)"),
    ("^\\S$", "\u3000", False, "\\S is the exact complement"),
    ("^[\\S]$", "\u00a0", False, "\\S inside a class too"),
    ("^[^\\S]$", "\u2003", True, "a negated class of \\S is whitespace"),
    ("^[a\\S]$", "a", True, "a class of \\S and more"),
    ("^[^\\S\\t]$", "\t", False, "whitespace minus what the class names"),
    ("^.$", "\r", False, "ECMA's . excludes \\r, U+2028 and U+2029 as well as \\n"),
    ("^.$", "\u2029", False, "paragraph separator is a line terminator"),
    ("^[]$", "", False, "[] is the empty class: it matches nothing"),
    ("^[^]$", "\n", True, "[^] is any character"),
    ("^\\u00e9$", "é", True, "\\uXXXX escapes"),
    ("^\\uD83D\\uDE00$", "😀", True, "a surrogate pair escape is one code point"),
    ("^\\u{1F600}$", "😀", True, "a \\u{...} code point escape"),
    ("^\\x41$", "A", True, "\\xHH escapes"),
    ("^\\cJ$", "\n", True, "control escapes"),
    ("^[\\b]$", "\b", True, "[\\b] is backspace"),
    ("^\\a$", "a", True, "Annex B: an unknown escape is the character itself (Python: bell)"),
    ("^a{,2}$", "a{,2}", True, "Annex B: a brace that starts no quantifier is literal"),
    ("^a}$", "a}", True, "Annex B: a lone closing brace is literal"),
    ("^\\p{Lu}+$", "ÀB", True, "Unicode property escapes, as with ECMA's u flag"),
    ("^(?<year>\\d{4})-\\k<year>$", "2024-2024", True, "named groups and named backreferences"),
    ("^(a)\\1$", "aa", True, "numbered backreferences"),
    ("^(?=.*\\d)(?!.*x)\\w+$", "ab1", True, "lookahead"),
    ("(?<=\\$)\\d+", "$42", True, "lookbehind"),
    ("x", "\ud800x", True, "a lone surrogate in the value does not break matching"),
    ("^\\0$", "\0", True, "\\0 is NUL"),
    ("es", "test", True, "unanchored: JSON Schema patterns match anywhere"),
]


@pytest.mark.parametrize(("pattern", "text", "matches", "why"), ECMA, ids=[c[3] for c in ECMA])
def test_ecma_semantics(pattern: str, text: str, matches: bool, why: str) -> None:
    assert patterns.search(pattern, text) is matches


# Not ECMA-262 (or not runnable): InvalidPattern. (pattern, why)
INVALID: list[tuple[str, str]] = [
    ("(?i)abc", "inline flags are Python's, not ECMA-262's"),
    ("(?P<n>a)", "Python's named-group spelling"),
    ("a\\", "a lone trailing backslash"),
    ("[a-", "an unclosed class"),
    ("(a", "an unclosed group"),
    ("a**", "a quantifier of nothing"),
    ("\\2(a)", "a backreference to a group that does not exist"),
    ("\\k<nope>(?<n>a)", "a named backreference to no group"),
    ("\\p{NotAProperty}", "an unknown Unicode property"),
    ("[z-a]", "a reversed range"),
]


@pytest.mark.parametrize(("pattern", "why"), INVALID, ids=[c[1] for c in INVALID])
def test_invalid_patterns_are_refused_with_a_reason(pattern: str, why: str) -> None:
    with pytest.raises(InvalidPattern) as raised:
        compile_pattern(pattern)
    assert str(raised.value)
    # Matched anyway (reachable only past parse), it refuses the value rather than raise ValueError.
    with pytest.raises(PatternNotEvaluated):
        patterns.search(pattern, "a")


def test_engines_are_chosen_by_what_re2_can_express() -> None:
    for linear in ("^(a+)+$", "^(a|a)*$", "^(a|aa)+$", "^[\\w.+-]+@\\w+\\.\\w+$", "a{1000}"):
        assert compile_pattern(linear).engine == "re2", linear
    for backtracking in ("(a)\\1", "(?=a)", "(?!a)", "(?<=a)b", "(?<!a)b", "a{1001}"):
        assert compile_pattern(backtracking).engine == "backtracking", backtracking


def test_compiled_once_per_pattern() -> None:
    assert compile_pattern("^cached[0-9]+$") is compile_pattern("^cached[0-9]+$")


def test_the_budget_is_hit_and_reported() -> None:
    hostile = compile_pattern("^(a|a)*\\1$")
    assert hostile.engine == "backtracking"
    with pytest.raises(PatternBudgetExceeded) as raised:
        hostile.search("a" * 40 + "b")
    assert "within its budget" in str(raised.value)
    assert hostile.search("aa") is True  # the same pattern on a short value is decided


def test_a_shared_budget_once_spent_refuses_every_later_backtracking_match() -> None:
    with patterns.budget():
        with pytest.raises(PatternBudgetExceeded):
            patterns.search("^(a|a)*\\1$", "a" * 40 + "b")
        # Even a trivial backtracking match is refused now: the block's total is bounded.
        with pytest.raises(PatternBudgetExceeded):
            patterns.search("(a)\\1", "aa")
        assert patterns.search("^a+$", "aaa") is True  # RE2 spends no budget
    assert patterns.search("(a)\\1", "aa") is True  # a new block, a new budget


# --- differential: Python's `re` (ASCII) is an oracle where ECMA-262 and Python agree ------------
# The alphabet leaves out what the ECMA table above covers (\n, \r, non-ASCII whitespace and
# digits), so on it ECMA-262 and `re.ASCII` agree for the constructs generated below.
ALPHABET = "ab01_ -.é\t"
_ATOMS = st.sampled_from(
    [
        "a", "b", "0", "1", "_", "-", " ", "é", "\\.", ".",
        "\\d", "\\D", "\\w", "\\W", "\\s", "\\S",
        "[ab]", "[^a0]", "[a-z]", "[\\d_]", "[^\\s]", "[\\w-]", "[.]",
    ]
)  # fmt: skip


def _regexes() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        quantifier = st.sampled_from(["*", "+", "?", "{2}", "{1,3}", "{0,}", "*?", "+?", "??"])
        return st.one_of(
            st.tuples(inner, inner).map("".join),
            st.tuples(inner, inner).map("|".join),
            inner.map(lambda r: f"({r})"),
            inner.map(lambda r: f"(?:{r})"),
            st.tuples(inner.map(lambda r: f"(?:{r})"), quantifier).map("".join),
            inner.map(lambda r: f"(?={r})"),
            inner.map(lambda r: f"(?!{r})"),
            inner.map(lambda r: f"\\b{r}\\B"),
        )

    body = st.recursive(_ATOMS, extend, max_leaves=8)
    anchors = st.sampled_from([("", ""), ("^", ""), ("", "$"), ("^", "$")])
    return st.tuples(anchors, body).map(lambda t: t[0][0] + t[1] + t[0][1])


@given(_regexes(), st.lists(st.text(ALPHABET, max_size=12), min_size=1, max_size=6))
def test_the_safe_matcher_agrees_with_python_re(pattern: str, texts: list[str]) -> None:
    oracle = re.compile(pattern, re.ASCII)
    for text in texts:
        assert patterns.search(pattern, text) is (oracle.search(text) is not None), (pattern, text)


@given(_regexes(), st.lists(st.text(ALPHABET + "\n\r\u2028\ufeff٣", max_size=12), max_size=6))
def test_re2_and_the_backtracking_engine_agree(pattern: str, texts: list[str]) -> None:
    """Both translations give ECMA's meaning, on every character (not only the shared alphabet)."""
    try:
        linear = Pattern(pattern, engines=("re2",))
    except InvalidPattern:
        assert "(?=" in pattern or "(?!" in pattern  # lookaround: RE2 alone refuses only this
        return
    backtracking = Pattern(pattern, engines=("backtracking",))
    for text in texts:
        assert linear.search(text) is backtracking.search(text), (pattern, text)
