"""Limits: examples and reports stay small by construction; schemas and messages nest at most MAX_DEPTH."""

from __future__ import annotations

from typing import Any, Final

from contracts.findings import Location

# --- example messages (contracts/counterexamples.py) ------------------------------------------
# A schema may demand values of any size ("minLength": 100000000); an example is built only when
# every part of it fits these limits, and is otherwise described in words.

MAX_EXAMPLE_STRING: Final = 256  # characters of one generated string
MAX_EXAMPLE_BYTES: Final = 256  # bytes of one generated Avro bytes or fixed value
MAX_EXAMPLE_ITEMS: Final = 16  # items of one generated array (minItems above this: described)
MAX_EXAMPLE_PROPERTIES: Final = 1000  # fields of one generated record or object
MAX_EXAMPLE_DIGITS: Final = 40  # digits of one generated number
MAX_EXAMPLE_DEPTH: Final = 12  # nesting; recursive types are walked this deep and no deeper
MAX_EXAMPLE_SIZE: Final = 16_384  # characters of one whole example message, as JSON
# Values the whole counterexample search may build (every candidate together): the search stops,
# with no counterexample, rather than run longer.
MAX_GENERATED_VALUES: Final = 200_000

# --- reports (contracts/report.py) -----------------------------------------------------------

MAX_FINDINGS_RENDERED: Final = 50  # per consumer and for the level; the rest are counted
MAX_MESSAGE_LENGTH: Final = 1000  # characters of one finding sentence or rejection reason

# --- schemas ---------------------------------------------------------------------------------

# An Avro fixed is a single value of a message; no transport Accord serves carries one above
# Pub/Sub's 10 MB message limit, so a larger size is refused when the schema is parsed.
MAX_AVRO_FIXED_SIZE: Final = 10 * 1024 * 1024
# Encoding a decimal writes `scale` digits even for zero, so the scale (at most the precision) is
# work per message: precision is bounded as PostgreSQL bounds `numeric` (1000 digits).
MAX_DECIMAL_PRECISION: Final = 1000

# --- depth ------------------------------------------------------------------------------------

# How deeply schemas and messages may nest (JSON objects/arrays, a schema's types or subschemas with
# its references followed). Every walker of a schema or message recurses once or a few times per
# level, so this stays far below the interpreter's recursion limit (1000): what parses once is then
# canonicalised, validated, checked and encoded everywhere without running out of stack.
MAX_DEPTH: Final = 64


def too_deep(document: object, limit: int = MAX_DEPTH) -> Location | None:
    """The path of the first container nested deeper than `limit` in a JSON-like document (dicts,
    lists and tuples), or None. Iterative, so any depth is measured without recursion."""
    stack: list[tuple[Any, int, Location]] = [(document, 1, ())]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, dict):
            items: Any = value.items()
        elif isinstance(value, list | tuple):
            items = enumerate(value)
        else:
            continue
        if depth > limit:
            return path
        for key, item in items:
            if isinstance(item, dict | list | tuple):
                token = key if isinstance(key, str | int) else repr(key)
                stack.append((item, depth + 1, (*path, token)))
    return None


def depth_sentence(what: str, limit: int = MAX_DEPTH) -> str:
    """The one way every format says a structure is too deep."""
    return (
        f"{what} is nested more than {limit} levels deep (Accord's limit for schemas and messages)"
    )
