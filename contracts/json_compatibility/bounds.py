"""Numbers, strings and sizes: ranges, lengths and counts the reader may tighten."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from contracts.findings import Finding, FindingKind
from contracts.json_compatibility.nodes import Path
from contracts.json_compatibility.pattern_facts import matches_every_string

if TYPE_CHECKING:
    from contracts.json_compatibility.inclusion import Inclusion


def include_string(
    check: Inclusion,
    reader_node: dict[str, Any],
    writer_node: dict[str, Any],
    reader_path: Path,
    writer_path: Path,
) -> list[Finding]:
    findings = lower_bound(
        check,
        reader_node,
        writer_node,
        "minLength",
        "characters",
        reader_path=reader_path,
        writer_path=writer_path,
    )
    findings += upper_bound(
        check,
        reader_node,
        writer_node,
        "maxLength",
        "characters",
        reader_path=reader_path,
        writer_path=writer_path,
    )
    if (
        "pattern" in reader_node
        and reader_node["pattern"] != writer_node.get("pattern")
        and not matches_every_string(reader_node["pattern"])
    ):
        if "pattern" not in writer_node:
            findings.append(
                check.finding(
                    FindingKind.PATTERN_ADDED,
                    (*reader_path, "pattern"),
                    writer_path,
                    f"the reader requires strings to match {reader_node['pattern']!r}, and the writer "
                    "does not",
                )
            )
        else:
            findings += check.unproven(
                (*reader_path, "pattern"),
                (*writer_path, "pattern"),
                f"the pattern changed from {writer_node['pattern']!r} to {reader_node['pattern']!r}",
            )
    return findings


def lower_bound(
    check: Inclusion,
    reader_node: dict[str, Any],
    writer_node: dict[str, Any],
    keyword: str,
    unit: str,
    *,
    reader_path: Path,
    writer_path: Path,
) -> list[Finding]:
    if keyword not in reader_node or reader_node[keyword] <= writer_node.get(keyword, 0):
        return []
    change = "INCREASED" if keyword in writer_node else "ADDED"
    return [
        check.finding(
            BOUND_KINDS[keyword, change],
            (*reader_path, keyword),
            (*writer_path, keyword),
            f"the reader needs at least {reader_node[keyword]} {unit}, but the writer allows "
            f"{writer_node.get(keyword, 0)}",
        )
    ]


def upper_bound(
    check: Inclusion,
    reader_node: dict[str, Any],
    writer_node: dict[str, Any],
    keyword: str,
    unit: str,
    *,
    reader_path: Path,
    writer_path: Path,
) -> list[Finding]:
    if keyword not in reader_node or (
        keyword in writer_node and writer_node[keyword] <= reader_node[keyword]
    ):
        return []
    change = "DECREASED" if keyword in writer_node else "ADDED"
    allowed = f"up to {writer_node[keyword]}" if keyword in writer_node else "any number of"
    return [
        check.finding(
            BOUND_KINDS[keyword, change],
            (*reader_path, keyword),
            (*writer_path, keyword),
            f"the reader accepts at most {reader_node[keyword]} {unit}, but the writer allows "
            f"{allowed} {unit}",
        )
    ]


def include_number(
    check: Inclusion,
    reader_node: dict[str, Any],
    writer_node: dict[str, Any],
    reader_path: Path,
    writer_path: Path,
    *,
    integer_only: bool,
) -> list[Finding]:
    findings: list[Finding] = []
    for low, keywords in (
        (True, ("minimum", "exclusiveMinimum")),
        (False, ("maximum", "exclusiveMaximum")),
    ):
        reader_bound = bound(reader_node, keywords, low=low)
        if reader_bound is None:
            continue
        writer_bound = bound(writer_node, keywords, low=low)
        if writer_bound is not None and within(
            writer_bound, reader_bound, low=low, integer_only=integer_only
        ):
            continue
        keyword = keywords[1] if reader_bound[1] else keywords[0]
        change = "ADDED" if writer_bound is None else ("INCREASED" if low else "DECREASED")
        side = "at least" if low else "at most"
        if reader_bound[1]:
            side = "greater than" if low else "less than"
        writer_text = (
            f"{'from' if low else 'up to'} {writer_bound[0]}"
            if writer_bound is not None
            else "any value"
        )
        findings.append(
            check.finding(
                BOUND_KINDS[keyword, change],
                (*reader_path, keyword),
                writer_path,
                f"the reader needs numbers {side} {reader_bound[0]}, but the writer allows "
                f"{writer_text}",
            )
        )
    if "multipleOf" in reader_node:
        step = Fraction(str(reader_node["multipleOf"]))
        writer_step = (
            Fraction(str(writer_node["multipleOf"]))
            if "multipleOf" in writer_node
            else (Fraction(1) if integer_only else None)
        )
        if writer_step is None or (writer_step / step).denominator != 1:
            change = "ADDED" if "multipleOf" not in writer_node else "CHANGED"
            findings.append(
                check.finding(
                    BOUND_KINDS["multipleOf", change],
                    (*reader_path, "multipleOf"),
                    writer_path,
                    f"the reader needs multiples of {reader_node['multipleOf']}, and the writer's "
                    "numbers are not always such multiples",
                )
            )
    return findings


# The kind for a reader bound the writer does not have (ADDED) or has looser.
BOUND_KINDS: dict[tuple[str, str], FindingKind] = {
    ("minLength", "ADDED"): FindingKind.MIN_LENGTH_ADDED,
    ("minLength", "INCREASED"): FindingKind.MIN_LENGTH_INCREASED,
    ("maxLength", "ADDED"): FindingKind.MAX_LENGTH_ADDED,
    ("maxLength", "DECREASED"): FindingKind.MAX_LENGTH_DECREASED,
    ("minItems", "ADDED"): FindingKind.MIN_ITEMS_ADDED,
    ("minItems", "INCREASED"): FindingKind.MIN_ITEMS_INCREASED,
    ("maxItems", "ADDED"): FindingKind.MAX_ITEMS_ADDED,
    ("maxItems", "DECREASED"): FindingKind.MAX_ITEMS_DECREASED,
    ("minProperties", "ADDED"): FindingKind.MIN_PROPERTIES_ADDED,
    ("minProperties", "INCREASED"): FindingKind.MIN_PROPERTIES_INCREASED,
    ("maxProperties", "ADDED"): FindingKind.MAX_PROPERTIES_ADDED,
    ("maxProperties", "DECREASED"): FindingKind.MAX_PROPERTIES_DECREASED,
    ("minimum", "ADDED"): FindingKind.MINIMUM_ADDED,
    ("minimum", "INCREASED"): FindingKind.MINIMUM_INCREASED,
    ("exclusiveMinimum", "ADDED"): FindingKind.EXCLUSIVE_MINIMUM_ADDED,
    ("exclusiveMinimum", "INCREASED"): FindingKind.EXCLUSIVE_MINIMUM_INCREASED,
    ("maximum", "ADDED"): FindingKind.MAXIMUM_ADDED,
    ("maximum", "DECREASED"): FindingKind.MAXIMUM_DECREASED,
    ("exclusiveMaximum", "ADDED"): FindingKind.EXCLUSIVE_MAXIMUM_ADDED,
    ("exclusiveMaximum", "DECREASED"): FindingKind.EXCLUSIVE_MAXIMUM_DECREASED,
    ("multipleOf", "ADDED"): FindingKind.MULTIPLE_OF_ADDED,
    ("multipleOf", "CHANGED"): FindingKind.MULTIPLE_OF_CHANGED,
}


def bound(
    node: dict[str, Any], keywords: tuple[str, str], *, low: bool
) -> tuple[float, bool] | None:
    """The tighter of the inclusive and exclusive bound on one side: (value, exclusive)."""
    inclusive: Any = node.get(keywords[0])
    exclusive: Any = node.get(keywords[1])
    if isinstance(exclusive, bool):  # draft 4: a flag making the inclusive bound exclusive
        exclusive, inclusive = (inclusive, None) if exclusive else (None, inclusive)
    if inclusive is None and exclusive is None:
        return None
    if inclusive is None:
        return (exclusive, True)
    if exclusive is None:
        return (inclusive, False)
    if low:
        return (exclusive, True) if exclusive >= inclusive else (inclusive, False)
    return (exclusive, True) if exclusive <= inclusive else (inclusive, False)


def within(
    writer: tuple[float, bool], reader: tuple[float, bool], *, low: bool, integer_only: bool
) -> bool:
    """Does the writer's bound keep every writer value inside the reader's bound?"""
    value, exclusive = writer
    if integer_only:
        # For integers, > 2.5 means >= 3 and > 3 means >= 4: compare inclusive integer bounds.
        if low:
            value = math.floor(value) + 1 if exclusive else math.ceil(value)
        else:
            value = math.ceil(value) - 1 if exclusive else math.floor(value)
        exclusive = False
    bound, bound_exclusive = reader
    if low:
        return value > bound or (value == bound and (exclusive or not bound_exclusive))
    return value < bound or (value == bound and (exclusive or not bound_exclusive))
