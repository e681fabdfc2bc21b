"""JSON Schema compatibility as instance inclusion: is every document the writer allows valid for the reader?

The check walks both schemas together and applies structural rules in the spirit of Confluent's
JSON Schema diff (content models, bounds, enums, combinators). Every rule is sound: when it answers
"compatible", every writer document is valid under the reader (tests hold this against jsonschema with
documents generated from the writer). When a rule cannot decide (differing patterns, `not`, `oneOf`
exclusivity it cannot prove…), the answer is a finding of kind UNPROVEN, never a silent yes.

Two deliberate choices:
- LENIENT follows Confluent: optional properties may be added to or removed from open models (and an
  open model may become closed) although a document could in theory carry such a property.
- A required property with a `default` added to the reader is incompatible under both policies:
  validators do not apply defaults, so an old document without it is invalid for the reader.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import referencing.exceptions
from jsonschema.protocols import Validator
from referencing._core import Resolver

from contracts.findings import Finding, FindingKind
from contracts.formats import CompatibilityPolicy
from contracts.json_schema import (
    SCHEMA_LIST_KEYWORDS,
    SCHEMA_MAP_KEYWORDS,
    children,
    specification_for,
    subschemas,
)

if TYPE_CHECKING:
    from contracts.json_schema import JsonSchema

Path = tuple[str, ...]
TYPES = frozenset({"null", "boolean", "object", "array", "number", "string", "integer"})
# Keywords that never constrain an instance (annotations); a schema made only of them accepts anything.
ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "$anchor",
        "$vocabulary",
        "$defs",
        "definitions",
        "title",
        "description",
        "default",
        "examples",
        "readOnly",
        "writeOnly",
        "deprecated",
        "format",
        "contentEncoding",
        "contentMediaType",
        "contentSchema",
    }
)
# Keywords whose meaning depends on siblings: a merged writer schema must keep each group together.
_GROUPS = (
    frozenset({"items", "additionalItems", "prefixItems", "unevaluatedItems"}),
    frozenset({"if", "then", "else"}),
    frozenset({"contains", "minContains", "maxContains"}),
)


@dataclass(frozen=True, slots=True)
class View:
    """A subschema together with the resolver of its document (for `$ref` and `$id`)."""

    node: Any
    side: JsonSchema
    resolver: Resolver[Any]

    def at(self, node: Any) -> View:
        if isinstance(node, dict) and isinstance(node.get("$id"), str):
            spec = _spec(self.side)
            return View(node, self.side, self.resolver.in_subresource(spec.create_resource(node)))
        return View(node, self.side, self.resolver)


def _spec(side: JsonSchema) -> referencing.Specification[Any]:
    return specification_for(side.draft)


def _dump(value: object, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _has_ref(node: Any) -> bool:
    if isinstance(node, dict):
        if any(k in node for k in ("$ref", "$dynamicRef", "$recursiveRef")):
            return True
        return any(_has_ref(child) for _, child in children(node))
    return False


def _canonical(node: Any) -> str:
    return json.dumps(node, sort_keys=True, separators=(",", ":"))


def _types(node: dict[str, Any]) -> set[str]:
    declared = node.get("type")
    if declared is None:
        return set(TYPES)
    return {declared} if isinstance(declared, str) else set(declared)


def _admits(types: set[str], kind: str) -> bool:
    return kind in types or (kind == "integer" and "number" in types)


def _type_of(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _trivial(node: Any) -> bool:
    """True for schemas that accept every instance: true, {} and annotation-only objects."""
    if node is True:
        return True
    return isinstance(node, dict) and all(k in ANNOTATIONS for k in node)


def _without(node: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in node.items() if k not in keys}


class _Check:
    """One inclusion check; findings are returned (not accumulated) so alternatives can be tried."""

    def __init__(self, reader: JsonSchema, writer: JsonSchema, policy: CompatibilityPolicy) -> None:
        self.policy = policy
        self.reader = reader
        self.writer = writer
        self.in_progress: set[tuple[int, int, int, int]] = set()
        self.validators: dict[tuple[int, int], Validator] = {}
        self.nested_ids = {id(side): _nested_ids(side.schema) for side in (reader, writer)}

    # --- findings -------------------------------------------------------------------------------

    @staticmethod
    def finding(
        kind: FindingKind,
        rp: Path,
        wp: Path,
        message: str,
        *,
        keyword: str | None = None,
        field: str | None = None,
    ) -> Finding:
        return Finding(
            kind=kind,
            path=rp,
            message=message,
            reader_path=rp,
            writer_path=wp,
            keyword=keyword if keyword is not None else _last_keyword(rp),
            field=field,
        )

    def unproven(self, rp: Path, wp: Path, what: str) -> list[Finding]:
        return [
            self.finding(
                FindingKind.UNPROVEN,
                rp,
                wp,
                f"{what}; Accord could not prove that every document the writer allows is valid "
                "for the reader, so it treats the change as breaking",
            )
        ]

    # --- resolution -----------------------------------------------------------------------------

    def deref(self, view: View) -> View:
        """Follow a `$ref` that stands alone (draft 7 ignores its siblings; later drafts add them)."""
        for _ in range(64):
            node = view.node
            if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
                return view
            if view.side.draft.META_SCHEMA.get("$schema", "").endswith("draft-07/schema#") or all(
                k in ANNOTATIONS or k == "$ref" for k in node
            ):
                try:
                    resolved = view.resolver.lookup(node["$ref"])
                except referencing.exceptions.Unresolvable:
                    return View(False, view.side, view.resolver)
                view = View(resolved.contents, view.side, resolved.resolver).at(resolved.contents)
            else:
                return view
        return view

    def validator(self, view: View) -> Validator:
        key = (id(view.node), id(view.resolver))
        found = self.validators.get(key)
        if found is None:
            found = view.side.validator.evolve(schema=view.node, _resolver=view.resolver)
            self.validators[key] = found
        return found

    # --- the inclusion relation -----------------------------------------------------------------

    def include(self, r: View, w: View, rp: Path, wp: Path) -> list[Finding]:
        r, w = self.deref(r), self.deref(w)
        if w.node is False or _trivial(r.node):
            return []
        if r.node is False:
            return [
                self.finding(
                    FindingKind.TYPE_NARROWED,
                    rp,
                    wp,
                    "the reader allows no value here, but the writer does",
                    keyword="false",
                )
            ]
        if w.node is True:
            w = View({}, w.side, w.resolver)
        if (
            not _has_ref(r.node)
            and not _has_ref(w.node)
            and _canonical(r.node) == _canonical(w.node)
        ):
            return []
        key = (id(r.node), id(w.node), id(r.side), id(w.side))
        if key in self.in_progress:
            return []  # a recursive schema met again: instances are finite, so this is sound
        self.in_progress.add(key)
        try:
            values = self.finite_values(w)
            if values is not None:
                return self.include_values(r, values, rp, wp)
            return self.include_node(r, w, rp, wp)
        finally:
            self.in_progress.discard(key)

    def finite_values(self, w: View) -> list[Any] | None:
        """The writer's instances when they are few and known (enum, const, boolean, null)."""
        node = w.node
        if "const" in node:
            values = [node["const"]]
        elif isinstance(node.get("enum"), list):
            values = list(node["enum"])
        elif "type" in node and _types(node) <= {"null", "boolean"}:
            values = ([None] if "null" in _types(node) else []) + (
                [True, False] if "boolean" in _types(node) else []
            )
        else:
            return None
        valid = self.validator(w).is_valid
        return [v for v in values if valid(v)]

    def include_values(self, r: View, values: list[Any], rp: Path, wp: Path) -> list[Finding]:
        """Exact: each value the writer allows is checked with the reader's own validator."""
        reader = self.validator(r)
        rejected = [v for v in values if not reader.is_valid(v)]
        if not rejected:
            return []
        node = r.node if isinstance(r.node, dict) else {}
        kind = FindingKind.ENUM_NARROWED if "enum" in node else FindingKind.CONST_CHANGED
        keyword = "enum" if "enum" in node else "const"
        if "enum" not in node and "const" not in node:
            errors = list(reader.iter_errors(rejected[0]))
            keyword = str(errors[0].validator) if errors else "type"
            kind = _VALUE_KINDS.get(keyword, FindingKind.VALUE_REJECTED)
        shown = ", ".join(_dump(v, 40) for v in rejected[:5])
        return [
            self.finding(
                kind,
                rp,
                wp,
                f"the writer may send {shown}, which the reader does not accept",
                keyword=keyword,
            )
        ]

    def include_node(self, r: View, w: View, rp: Path, wp: Path) -> list[Finding]:
        rn: dict[str, Any] = r.node
        wn: dict[str, Any] = w.node
        # Both sides oneOf of the same length: pairing equivalent branches proves exclusivity.
        if isinstance(rn.get("oneOf"), list) and isinstance(wn.get("oneOf"), list):
            paired = self.paired_one_of(r, w, rp, wp)
            if paired is not None:
                return paired
        # The writer's alternatives: each must be included on its own.
        for keyword in ("anyOf", "oneOf"):
            if isinstance(wn.get(keyword), list):
                base = _without(wn, keyword)
                findings: list[Finding] = []
                for i, branch in enumerate(wn[keyword]):
                    findings += self.first_success(
                        r,
                        self.writer_conjunction(w, base, [branch]),
                        rp,
                        (*wp, keyword, str(i)),
                    )
                return findings
        if "if" in wn and ("then" in wn or "else" in wn):
            base = _without(wn, "if", "then", "else")
            findings = []
            for keyword in ("then", "else"):
                findings += self.first_success(
                    r,
                    self.writer_conjunction(w, base, [wn.get(keyword, True)]),
                    rp,
                    (*wp, keyword),
                )
            return findings
        if isinstance(wn.get("allOf"), list) or self.ref_with_siblings(wn):
            conjuncts = list(wn.get("allOf", []))
            if self.ref_with_siblings(wn):
                conjuncts.append({"$ref": wn["$ref"]})
            base = _without(wn, "allOf", "$ref")
            return self.first_success(r, self.writer_conjunction(w, base, conjuncts), rp, wp)
        # The reader's conjunctions: each conjunct must hold on its own.
        if isinstance(rn.get("allOf"), list) or self.ref_with_siblings(rn):
            findings = self.include(r.at(_without(rn, "allOf", "$ref")), w, rp, wp)
            for i, conjunct in enumerate(rn.get("allOf", [])):
                findings += self.include(r.at(conjunct), w, (*rp, "allOf", str(i)), wp)
            if self.ref_with_siblings(rn):
                findings += self.include(r.at({"$ref": rn["$ref"]}), w, (*rp, "$ref"), wp)
            return findings
        if isinstance(rn.get("anyOf"), list) or isinstance(rn.get("oneOf"), list):
            return self.include_alternatives(r, w, rp, wp)
        if "not" in rn:
            return self.include(r.at(_without(rn, "not")), w, rp, wp) + self.include_not(
                r, w, rp, wp
            )
        if "if" in rn:
            return self.include(r.at(_without(rn, "if", "then", "else")), w, rp, wp) + (
                self.include_conditional(r, w, rp, wp)
            )
        if any(k in rn for k in ("$dynamicRef", "$recursiveRef")):
            return self.unproven(rp, wp, "the reader uses a dynamic reference")
        return self.include_plain(r, w, rp, wp)

    def ref_with_siblings(self, node: dict[str, Any]) -> bool:
        return isinstance(node.get("$ref"), str) and any(
            k not in ANNOTATIONS and k != "$ref" for k in node
        )

    def first_success(self, r: View, candidates: list[View], rp: Path, wp: Path) -> list[Finding]:
        """The writer is included if any over-approximation of it is; else the first one's findings."""
        first: list[Finding] | None = None
        for candidate in candidates:
            findings = self.include(r, candidate, rp, wp)
            if not findings:
                return []
            if first is None:
                first = findings
        return first or []

    def writer_conjunction(self, w: View, base: dict[str, Any], parts: list[Any]) -> list[View]:
        """Supersets of base ∧ parts, most precise first (sound for the writer side only)."""
        # unevaluated* depend on the parts being split off; dropping them only widens the writer.
        base = _without(base, "unevaluatedProperties", "unevaluatedItems")
        resolved = [self.deref(w.at(p)) for p in parts]
        merged = _merge([base, *(v.node for v in resolved)])
        candidates: list[View] = []
        # A merged schema resolves its refs against the writer's root: fine unless `$id`s nest.
        if merged is not None and not self.nested_ids[id(w.side)]:
            candidates.append(w.at(merged))
        candidates += [v for v in resolved if v.node is not True]
        if not _trivial(base):
            candidates.append(w.at(base))
        return candidates or [w.at({})]

    def paired_one_of(self, r: View, w: View, rp: Path, wp: Path) -> list[Finding] | None:
        rs, ws = r.node["oneOf"], w.node["oneOf"]
        if len(rs) != len(ws):
            return None
        for i, (rb, wb) in enumerate(zip(rs, ws, strict=True)):
            there = self.include(r.at(rb), w.at(wb), (*rp, "oneOf", str(i)), (*wp, "oneOf", str(i)))
            back = self.include(w.at(wb), r.at(rb), (*wp, "oneOf", str(i)), (*rp, "oneOf", str(i)))
            if there or back:
                return None
        base_r, base_w = _without(r.node, "oneOf"), _without(w.node, "oneOf")
        return self.include(r.at(base_r), w.at(base_w), rp, wp)

    def include_alternatives(self, r: View, w: View, rp: Path, wp: Path) -> list[Finding]:
        rn = r.node
        keyword = "anyOf" if isinstance(rn.get("anyOf"), list) else "oneOf"
        base = _without(rn, keyword)
        findings = self.include(r.at(base), w, rp, wp)
        branches = rn[keyword]
        best: list[Finding] | None = None
        for i, branch in enumerate(branches):
            inside = self.include(r.at(branch), w, (*rp, keyword, str(i)), wp)
            if inside:
                best = inside if best is None or len(inside) < len(best) else best
                continue
            if keyword == "oneOf":
                for j, other in enumerate(branches):
                    if j != i and not self.disjoint(r.at(other), w):
                        return findings + self.unproven(
                            (*rp, "oneOf", str(j)),
                            wp,
                            f"writer documents match alternative {i} of the reader's oneOf, and "
                            f"Accord cannot show they never also match alternative {j}",
                        )
            return findings
        detail = "; ".join(f.message for f in (best or [])[:2])
        return [
            *findings,
            self.finding(
                FindingKind.UNION_NARROWED,
                rp,
                wp,
                f"no alternative of the reader's {keyword} accepts every document the writer "
                f"allows ({detail})",
            ),
        ]

    def include_not(self, r: View, w: View, rp: Path, wp: Path) -> list[Finding]:
        negated = r.at(r.node["not"])
        if self.disjoint(negated, w):
            return []
        # not A ⊇ not B exactly when A ⊆ B.
        if "not" in w.node and not self.include(
            w.at(w.node["not"]), negated, (*wp, "not"), (*rp, "not")
        ):
            return []
        return self.unproven(
            (*rp, "not"), wp, "the reader excludes documents with `not` that the writer may allow"
        )

    def include_conditional(self, r: View, w: View, rp: Path, wp: Path) -> list[Finding]:
        rn = r.node
        condition = r.at(rn["if"])
        if not self.include(condition, w, (*rp, "if"), wp):
            return self.include(r.at(rn.get("then", True)), w, (*rp, "then"), wp)
        if self.disjoint(condition, w):
            return self.include(r.at(rn.get("else", True)), w, (*rp, "else"), wp)
        same = all(
            _canonical(rn.get(k)) == _canonical(w.node.get(k)) for k in ("if", "then", "else")
        )
        if same and not _has_ref(rn):
            return []
        return self.unproven(rp, wp, "the reader adds an if/then/else condition")

    # --- disjointness (sound: True only when no instance satisfies both) ------------------------

    def disjoint(self, a: View, b: View) -> bool:
        a, b = self.deref(a), self.deref(b)
        if a.node is False or b.node is False:
            return True
        if not isinstance(a.node, dict) or not isinstance(b.node, dict):
            return False
        for one, other in ((a, b), (b, a)):
            values = self.finite_values(one)
            if values is not None:
                check = self.validator(other)
                return not any(check.is_valid(v) for v in values)
        ta, tb = _types(a.node), _types(b.node)
        if not any(_admits(tb, t) for t in ta) and not any(_admits(ta, t) for t in tb):
            return True
        # Objects told apart by a required property whose values cannot overlap (a discriminator).
        if ta <= {"object"} or tb <= {"object"}:
            for one, other in ((a, b), (b, a)):
                if _types(one.node) <= {"object"}:
                    for name in one.node.get("required", []):
                        mine = one.node.get("properties", {}).get(name)
                        theirs = other.node.get("properties", {}).get(name)
                        if (
                            mine is not None
                            and theirs is not None
                            and name in other.node.get("required", [])
                            and self.disjoint(one.at(mine), other.at(theirs))
                        ):
                            return True
        return False

    # --- one schema object against another, keyword by keyword ----------------------------------

    def include_plain(self, r: View, w: View, rp: Path, wp: Path) -> list[Finding]:
        rn, wn = r.node, w.node
        findings: list[Finding] = []
        rt, wt = _types(rn), _types(wn)
        missing = sorted(t for t in wt if not _admits(rt, t))
        if missing:
            narrowed = rt < wt or (missing == ["number"] and "integer" in rt)
            kind = FindingKind.TYPE_NARROWED if narrowed else FindingKind.TYPE_CHANGED
            allowed = ", ".join(sorted(rt)) if rt != TYPES else "any type"
            findings.append(
                self.finding(
                    kind,
                    (*rp, "type"),
                    (*wp, "type"),
                    f"the writer may send a value of type {' or '.join(missing)}, but the reader "
                    f"accepts only {allowed}",
                )
            )
        live = {t for t in wt if _admits(rt, t)} | ({"integer"} if "number" in wt else set())
        if "const" in rn or "enum" in rn:
            what = "constant" if "const" in rn else "list of values"
            findings.append(
                self.finding(
                    FindingKind.ENUM_NARROWED if "enum" in rn else FindingKind.CONST_ADDED,
                    rp,
                    wp,
                    f"the reader accepts only a fixed {what} "
                    f"({_dump(rn.get('enum', rn.get('const')))}), but the writer is not so limited",
                    keyword="enum" if "enum" in rn else "const",
                )
            )
            return findings
        if "string" in live:
            findings += self.include_string(rn, wn, rp, wp)
        if live & {"number", "integer"}:
            findings += self.include_number(rn, wn, rp, wp, integer_only="number" not in wt)
        if "array" in live:
            findings += self.include_array(r, w, rp, wp)
        if "object" in live:
            findings += self.include_object(r, w, rp, wp)
        return findings

    def include_string(
        self, rn: dict[str, Any], wn: dict[str, Any], rp: Path, wp: Path
    ) -> list[Finding]:
        findings = self.lower_bound(rn, wn, "minLength", "characters", rp=rp, wp=wp)
        findings += self.upper_bound(rn, wn, "maxLength", "characters", rp=rp, wp=wp)
        if "pattern" in rn and rn["pattern"] != wn.get("pattern"):
            if "pattern" not in wn:
                findings.append(
                    self.finding(
                        FindingKind.PATTERN_ADDED,
                        (*rp, "pattern"),
                        wp,
                        f"the reader requires strings to match {rn['pattern']!r}, and the writer "
                        "does not",
                    )
                )
            else:
                findings += self.unproven(
                    (*rp, "pattern"),
                    (*wp, "pattern"),
                    f"the pattern changed from {wn['pattern']!r} to {rn['pattern']!r}",
                )
        return findings

    def lower_bound(
        self, rn: dict[str, Any], wn: dict[str, Any], keyword: str, unit: str, *, rp: Path, wp: Path
    ) -> list[Finding]:
        if keyword not in rn or rn[keyword] <= wn.get(keyword, 0):
            return []
        change = "INCREASED" if keyword in wn else "ADDED"
        return [
            self.finding(
                _BOUND_KINDS[keyword, change],
                (*rp, keyword),
                (*wp, keyword),
                f"the reader needs at least {rn[keyword]} {unit}, but the writer allows "
                f"{wn.get(keyword, 0)}",
            )
        ]

    def upper_bound(
        self, rn: dict[str, Any], wn: dict[str, Any], keyword: str, unit: str, *, rp: Path, wp: Path
    ) -> list[Finding]:
        if keyword not in rn or (keyword in wn and wn[keyword] <= rn[keyword]):
            return []
        change = "DECREASED" if keyword in wn else "ADDED"
        allowed = f"up to {wn[keyword]}" if keyword in wn else "any number of"
        return [
            self.finding(
                _BOUND_KINDS[keyword, change],
                (*rp, keyword),
                (*wp, keyword),
                f"the reader accepts at most {rn[keyword]} {unit}, but the writer allows "
                f"{allowed} {unit}",
            )
        ]

    def include_number(
        self, rn: dict[str, Any], wn: dict[str, Any], rp: Path, wp: Path, *, integer_only: bool
    ) -> list[Finding]:
        findings: list[Finding] = []
        for low, keywords in (
            (True, ("minimum", "exclusiveMinimum")),
            (False, ("maximum", "exclusiveMaximum")),
        ):
            reader_bound = _bound(rn, keywords, low=low)
            if reader_bound is None:
                continue
            writer_bound = _bound(wn, keywords, low=low)
            if writer_bound is not None and _within(
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
                self.finding(
                    _BOUND_KINDS[keyword, change],
                    (*rp, keyword),
                    wp,
                    f"the reader needs numbers {side} {reader_bound[0]}, but the writer allows "
                    f"{writer_text}",
                )
            )
        if "multipleOf" in rn:
            step = Fraction(str(rn["multipleOf"]))
            writer_step = (
                Fraction(str(wn["multipleOf"]))
                if "multipleOf" in wn
                else (Fraction(1) if integer_only else None)
            )
            if writer_step is None or (writer_step / step).denominator != 1:
                change = "ADDED" if "multipleOf" not in wn else "CHANGED"
                findings.append(
                    self.finding(
                        _BOUND_KINDS["multipleOf", change],
                        (*rp, "multipleOf"),
                        wp,
                        f"the reader needs multiples of {rn['multipleOf']}, and the writer's "
                        "numbers are not always such multiples",
                    )
                )
        return findings

    def include_array(self, r: View, w: View, rp: Path, wp: Path) -> list[Finding]:
        rn, wn = r.node, w.node
        findings = self.lower_bound(rn, wn, "minItems", "items", rp=rp, wp=wp)
        findings += self.upper_bound(rn, wn, "maxItems", "items", rp=rp, wp=wp)
        repeats = wn.get("uniqueItems") is not True and wn.get("maxItems", 2) > 1
        if rn.get("uniqueItems") is True and repeats:
            findings.append(
                self.finding(
                    FindingKind.UNIQUE_ITEMS_ADDED,
                    (*rp, "uniqueItems"),
                    wp,
                    "the reader requires distinct items, and the writer may repeat an item",
                )
            )
        r_prefix, r_rest, r_rest_key = _positional(rn, r.side)
        w_prefix, w_rest, w_rest_key = _positional(wn, w.side)
        limit = wn.get("maxItems")
        for i in range(max(len(r_prefix), len(w_prefix))):
            if limit is not None and i >= limit:
                break
            if i < len(r_prefix):
                r_item, r_at = r_prefix[i], (*rp, _prefix_key(r.side), str(i))
            else:
                r_item, r_at = r_rest, (*rp, r_rest_key)
            if i < len(w_prefix):
                w_item, w_at = w_prefix[i], (*wp, _prefix_key(w.side), str(i))
            else:
                w_item, w_at = w_rest, (*wp, w_rest_key)
            findings += self.include(r.at(r_item), w.at(w_item), r_at, w_at)
        # Items past every tuple position, when the writer can send them.
        beyond = limit is None or limit > max(len(r_prefix), len(w_prefix))
        if beyond and not (len(w_prefix) >= len(r_prefix) and w_rest is False):
            findings += self.include(
                r.at(r_rest), w.at(w_rest), (*rp, r_rest_key), (*wp, w_rest_key)
            )
        if "contains" in rn:
            findings += self.include_contains(r, w, rp, wp)
        return findings

    def include_contains(self, r: View, w: View, rp: Path, wp: Path) -> list[Finding]:
        rn, wn = r.node, w.node
        need = rn.get("minContains", 1)
        if "maxContains" in rn:
            return self.unproven((*rp, "maxContains"), wp, "the reader limits matching items")
        if (
            "contains" in wn
            and wn.get("minContains", 1) >= need
            and not self.include(r.at(rn["contains"]), w.at(wn["contains"]), rp, wp)
        ):
            return []
        w_prefix, w_rest, _ = _positional(wn, w.side)
        if wn.get("minItems", 0) >= need and all(
            not self.include(r.at(rn["contains"]), w.at(item), rp, wp)
            for item in [*w_prefix, w_rest]
        ):
            return []
        return [
            self.finding(
                FindingKind.MIN_CONTAINS_ADDED,
                (*rp, "contains"),
                wp,
                f"the reader needs at least {need} item(s) matching its `contains` schema, which "
                "writer arrays do not always have",
            )
        ]

    def include_object(self, r: View, w: View, rp: Path, wp: Path) -> list[Finding]:
        rn, wn = _object_model(r.node), _object_model(w.node)
        findings: list[Finding] = []
        lenient = self.policy is CompatibilityPolicy.LENIENT
        r_props: dict[str, Any] = rn.get("properties", {})
        w_props: dict[str, Any] = wn.get("properties", {})
        r_patterns: dict[str, Any] = rn.get("patternProperties", {})
        r_extra = rn.get("additionalProperties", True)
        w_required = set(wn.get("required", []))

        for name in rn.get("required", []):
            if name in w_required:
                continue
            with_default = isinstance(r_props.get(name), dict) and "default" in r_props[name]
            findings.append(
                self.finding(
                    FindingKind.REQUIRED_FIELD_NOT_SENT,
                    (*rp, "required"),
                    (*wp, "required"),
                    f"the reader requires property {name!r}, which writer documents may omit"
                    + (
                        " (its default does not help: validators do not fill in defaults)"
                        if with_default
                        else ""
                    ),
                    field=name,
                )
            )

        for name, r_schema in r_props.items():
            r_at = (*rp, "properties", name)
            if name in w_props:
                findings += self.include(
                    r.at(r_schema), w.at(w_props[name]), r_at, (*wp, "properties", name)
                )
                continue
            w_source, w_at, kind = self.writer_value_schema(name, wn, wp)
            if w_source is False:
                continue  # the writer never sends this property
            if kind == "open":
                if _trivial(self.deref(r.at(r_schema)).node):
                    continue  # PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
                if lenient:
                    continue
                findings.append(
                    self.finding(
                        FindingKind.PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL,
                        r_at,
                        wp,
                        f"the reader declares property {name!r}, but the writer's model is open: "
                        "writer documents may already carry it with any value",
                        keyword="properties",
                        field=name,
                    )
                )
                continue
            inner = self.include(r.at(r_schema), w.at(w_source), r_at, w_at)
            if inner and kind == "partial":
                if lenient:
                    continue
                findings.append(
                    self.finding(
                        FindingKind.PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                        r_at,
                        w_at,
                        f"the reader declares property {name!r}, and the writer's "
                        "additionalProperties allow values the reader rejects: "
                        + "; ".join(f.message for f in inner[:2]),
                        keyword="properties",
                        field=name,
                    )
                )
            elif inner and kind == "pattern":
                findings += inner

        for name, w_schema in w_props.items():
            if name in r_props:
                continue
            w_at = (*wp, "properties", name)
            if self.deref(w.at(w_schema)).node is False:
                continue  # PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL
            for pattern, r_schema in r_patterns.items():
                if _matches(pattern, name):
                    findings += self.include(
                        r.at(r_schema), w.at(w_schema), (*rp, "patternProperties", pattern), w_at
                    )
            if any(_matches(p, name) for p in r_patterns):
                continue
            if r_extra is True or _trivial(r_extra):
                continue  # PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL
            if r_extra is False:
                if lenient:
                    continue
                findings.append(
                    self.finding(
                        FindingKind.PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL,
                        (*rp, "additionalProperties"),
                        w_at,
                        f"the writer may send property {name!r}, which the reader's closed model "
                        "(additionalProperties false) no longer allows",
                        field=name,
                    )
                )
                continue
            inner = self.include(r.at(r_extra), w.at(w_schema), (*rp, "additionalProperties"), w_at)
            if inner and not lenient:
                findings.append(
                    self.finding(
                        FindingKind.PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                        (*rp, "additionalProperties"),
                        w_at,
                        f"the writer may send property {name!r}, and its values are not all "
                        "accepted by the reader's additionalProperties: "
                        + "; ".join(f.message for f in inner[:2]),
                        field=name,
                    )
                )

        findings += self.include_extras(r, w, rp, wp, rn=rn, wn=wn)
        findings += self.include_object_counts(rn, wn, rp, wp)
        findings += self.include_dependencies(r, w, rp, wp, rn=rn, wn=wn)
        if "propertyNames" in rn:
            findings += self.include_property_names(r, w, rp, wp, rn=rn, wn=wn)
        return findings

    def writer_value_schema(self, name: str, wn: dict[str, Any], wp: Path) -> tuple[Any, Path, str]:
        """What the writer allows under an undeclared property name, and which model allows it."""
        for pattern, schema in wn.get("patternProperties", {}).items():
            if _matches(pattern, name):
                return schema, (*wp, "patternProperties", pattern), "pattern"
        extra = wn.get("additionalProperties", True)
        if extra is True or _trivial(extra):
            return True, (*wp, "additionalProperties"), "open"
        return extra, (*wp, "additionalProperties"), "partial"

    def include_extras(
        self,
        r: View,
        w: View,
        rp: Path,
        wp: Path,
        *,
        rn: dict[str, Any],
        wn: dict[str, Any],
    ) -> list[Finding]:
        """Properties neither side declares: the writer's patterns and additionalProperties."""
        r_extra = rn.get("additionalProperties", True)
        w_extra = wn.get("additionalProperties", True)
        r_patterns: dict[str, Any] = rn.get("patternProperties", {})
        w_patterns: dict[str, Any] = wn.get("patternProperties", {})
        lenient = self.policy is CompatibilityPolicy.LENIENT
        findings: list[Finding] = []
        sources: list[tuple[Any, Path, str | None]] = [
            (s, (*wp, "patternProperties", p), p) for p, s in w_patterns.items()
        ]
        if w_extra is not False:
            sources.append((w_extra, (*wp, "additionalProperties"), None))
        for source, w_at, w_pattern in sources:
            for pattern, r_schema in r_patterns.items():
                inner = self.include(
                    r.at(r_schema), w.at(source), (*rp, "patternProperties", pattern), w_at
                )
                if not inner:
                    continue
                if w_pattern == pattern or (w_pattern is None and not w_patterns):
                    findings += inner
                else:
                    findings += self.unproven(
                        (*rp, "patternProperties", pattern),
                        w_at,
                        "Accord cannot tell whether these property-name patterns overlap",
                    )
            if r_extra is True or _trivial(r_extra):
                continue
            if w_pattern is not None and any(p == w_pattern for p in r_patterns):
                continue  # names matching the same pattern never reach additionalProperties
            inner = self.include(r.at(r_extra), w.at(source), (*rp, "additionalProperties"), w_at)
            if not inner:
                continue
            if lenient and w_pattern is None:
                continue  # LENIENT: ADDITIONAL_PROPERTIES_NARROWED/REMOVED are allowed
            if w_pattern is not None and r_patterns:
                findings += self.unproven(
                    (*rp, "additionalProperties"),
                    w_at,
                    "Accord cannot tell whether these property-name patterns overlap",
                )
                continue
            kind = (
                FindingKind.ADDITIONAL_PROPERTIES_REMOVED
                if r_extra is False
                else FindingKind.ADDITIONAL_PROPERTIES_NARROWED
            )
            findings.append(
                self.finding(
                    kind,
                    (*rp, "additionalProperties"),
                    w_at,
                    "the writer may send properties it does not declare, and the reader's "
                    + (
                        "closed model rejects them"
                        if r_extra is False
                        else "additionalProperties do not accept all of their values"
                    ),
                )
            )
        return findings

    def include_object_counts(
        self, rn: dict[str, Any], wn: dict[str, Any], rp: Path, wp: Path
    ) -> list[Finding]:
        effective = dict(wn)
        required = len(set(wn.get("required", [])))
        effective["minProperties"] = max(wn.get("minProperties", 0), required)
        if wn.get("additionalProperties", True) is False and not wn.get("patternProperties"):
            declared = len(wn.get("properties", {}))
            effective["maxProperties"] = min(wn.get("maxProperties", declared), declared)
        findings = self.lower_bound(rn, effective, "minProperties", "properties", rp=rp, wp=wp)
        findings += self.upper_bound(rn, effective, "maxProperties", "properties", rp=rp, wp=wp)
        return findings

    def include_dependencies(
        self,
        r: View,
        w: View,
        rp: Path,
        wp: Path,
        *,
        rn: dict[str, Any],
        wn: dict[str, Any],
    ) -> list[Finding]:
        findings: list[Finding] = []
        r_required, r_schemas = _dependencies(rn)
        w_required, w_schemas = _dependencies(wn)
        always = set(wn.get("required", []))
        w_props = wn.get("properties", {})
        w_closed = wn.get("additionalProperties", True) is False and not wn.get("patternProperties")
        for name, needed in r_required.items():
            if w_closed and w_props.get(name, False) is False:
                continue  # the writer never sends the property that triggers the dependency
            have = always | set(w_required.get(name, []))
            lacking = [n for n in needed if n not in have]
            if lacking:
                findings.append(
                    self.finding(
                        FindingKind.DEPENDENCY_ARRAY_EXTENDED
                        if name in w_required
                        else FindingKind.DEPENDENCY_ARRAY_ADDED,
                        (*rp, "dependentRequired", name),
                        wp,
                        f"when {name!r} is present the reader also requires "
                        f"{', '.join(map(repr, lacking))}, which the writer does not guarantee",
                        keyword="dependentRequired",
                        field=name,
                    )
                )
        for name, schema in r_schemas.items():
            at = (*rp, "dependentSchemas", name)
            if w_closed and w_props.get(name, False) is False:
                continue
            if name in w_schemas and not self.include(r.at(schema), w.at(w_schemas[name]), at, wp):
                continue
            if not self.include(r.at(schema), w, at, wp):
                continue
            findings.append(
                self.finding(
                    FindingKind.DEPENDENCY_SCHEMA_ADDED,
                    at,
                    wp,
                    f"when {name!r} is present the reader applies an extra schema that writer "
                    "documents may not satisfy",
                    keyword="dependentSchemas",
                    field=name,
                )
            )
        return findings

    def include_property_names(
        self,
        r: View,
        w: View,
        rp: Path,
        wp: Path,
        *,
        rn: dict[str, Any],
        wn: dict[str, Any],
    ) -> list[Finding]:
        names = r.at(rn["propertyNames"])
        if wn.get("additionalProperties", True) is False and not wn.get("patternProperties"):
            check = self.validator(self.deref(names))
            bad = [n for n in wn.get("properties", {}) if not check.is_valid(n)]
            if not bad:
                return []
            return [
                self.finding(
                    FindingKind.PROPERTY_NAMES_NARROWED,
                    (*rp, "propertyNames"),
                    wp,
                    f"the reader rejects the property name(s) {', '.join(map(repr, bad))}",
                )
            ]
        if "propertyNames" in wn:
            inner = self.include(
                names, w.at({"allOf": [{"type": "string"}, wn["propertyNames"]]}), rp, wp
            )
            if not inner:
                return []
        return [
            self.finding(
                FindingKind.PROPERTY_NAMES_ADDED,
                (*rp, "propertyNames"),
                wp,
                "the reader restricts property names, and the writer's names are not so limited",
            )
        ]


