"""Regular-expression facts the check can be certain of, in ECMA-262 as contracts.patterns runs it."""

from __future__ import annotations

import re
import re._parser as sre_parse  # type: ignore[import-not-found]  # `sre_parse` warns since 3.11
from typing import Any

from contracts import patterns


def matches(pattern: str, name: str) -> bool:
    """ECMA-262 matching in bounded time (contracts.patterns); PatternNotEvaluated past the budget."""
    return patterns.search(pattern, name)


# Patterns mean what ECMA-262 says (contracts.patterns). The facts below read Python's parse of a
# pattern only for shapes both dialects read alike, and answer False whenever that is not certain.
_ANY_REPEAT = (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT)
# Only `^` and `$`: `\A` and `\Z` are Python's; in ECMA-262 (JSON Schema's dialect) `\Z` is a
# literal Z, so trusting them could call a pattern universal that a conforming validator is not.
_STARTS = (sre_parse.AT_BEGINNING,)
_ENDS = (sre_parse.AT_END,)
_COMPLEMENTS = (
    {sre_parse.CATEGORY_SPACE, sre_parse.CATEGORY_NOT_SPACE},
    {sre_parse.CATEGORY_DIGIT, sre_parse.CATEGORY_NOT_DIGIT},
    {sre_parse.CATEGORY_WORD, sre_parse.CATEGORY_NOT_WORD},
)


def _parsed(pattern: str) -> sre_parse.SubPattern | None:
    try:
        return sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None


def _may_be_skipped(item: tuple[Any, Any]) -> bool:
    """A repetition that may match zero times."""
    op, arg = item
    return op in _ANY_REPEAT and arg[0] == 0


def _any_character(body: Any) -> bool:
    """Does this repeated body match every single character (`[\\s\\S]`, `[\\d\\D]`, `[\\w\\W]`)?"""
    items = list(body)
    if len(items) != 1:
        return False
    op, arg = items[0]
    if op is sre_parse.IN:
        if any(kind is sre_parse.NEGATE for kind, _ in arg):
            return False  # `[^\s\S]` matches no character at all
        categories = {value for kind, value in arg if kind is sre_parse.CATEGORY}
        return any(pair <= categories for pair in _COMPLEMENTS)
    return False


def matches_every_string(pattern: str) -> bool:
    r"""True only when the pattern finds a match in every string.

    Unanchored, a pattern of optional repetitions (and `$`) matches at the end of any string:
    `a*`, `.*`, `\d*$`. Anchored with `^`, optional repetitions still match the empty prefix; a `$`
    then needs a repetition of any character, since `.` stops at a line terminator: `^.*$`
    rejects "a\nb", `^[\s\S]*$` does not. `{,n}` is a quantifier to Python but literal text to
    ECMA-262, so a pattern holding it is never called universal.
    """
    if "{," in pattern:
        return False
    parsed = _parsed(pattern)
    if parsed is None:
        return False
    items = list(parsed)
    if items and items[0][0] is sre_parse.AT and items[0][1] in _STARTS:
        body = items[1:]
        while body and body[-1][0] is sre_parse.AT and body[-1][1] in _ENDS:
            body.pop()
        if not all(_may_be_skipped(item) for item in body):
            return False
        if len(body) == len(items) - 1:
            return True
        return any(
            item[1][1] == sre_parse.MAXREPEAT and _any_character(item[1][2]) for item in body
        )
    return all(
        _may_be_skipped(item) or (item[0] is sre_parse.AT and item[1] in _ENDS) for item in items
    )


# Characters with a meaning of their own in a pattern; every other character stands for itself.
_SYNTAX = frozenset("\\^$.|?*+()[]{}")


def anchored_prefix(pattern: str) -> str | None:
    """The literal text every matching string starts with, when `pattern` starts with `^` and has
    no alternation; else None. Read from the source (plain characters only, no escapes, whose
    meaning differs between dialects), so it holds in ECMA-262 and Python alike."""
    if not pattern.startswith("^") or "|" in pattern:
        return None
    prefix: list[str] = []
    for character in pattern[1:]:
        if character in _SYNTAX:
            break
        prefix.append(character)
    if prefix and pattern[1 + len(prefix) : 2 + len(prefix)] in ("?", "*", "{"):
        prefix.pop()  # a quantifier on the last character may repeat it zero times
    return "".join(prefix)


def _literal_only(pattern: str) -> bool:
    return pattern.startswith("^") and not any(c in _SYNTAX for c in pattern[1:])


def pattern_covers(general: str, specific: str | None) -> bool:
    """True only when every name matching `specific` (any name when None) matches `general`."""
    if matches_every_string(general):
        return True
    if specific is None:
        return False
    inner = anchored_prefix(specific)
    return _literal_only(general) and inner is not None and inner.startswith(general[1:])


def patterns_disjoint(one: str, other: str) -> bool:
    """True only when no string matches both patterns (two diverging anchored literal prefixes)."""
    first, second = anchored_prefix(one), anchored_prefix(other)
    if first is None or second is None:
        return False
    return not (first.startswith(second) or second.startswith(first))
