"""Combinators: anyOf, oneOf, allOf, not, if/then/else and merging writer conjunctions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contracts.findings import Finding, FindingKind
from contracts.json_compatibility.acceptance import everything, normal
from contracts.json_compatibility.nodes import (
    ANNOTATIONS,
    Side,
    admits,
    canonical,
    declared_types,
    has_ref,
    without,
)

if TYPE_CHECKING:
    from contracts.json_compatibility.inclusion import Inclusion


# Keywords whose meaning depends on siblings: a merged writer schema must keep each group together.
GROUPS = (
    frozenset({"items", "additionalItems", "prefixItems", "unevaluatedItems"}),
    frozenset({"if", "then", "else"}),
    frozenset({"contains", "minContains", "maxContains"}),
)


def first_success(check: Inclusion, reader: Side, candidates: list[Side]) -> list[Finding]:
    """The writer is included if any over-approximation of it is; else the first one's findings."""
    first: list[Finding] | None = None
    for candidate in candidates:
        findings = check.include(reader, candidate)
        if not findings:
            return []
        if first is None:
            first = findings
    return first or []


def writer_conjunction(
    check: Inclusion, writer: Side, base: dict[str, Any], parts: list[Any]
) -> list[Side]:
    """Supersets of base ∧ parts, most precise first (sound for the writer side only)."""
    # unevaluated* depend on the parts being split off; dropping them only widens the writer.
    base = without(base, "unevaluatedProperties", "unevaluatedItems")
    resolved = [check.deref(writer.at(p)) for p in parts]
    merged = merge([base, *(v.node for v in resolved)])
    candidates: list[Side] = []
    # A merged schema resolves its refs against the writer's root: fine unless `$id`s nest.
    if merged is not None and not check.nested_ids[id(writer.document)]:
        candidates.append(writer.at(merged))
    candidates += [v for v in resolved if v.node is not True]
    if not everything(check, writer.at(base)):
        candidates.append(writer.at(base))
    return candidates or [writer.at({})]


def paired_one_of(check: Inclusion, reader: Side, writer: Side) -> list[Finding] | None:
    """Each writer branch equivalent to its own reader branch: the same exclusive choice.

    The reader's branches are flattened first: a document matching exactly one branch of
    oneOf[A, B, C] matches exactly one of oneOf[A, oneOf[B, C]] too (the converse fails when
    A, B and C all match, so the writer is never flattened)."""
    unpaired = one_of_leaves(check, reader)
    writer_branches = writer.node["oneOf"]
    if len(unpaired) != len(writer_branches):
        return None
    for j, branch in enumerate(writer_branches):
        writer_branch = writer.at(branch, "oneOf", str(j))
        match = next((leaf for leaf in unpaired if check.equivalent(leaf, writer_branch)), None)
        if match is None:
            return None
        unpaired.remove(match)
    base_r, base_w = without(reader.node, "oneOf"), without(writer.node, "oneOf")
    return check.include(reader.at(base_r), writer.at(base_w))


def one_of_leaves(check: Inclusion, reader: Side) -> list[Side]:
    """The reader's oneOf branches, with branches that are themselves only a oneOf opened up."""
    leaves: list[Side] = []
    for i, branch in enumerate(reader.node["oneOf"]):
        leaf = reader.at(branch, "oneOf", str(i))
        inner = normal(check, check.deref(leaf))
        node = inner.node
        if (
            isinstance(node, dict)
            and isinstance(node.get("oneOf"), list)
            and all(k in ANNOTATIONS for k in without(node, "oneOf"))
        ):
            leaves += one_of_leaves(check, inner)
        else:
            leaves.append(leaf)
    return leaves


def include_same_condition(check: Inclusion, reader: Side, writer: Side) -> list[Finding]:
    """Equivalent `if`s: a writer document taking a branch satisfies the writer's branch, so
    the reader's branch needs only to include it (weaker reader branches are safe)."""
    reader_node, writer_node = reader.node, writer.node
    findings = check.include(reader.at(without(reader_node, "if", "then", "else")), writer)
    base = without(writer_node, "if", "then", "else")
    for keyword in ("then", "else"):
        if keyword not in reader_node:
            continue
        parts = (
            [writer_node["if"], writer_node.get("then", True)]
            if keyword == "then"
            else [writer_node.get("else", True)]
        )
        findings += first_success(
            check,
            reader.at(reader_node[keyword], keyword),
            writer_conjunction(check, writer.step(keyword), base, parts),
        )
    return findings


def include_alternatives(check: Inclusion, reader: Side, writer: Side) -> list[Finding]:
    reader_node = reader.node
    keyword = "anyOf" if isinstance(reader_node.get("anyOf"), list) else "oneOf"
    findings = check.include(reader.at(without(reader_node, keyword)), writer)
    whole = alternative_for(check, reader, writer, keyword=keyword)
    if not whole:
        return findings
    # Regrouped by type: the writer's values of each JSON type may each find their own branch.
    types = declared_types(writer.node)
    if "number" in types:
        types.discard("integer")
    if len(types) > 1:
        pieces = [writer.at({**writer.node, "type": kind}) for kind in sorted(types)]
        if all(not alternative_for(check, reader, piece, keyword=keyword) for piece in pieces):
            return findings
    return findings + whole


