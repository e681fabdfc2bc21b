"""Messages as the exact JSON values they are sent as: what JSON would write differently."""

from __future__ import annotations

import math
import sys
from typing import Any

from contracts.findings import Finding, FindingKind, Location
from contracts.limits import MAX_DEPTH, depth_sentence

# Python 3.11 refuses to write an int of more digits than this as text (json.dumps raises).
_MAX_INT_DIGITS = sys.get_int_max_str_digits() or 4300
_BIG_INT = 10**_MAX_INT_DIGITS


def _utf8(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _leaf_problem(value: object) -> tuple[FindingKind, str] | None:
    """(kind, sentence) when a non-container value is not one JSON writes back as itself."""
    kind = type(value)
    if kind is str:
        if _utf8(value):  # type: ignore[arg-type]
            return None
        return (
            FindingKind.ENCODING_FAILED,
            "the string holds a lone surrogate, which UTF-8 JSON cannot carry",
        )
    if kind is int:
        if -_BIG_INT < value < _BIG_INT:
            return None
        return FindingKind.OUT_OF_RANGE, f"the integer has more than {_MAX_INT_DIGITS} digits"
    if kind is float:
        if math.isfinite(value):  # type: ignore[arg-type]
            return None
        return (
            FindingKind.WRONG_TYPE,
            f"{value!r} is not a JSON number (JSON has no NaN or Infinity)",
        )
    if value is None or kind is bool:
        return None
    if kind is tuple:
        hint = "a tuple would be sent as a JSON array: pass a list"
    elif isinstance(value, str | int | float | dict | list):
        base = next(b for b in (bool, str, int, float, dict, list) if isinstance(value, b))
        hint = f"a {base.__name__} subclass is not a plain JSON value: pass {base.__name__}(value)"
    else:
        hint = "JSON has objects, arrays, strings, numbers, booleans and null only"
    return FindingKind.WRONG_TYPE, f"{kind.__name__} is not a JSON value ({hint})"


def json_value_problems(message: object) -> list[Finding]:
    """Everything in `message` that JSON would not send back as the same value: keys that are not
    strings, tuples, NaN/Infinity, subclasses and other types, lone surrogates, and nesting deeper
    than MAX_DEPTH. [] means `json.loads(json.dumps(message)) == message` holds exactly, so what is
    validated is what is sent. Iterative: no message can exhaust the stack here."""
    problems: list[Finding] = []
    stack: list[tuple[object, int, Location]] = [(message, 1, ())]
    while stack:
        value, depth, path = stack.pop()
        kind = type(value)
        if kind is dict:
            entries: Any = value.items()  # type: ignore[attr-defined]
        elif kind is list:
            entries = enumerate(value)  # type: ignore[arg-type]
        else:
            problem = _leaf_problem(value)
            if problem is not None:
                problems.append(Finding(problem[0], path, problem[1]))
            continue
        if depth > MAX_DEPTH:
            problems.append(Finding(FindingKind.TOO_DEEP, path, depth_sentence("the message")))
            continue
        for key, item in entries:
            if kind is dict and type(key) is not str:
                problems.append(
                    Finding(
                        FindingKind.WRONG_TYPE,
                        path,
                        f"the key {key!r} is a {type(key).__name__}: JSON object keys are "
                        "strings, and JSON would send it as a different key",
                    )
                )
                continue
            if kind is dict and not _utf8(key):
                problems.append(
                    Finding(FindingKind.ENCODING_FAILED, path, "a key holds a lone surrogate")
                )
                continue
            item_kind = type(item)
            if item_kind is dict or item_kind is list:
                stack.append((item, depth + 1, (*path, key)))
            elif item_kind is str and item.isascii():
                continue  # the common case, without a call
            else:
                problem = _leaf_problem(item)
                if problem is not None:
                    problems.append(Finding(problem[0], (*path, key), problem[1]))
    problems.reverse()
    return problems
