"""Regular-expression facts the check can be certain of (Python's `re.search`, as validators apply it)."""

from __future__ import annotations

import re
import re._parser as sre_parse  # type: ignore[import-not-found]  # `sre_parse` warns since 3.11
from typing import Any

from contracts import patterns


def matches(pattern: str, name: str) -> bool:
    """ECMA-262 matching in bounded time (contracts.patterns); PatternNotEvaluated past the budget."""
    return patterns.search(pattern, name)


# Pattern semantics are Python's `re.search`, as python-jsonschema applies them. These two
# questions are answered from the parsed pattern, and only for shapes whose answer is certain.
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


def _any_character(body: Any, flags: int) -> bool:
    """Does this repeated body match every single character (`.` with DOTALL, `[\\s\\S]`…)?"""
    items = list(body)
    if len(items) != 1:
        return False
    op, arg = items[0]
    if op is sre_parse.ANY:
        return bool(flags & re.DOTALL)
    if op is sre_parse.IN:
        if any(kind is sre_parse.NEGATE for kind, _ in arg):
            return False  # `[^\s\S]` matches no character at all
        categories = {value for kind, value in arg if kind is sre_parse.CATEGORY}
        return any(pair <= categories for pair in _COMPLEMENTS)
    return False


def matches_every_string(pattern: str) -> bool:
    r"""True only when `re.search(pattern, s)` succeeds for every string s.

    Unanchored, a pattern of optional repetitions (and end anchors) matches at the end of any
    string: `a*`, `.*`, `\d*$`. Anchored with `^`, optional repetitions still match the empty
    prefix; an end anchor then needs a repetition of any character, since `.` stops at a newline:
    `^.*$` rejects "a\nb", `^[\s\S]*$` and `(?s)^.*$` do not.
    """
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
        flags = parsed.state.flags
        return any(
            item[1][1] == sre_parse.MAXREPEAT and _any_character(item[1][2], flags) for item in body
        )
    return all(
        _may_be_skipped(item) or (item[0] is sre_parse.AT and item[1] in _ENDS) for item in items
    )


def anchored_prefix(pattern: str) -> str | None:
    """The literal text every matching string starts with, when `pattern` is `^` then literals
    (case-sensitive, single-line); else None."""
    parsed = _parsed(pattern)
    if parsed is None or parsed.state.flags & (re.IGNORECASE | re.MULTILINE | re.VERBOSE):
        return None
    items = list(parsed)
    if not items or items[0][0] is not sre_parse.AT or items[0][1] not in _STARTS:
        return None
    prefix = []
    for op, arg in items[1:]:
        if op is not sre_parse.LITERAL:
            break
        prefix.append(chr(arg))
    return "".join(prefix)


def pattern_covers(general: str, specific: str | None) -> bool:
    """True only when every name matching `specific` (any name when None) matches `general`."""
    if matches_every_string(general):
        return True
    if specific is None:
        return False
    parsed = _parsed(general)
    prefix, inner = anchored_prefix(general), anchored_prefix(specific)
    if parsed is None or prefix is None or inner is None:
        return False
    return len(list(parsed)) == len(prefix) + 1 and inner.startswith(prefix)


def patterns_disjoint(one: str, other: str) -> bool:
    """True only when no string matches both patterns (two diverging anchored literal prefixes)."""
    first, second = anchored_prefix(one), anchored_prefix(other)
    if first is None or second is None:
        return False
    return not (first.startswith(second) or second.startswith(first))