def alternative_for(
    check: Inclusion,
    reader: Side,
    writer: Side,
    *,
    keyword: str,
) -> list[Finding]:
    """[] when one branch of the reader's anyOf/oneOf accepts every writer document (and, for
    oneOf, no other branch can also accept one); else why not."""
    branches = reader.node[keyword]
    best: list[Finding] | None = None
    for i, branch in enumerate(branches):
        inside = check.include(reader.at(branch, keyword, str(i)), writer)
        if inside:
            best = inside if best is None or len(inside) < len(best) else best
            continue
        if keyword == "oneOf":
            for j, other in enumerate(branches):
                if j != i and not disjoint(check, reader.at(other), writer):
                    return check.unproven(
                        (*reader.path, "oneOf", str(j)),
                        writer.path,
                        f"writer documents match alternative {i} of the reader's oneOf, and "
                        f"Accord cannot show they never also match alternative {j}",
                    )
        return []
    detail = "; ".join(f.message for f in (best or [])[:2])
    return [
        check.finding(
            FindingKind.UNION_NARROWED,
            reader.path,
            writer.path,
            f"no alternative of the reader's {keyword} accepts every document the writer "
            f"allows ({detail})",
        ),
    ]


def include_not(check: Inclusion, reader: Side, writer: Side) -> list[Finding]:
    negated = reader.at(reader.node["not"], "not")
    if disjoint(check, negated, writer):
        return []
    # not A ⊇ not B exactly when A ⊆ B.
    if "not" in writer.node and not check.include(writer.at(writer.node["not"], "not"), negated):
        return []
    return check.unproven(
        (*reader.path, "not"),
        writer.path,
        "the reader excludes documents with `not` that the writer may allow",
    )


def include_conditional(check: Inclusion, reader: Side, writer: Side) -> list[Finding]:
    reader_node = reader.node
    condition = reader.at(reader_node["if"], "if")
    if not check.include(condition, writer):
        return check.include(reader.at(reader_node.get("then", True), "then"), writer)
    if disjoint(check, condition, writer):
        return check.include(reader.at(reader_node.get("else", True), "else"), writer)
    same = all(
        canonical(reader_node.get(k)) == canonical(writer.node.get(k))
        for k in ("if", "then", "else")
    )
    if same and not has_ref(reader_node):
        return []
    return check.unproven(reader.path, writer.path, "the reader adds an if/then/else condition")


def disjoint(check: Inclusion, a: Side, b: Side) -> bool:
    a, b = check.deref(a), check.deref(b)
    if a.node is False or b.node is False:
        return True
    if not isinstance(a.node, dict) or not isinstance(b.node, dict):
        return False
    for one, other in ((a, b), (b, a)):
        values = check.finite_values(one)
        if values is not None:
            accepts = check.validator(other)
            return not any(accepts.is_valid(v) for v in values)
    ta, tb = declared_types(a.node), declared_types(b.node)
    if not any(admits(tb, t) for t in ta) and not any(admits(ta, t) for t in tb):
        return True
    # Objects told apart by a required property whose values cannot overlap (a discriminator).
    if ta <= {"object"} or tb <= {"object"}:
        for one, other in ((a, b), (b, a)):
            if declared_types(one.node) <= {"object"}:
                for name in one.node.get("required", []):
                    mine = one.node.get("properties", {}).get(name)
                    theirs = other.node.get("properties", {}).get(name)
                    if (
                        mine is not None
                        and theirs is not None
                        and name in other.node.get("required", [])
                        and disjoint(check, one.at(mine), other.at(theirs))
                    ):
                        return True
    return False


def merge(parts: list[Any]) -> dict[str, Any] | None:
    """A single schema accepting at least what all `parts` accept together, or None.

    Used for the writer only (a superset keeps the check sound). Properties merge by name, required
    lists join, types intersect; other keywords must not clash and sibling-dependent groups
    (items/additionalItems, if/then/else, contains) must come from one part.
    """
    merged: dict[str, Any] = {}
    owner: dict[str, int] = {}
    for index, part in enumerate(parts):
        if part is True:
            continue
        if not isinstance(part, dict) or any(k in part for k in ("$ref", "$id", "id")):
            return None
        for key, value in part.items():
            if key in ANNOTATIONS:
                continue
            if key == "properties" and key in merged:
                props = dict(merged[key])
                for name, schema in value.items():
                    props[name] = {"allOf": [props[name], schema]} if name in props else schema
                merged[key] = props
            elif key == "required" and key in merged:
                merged[key] = sorted(set(merged[key]) | set(value))
            elif key == "type" and key in merged:
                mine = declared_types({"type": merged[key]})
                theirs = declared_types({"type": value})
                common = {t for t in mine if admits(theirs, t)} | {
                    t for t in theirs if admits(mine, t)
                }
                merged[key] = sorted(common)
            elif key in merged and canonical(merged[key]) != canonical(value):
                return None
            else:
                merged[key] = value
                owner[key] = index
    for group in GROUPS:
        if len({owner[k] for k in group if k in owner}) > 1:
            return None
    if any(k.startswith("unevaluated") for k in merged) and len(parts) > 1:
        return None
    return merged