# The kind to report when a writer value fails the reader at this keyword.
_VALUE_KINDS: dict[str, FindingKind] = {
    "type": FindingKind.TYPE_CHANGED,
    "anyOf": FindingKind.UNION_NARROWED,
    "oneOf": FindingKind.UNION_NARROWED,
    "allOf": FindingKind.PRODUCT_TYPE_EXTENDED,
    "not": FindingKind.NOT_TYPE_EXTENDED,
    "required": FindingKind.REQUIRED_FIELD_NOT_SENT,
    "false": FindingKind.TYPE_NARROWED,
}

# The kind for a reader bound the writer does not have (ADDED) or has looser.
_BOUND_KINDS: dict[tuple[str, str], FindingKind] = {
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


def _last_keyword(path: Path) -> str | None:
    """The schema keyword a reader location ends in (`/properties/a/minLength` -> minLength);
    None when it ends in a property name or a branch index."""
    if not path:
        return None
    if len(path) > 1 and path[-2] in (SCHEMA_MAP_KEYWORDS | SCHEMA_LIST_KEYWORDS):
        return None
    return path[-1]


def _nested_ids(schema: Any) -> bool:
    """Does any subschema below the root set its own `$id` (a new base for its refs)?"""
    return any(
        isinstance(node, dict) and "$id" in node for path, node in subschemas(schema) if path
    )


def _bound(
    node: dict[str, Any], keywords: tuple[str, str], *, low: bool
) -> tuple[float, bool] | None:
    """The tighter of the inclusive and exclusive bound on one side: (value, exclusive)."""
    inclusive: Any = node.get(keywords[0])
    exclusive: Any = node.get(keywords[1])
    if isinstance(exclusive, bool):  # draft-4 spelling, refused by the metaschema check anyway
        exclusive = None
    if inclusive is None and exclusive is None:
        return None
    if inclusive is None:
        return (exclusive, True)
    if exclusive is None:
        return (inclusive, False)
    if low:
        return (exclusive, True) if exclusive >= inclusive else (inclusive, False)
    return (exclusive, True) if exclusive <= inclusive else (inclusive, False)


def _within(
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


def _prefix_key(side: JsonSchema) -> str:
    return "prefixItems" if _modern_items(side) else "items"


def _modern_items(side: JsonSchema) -> bool:
    return "2020-12" in side.draft.META_SCHEMA.get("$schema", "")


def _positional(node: dict[str, Any], side: JsonSchema) -> tuple[list[Any], Any, str]:
    """(tuple item schemas, schema of the remaining items, the keyword holding the latter)."""
    # unevaluatedItems, once combinators are split off, acts on the items no other keyword covers.
    unevaluated = node.get("unevaluatedItems", True)
    if _modern_items(side):
        return list(node.get("prefixItems", [])), node.get("items", unevaluated), "items"
    items = node.get("items", unevaluated)
    if isinstance(items, list):
        return list(items), node.get("additionalItems", unevaluated), "additionalItems"
    return [], items, "items"


def _object_model(node: dict[str, Any]) -> dict[str, Any]:
    """unevaluatedProperties on a schema without combinators acts as additionalProperties."""
    if "unevaluatedProperties" in node and "additionalProperties" not in node:
        return {**node, "additionalProperties": node["unevaluatedProperties"]}
    return node


def _dependencies(node: dict[str, Any]) -> tuple[dict[str, list[str]], dict[str, Any]]:
    required: dict[str, list[str]] = dict(node.get("dependentRequired", {}))
    schemas: dict[str, Any] = dict(node.get("dependentSchemas", {}))
    for name, value in node.get("dependencies", {}).items():
        if isinstance(value, list):
            required[name] = value
        else:
            schemas[name] = value
    return required, schemas


def _matches(pattern: str, name: str) -> bool:
    return re.search(pattern, name) is not None


def _merge(parts: list[Any]) -> dict[str, Any] | None:
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
        if not isinstance(part, dict) or "$ref" in part or "$id" in part:
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
                mine = _types({"type": merged[key]})
                theirs = _types({"type": value})
                common = {t for t in mine if _admits(theirs, t)} | {
                    t for t in theirs if _admits(mine, t)
                }
                merged[key] = sorted(common)
            elif key in merged and _canonical(merged[key]) != _canonical(value):
                return None
            else:
                merged[key] = value
                owner[key] = index
    for group in _GROUPS:
        if len({owner[k] for k in group if k in owner}) > 1:
            return None
    if any(k.startswith("unevaluated") for k in merged) and len(parts) > 1:
        return None
    return merged


def check_inclusion(
    reader: JsonSchema,
    writer: JsonSchema,
    *,
    policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
) -> list[Finding]:
    """Every writer document valid under the reader? [] means proven; otherwise findings."""
    check = _Check(reader, writer, policy)
    r = View(reader.schema, reader, reader.registry.resolver(_root(reader.schema)))
    w = View(writer.schema, writer, writer.registry.resolver(_root(writer.schema)))
    return check.include(r, w, (), ())


def _root(schema: Any) -> str:
    uri = schema.get("$id", "") if isinstance(schema, dict) else ""
    return uri if isinstance(uri, str) else ""
