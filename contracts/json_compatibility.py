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
import re._parser as sre_parse  # type: ignore[import-not-found]  # `sre_parse` warns since 3.11
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import referencing.exceptions
from jsonschema import (
    Draft4Validator,
    Draft6Validator,
    Draft7Validator,
    Draft201909Validator,
    Draft202012Validator,
)
from jsonschema.protocols import Validator
from referencing._core import Resolver

from contracts.findings import Finding, FindingKind
from contracts.formats import CompatibilityPolicy
from contracts.json_schema import (
    SCHEMA_LIST_KEYWORDS,
    SCHEMA_MAP_KEYWORDS,
    children,
    root_uri,
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
        "id",
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
# Keywords a draft does not know: its validators ignore them, so the check must too (a draft-4
# `const` constrains nothing, nor does a 2019-09 `dependencies`).
_SINCE_6 = frozenset({"const", "contains", "propertyNames"})
_SINCE_7 = frozenset({"if", "then", "else"})
_SINCE_2019 = frozenset(
    {
        "dependentRequired",
        "dependentSchemas",
        "unevaluatedProperties",
        "unevaluatedItems",
        "minContains",
        "maxContains",
        "$recursiveRef",
    }
)
_SINCE_2020 = frozenset({"prefixItems", "$dynamicRef"})
_UNKNOWN: dict[type[Validator], frozenset[str]] = {
    Draft4Validator: _SINCE_6 | _SINCE_7 | _SINCE_2019 | _SINCE_2020,
    Draft6Validator: _SINCE_7 | _SINCE_2019 | _SINCE_2020,
    Draft7Validator: _SINCE_2019 | _SINCE_2020,
    Draft201909Validator: _SINCE_2020 | {"dependencies"},
    Draft202012Validator: frozenset({"dependencies", "additionalItems", "$recursiveRef"}),
}
# Drafts where `$ref` overrides its siblings (2019-09 made them apply together).
_REF_ALONE = frozenset({Draft4Validator, Draft6Validator, Draft7Validator})
# Subschema positions written as true/false once known to accept everything/nothing.
_SINGLE_SCHEMAS = (
    "additionalProperties",
    "unevaluatedProperties",
    "additionalItems",
    "unevaluatedItems",
    "items",
)
_MAPPED_SCHEMAS = ("properties", "patternProperties")
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
        if isinstance(node, dict):
            spec = _spec(self.side)
            if isinstance(spec.id_of(node), str):
                resource = spec.create_resource(node)
                return View(node, self.side, self.resolver.in_subresource(resource))
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


def _known(node: dict[str, Any], side: JsonSchema) -> dict[str, Any]:
    """The node without the keywords its draft does not know (validators ignore those)."""
    unknown = _UNKNOWN.get(side.draft, frozenset())
    return {k: v for k, v in node.items() if k not in unknown}


def _type_empty(node: dict[str, Any], kind: str, side: JsonSchema) -> bool:
    """No instance of JSON type `kind` satisfies these (normalized) constraints."""
    if kind == "string":
        return bool(node.get("minLength", 0) > node.get("maxLength", math.inf))
    if kind in ("number", "integer"):
        low = _bound(node, ("minimum", "exclusiveMinimum"), low=True)
        high = _bound(node, ("maximum", "exclusiveMaximum"), low=False)
        if low is None or high is None:
            return False
        if kind == "integer":
            first = math.floor(low[0]) + 1 if low[1] else math.ceil(low[0])
            last = math.ceil(high[0]) - 1 if high[1] else math.floor(high[0])
            return bool(first > last)
        return bool(low[0] > high[0] or (low[0] == high[0] and (low[1] or high[1])))
    if kind == "array":
        least = node.get("minItems", 0)
        if least > node.get("maxItems", math.inf):
            return True
        prefix, rest, _ = _positional(node, side)
        return any(
            (prefix[i] if i < len(prefix) else rest) is False
            for i in range(min(least, len(prefix) + 1))
        )
    if kind == "object":
        required = set(node.get("required", []))
        most = node.get("maxProperties", math.inf)
        if max(node.get("minProperties", 0), len(required)) > most:
            return True
        properties = node.get("properties", {})
        patterns = node.get("patternProperties", {})
        for name in required:
            if name in properties:
                if properties[name] is False:
                    return True
                continue
            matching = [s for p, s in patterns.items() if _matches(p, name)]
            if any(s is False for s in matching):
                return True
            if not matching and node.get("additionalProperties", True) is False:
                return True
    return False


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
        self.nested_ids = {id(side): _nested_ids(side) for side in (reader, writer)}
        # Memos keyed by node identity (a node sits at one place in its document, so its references
        # resolve alike however it was reached); each keeps its node alive so ids stay unique.
        self.normals: dict[int, tuple[Any, Any]] = {}
        self.verdicts: dict[tuple[str, int], tuple[Any, bool]] = {}
        self.deciding: set[tuple[str, int]] = set()
        self.strict_twin: _Check | None = None

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
        """Follow a `$ref` that stands alone (drafts 4-7 ignore its siblings; later drafts add them)."""
        for _ in range(64):
            node = view.node
            if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
                return view
            if view.side.draft in _REF_ALONE or all(k in ANNOTATIONS or k == "$ref" for k in node):
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

    # --- what a subschema accepts at all ---------------------------------------------------------

    def normal(self, view: View) -> View:
        """The node as the check reads it: keywords its draft does not know dropped, and subschemas
        known to accept everything (nothing) written as true (false), wherever they occur."""
        node = view.node
        if not isinstance(node, dict):
            return view
        memo = self.normals.get(id(node))
        if memo is None:
            if ("normal", id(node)) in self.deciding:
                return View(_known(node, view.side), view.side, view.resolver)
            self.deciding.add(("normal", id(node)))
            try:
                memo = (node, self.normalize(view))
            finally:
                self.deciding.discard(("normal", id(node)))
            self.normals[id(node)] = memo
        return View(memo[1], view.side, view.resolver)

    def normalize(self, view: View) -> dict[str, Any]:
        node = _known(view.node, view.side)
        for keyword in _SINGLE_SCHEMAS:
            if keyword in node and not isinstance(node[keyword], list):
                node[keyword] = self.decided(view.at(node[keyword]))
        for keyword in ("prefixItems", "items"):
            if isinstance(node.get(keyword), list):
                node[keyword] = [self.decided(view.at(item)) for item in node[keyword]]
        for keyword in _MAPPED_SCHEMAS:
            if isinstance(node.get(keyword), dict):
                node[keyword] = {
                    name: self.decided(view.at(schema)) for name, schema in node[keyword].items()
                }
        return node

    def decided(self, view: View) -> Any:
        if self.nothing(view):
            return False
        if self.everything(view):
            return True
        return view.node

    def nothing(self, view: View) -> bool:
        """True only when no instance is valid (false, `{"not": {}}`, contradictory bounds…)."""
        return self.verdict("nothing", view)

    def everything(self, view: View) -> bool:
        """True only when every instance is valid (true, `{}`, `{"not": {"not": {}}}`, `.*`…)."""
        return self.verdict("everything", view)

    def verdict(self, question: str, view: View) -> bool:
        view = self.deref(view)
        if isinstance(view.node, bool):
            return view.node is (question == "everything")
        if not isinstance(view.node, dict):
            return False
        key = (question, id(view.node))
        memo = self.verdicts.get(key)
        if memo is not None:
            return memo[1]
        if key in self.deciding:
            return False  # met again through a recursive reference: not proven
        self.deciding.add(key)
        try:
            normal = self.normal(view)
            if question == "nothing":
                answer = self.accepts_nothing(normal)
            else:
                answer = all(self.vacuous(normal, k, v) for k, v in normal.node.items())
        finally:
            self.deciding.discard(key)
        self.verdicts[key] = (view.node, answer)
        return answer

    def accepts_nothing(self, view: View) -> bool:
        node: dict[str, Any] = view.node
        if any(self.nothing(view.at(part)) for part in node.get("allOf", [])):
            return True
        for keyword in ("anyOf", "oneOf"):
            branches = node.get(keyword)
            if isinstance(branches, list) and all(self.nothing(view.at(b)) for b in branches):
                return True
        if "not" in node and self.everything(view.at(node["not"])):
            return True
        if self.ref_with_siblings(node) and self.nothing(view.at({"$ref": node["$ref"]})):
            return True
        if (
            isinstance(node.get("contains"), dict | bool)
            and node.get("minContains", 1) > 0
            and _types(node) <= {"array"}
            and self.nothing(view.at(node["contains"]))
        ):
            return True
        values = self.finite_values(view)
        if values is not None:
            return not values
        return all(_type_empty(node, kind, view.side) for kind in _types(node))

    def vacuous(self, view: View, keyword: str, value: Any) -> bool:
        """Does this keyword, with this value, accept every instance?"""
        if keyword in ANNOTATIONS or keyword == "if":
            return True  # `if` alone decides nothing; `then`/`else` are asked on their own
        if keyword == "type":
            return _types({"type": value}) | {"integer"} >= TYPES
        if keyword in ("minLength", "minItems", "minProperties"):
            return bool(value == 0)
        if keyword == "required":
            return not value
        if keyword == "uniqueItems":
            return value is False
        if keyword == "pattern":
            return isinstance(value, str) and matches_every_string(value)
        if keyword == "not":
            return self.nothing(view.at(value))
        if keyword == "$ref":
            return self.everything(view.at({"$ref": value}))
        if keyword in _SINGLE_SCHEMAS or keyword in (
            "propertyNames",
            "then",
            "else",
            "contentSchema",
        ):
            if isinstance(value, list):  # draft 7 tuple items
                return all(self.everything(view.at(item)) for item in value)
            return self.everything(view.at(value))
        if keyword in ("allOf", "prefixItems"):
            return all(self.everything(view.at(part)) for part in value)
        if keyword == "anyOf":
            return any(self.everything(view.at(part)) for part in value)
        if keyword == "oneOf":
            full = [self.everything(view.at(part)) for part in value]
            return full.count(True) == 1 and all(
                self.nothing(view.at(part)) for part, f in zip(value, full, strict=True) if not f
            )
        if keyword in ("properties", "patternProperties", "dependentSchemas"):
            return all(self.everything(view.at(part)) for part in value.values())
        if keyword in ("dependencies", "dependentRequired"):
            return all(
                not part if isinstance(part, list) else self.everything(view.at(part))
                for part in value.values()
            )
        return False

    def twin(self) -> _Check:
        """A STRICT checker over the same pair: equivalence needs inclusion without leniency."""
        if self.policy is CompatibilityPolicy.STRICT:
            return self
        if self.strict_twin is None:
            self.strict_twin = _Check(self.reader, self.writer, CompatibilityPolicy.STRICT)
        return self.strict_twin

    def equivalent(self, a: View, b: View, a_at: Path, b_at: Path) -> bool:
        """Provably the same instances (equal text without references, or inclusion both ways)."""
        if (
            not _has_ref(a.node)
            and not _has_ref(b.node)
            and _canonical(a.node) == _canonical(b.node)
        ):
            return True
        strict = self.twin()
        return not strict.include(a, b, a_at, b_at) and not strict.include(b, a, b_at, a_at)

    # --- the inclusion relation -----------------------------------------------------------------

    def include(self, r: View, w: View, rp: Path, wp: Path) -> list[Finding]:
        r, w = self.deref(r), self.deref(w)
        if self.nothing(w) or self.everything(r):
            return []
        if self.nothing(r):
            return [
                self.finding(
                    FindingKind.TYPE_NARROWED,
                    rp,
                    wp,
                    "the reader allows no value here, but the writer does",
                    keyword="false",
                )
            ]
        if self.everything(w):
            w = View({}, w.side, w.resolver)
        r, w = self.normal(r), self.normal(w)
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
        # Both sides oneOf: pairing equivalent branches, in any order, proves exclusivity.
        if isinstance(rn.get("oneOf"), list) and isinstance(wn.get("oneOf"), list):
            paired = self.paired_one_of(r, w, rp, wp)
            if paired is not None:
                return paired
        # The same condition on both sides: each branch is compared with its counterpart.
        if (
            "if" in rn
            and "if" in wn
            and self.equivalent(r.at(rn["if"]), w.at(wn["if"]), (*rp, "if"), (*wp, "if"))
        ):
            return self.include_same_condition(r, w, rp, wp)
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
        if not self.everything(w.at(base)):
            candidates.append(w.at(base))
        return candidates or [w.at({})]

    def paired_one_of(self, r: View, w: View, rp: Path, wp: Path) -> list[Finding] | None:
        """Each writer branch equivalent to its own reader branch: the same exclusive choice.

        The reader's branches are flattened first: a document matching exactly one branch of
        oneOf[A, B, C] matches exactly one of oneOf[A, oneOf[B, C]] too (the converse fails when
        A, B and C all match, so the writer is never flattened)."""
        unpaired = self.one_of_leaves(r, rp)
        writer_branches = w.node["oneOf"]
        if len(unpaired) != len(writer_branches):
            return None
        for j, branch in enumerate(writer_branches):
            w_at = (*wp, "oneOf", str(j))
            match = next(
                (
                    leaf
                    for leaf in unpaired
                    if self.equivalent(leaf[0], w.at(branch), leaf[1], w_at)
                ),
                None,
            )
            if match is None:
                return None
            unpaired.remove(match)
        base_r, base_w = _without(r.node, "oneOf"), _without(w.node, "oneOf")
        return self.include(r.at(base_r), w.at(base_w), rp, wp)

    def one_of_leaves(self, r: View, rp: Path) -> list[tuple[View, Path]]:
        leaves: list[tuple[View, Path]] = []
        for i, branch in enumerate(r.node["oneOf"]):
            at = (*rp, "oneOf", str(i))
            inner = self.normal(self.deref(r.at(branch)))
            node = inner.node
            if (
                isinstance(node, dict)
                and isinstance(node.get("oneOf"), list)
                and all(k in ANNOTATIONS for k in _without(node, "oneOf"))
            ):
                leaves += self.one_of_leaves(inner, at)
            else:
                leaves.append((r.at(branch), at))
        return leaves

    def include_same_condition(self, r: View, w: View, rp: Path, wp: Path) -> list[Finding]:
        """Equivalent `if`s: a writer document taking a branch satisfies the writer's branch, so
        the reader's branch needs only to include it (weaker reader branches are safe)."""
        rn, wn = r.node, w.node
        findings = self.include(r.at(_without(rn, "if", "then", "else")), w, rp, wp)
        base = _without(wn, "if", "then", "else")
        for keyword in ("then", "else"):
            if keyword not in rn:
                continue
            parts = (
                [wn["if"], wn.get("then", True)] if keyword == "then" else [wn.get("else", True)]
            )
            findings += self.first_success(
                r.at(rn[keyword]),
                self.writer_conjunction(w, base, parts),
                (*rp, keyword),
                (*wp, keyword),
            )
        return findings

    def include_alternatives(self, r: View, w: View, rp: Path, wp: Path) -> list[Finding]:
        rn = r.node
        keyword = "anyOf" if isinstance(rn.get("anyOf"), list) else "oneOf"
        findings = self.include(r.at(_without(rn, keyword)), w, rp, wp)
        whole = self.alternative_for(r, w, keyword, rp, wp)
        if not whole:
            return findings
        # Regrouped by type: the writer's values of each JSON type may each find their own branch.
        types = _types(w.node)
        if "number" in types:
            types.discard("integer")
        if len(types) > 1:
            pieces = [w.at({**w.node, "type": kind}) for kind in sorted(types)]
            if all(not self.alternative_for(r, piece, keyword, rp, wp) for piece in pieces):
                return findings
        return findings + whole

    def alternative_for(self, r: View, w: View, keyword: str, rp: Path, wp: Path) -> list[Finding]:
        """[] when one branch of the reader's anyOf/oneOf accepts every writer document (and, for
        oneOf, no other branch can also accept one); else why not."""
        branches = r.node[keyword]
        best: list[Finding] | None = None
        for i, branch in enumerate(branches):
            inside = self.include(r.at(branch), w, (*rp, keyword, str(i)), wp)
            if inside:
                best = inside if best is None or len(inside) < len(best) else best
                continue
            if keyword == "oneOf":
                for j, other in enumerate(branches):
                    if j != i and not self.disjoint(r.at(other), w):
                        return self.unproven(
                            (*rp, "oneOf", str(j)),
                            wp,
                            f"writer documents match alternative {i} of the reader's oneOf, and "
                            f"Accord cannot show they never also match alternative {j}",
                        )
            return []
        detail = "; ".join(f.message for f in (best or [])[:2])
        return [
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
        if (
            "pattern" in rn
            and rn["pattern"] != wn.get("pattern")
            and not matches_every_string(rn["pattern"])
        ):
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
            if w_source is False or not self.sendable(w, name):
                continue  # the writer never sends this property
            if kind == "open":
                if self.everything(r.at(r_schema)):
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
            if r_extra is True:
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

    def sendable(self, w: View, name: str) -> bool:
        """May a writer document carry a property called `name` (its propertyNames allow it)?"""
        limit = w.node.get("propertyNames")
        return limit is None or self.validator(self.deref(w.at(limit))).is_valid(name)

    def names_through(self, w: View, w_pattern: str | None) -> list[str] | None:
        """The property names the writer may send through one source (a pattern, or
        additionalProperties when None), when its propertyNames lists them all; else None."""
        if "propertyNames" not in w.node:
            return None
        limit = self.normal(self.deref(w.at(w.node["propertyNames"])))
        values = self.finite_values(limit) if isinstance(limit.node, dict) else None
        if values is None:
            return None
        names = [v for v in values if isinstance(v, str)]
        if w_pattern is not None:
            return [n for n in names if _matches(w_pattern, n)]
        declared = w.node.get("properties", {})
        patterns = w.node.get("patternProperties", {})
        return [n for n in names if n not in declared and not any(_matches(p, n) for p in patterns)]

    def names_avoid(
        self, w: View, w_pattern: str | None, names: list[str] | None, pattern: str
    ) -> bool:
        """True only when no name the writer sends through this source matches `pattern`."""
        if names is not None:
            return not any(_matches(pattern, n) for n in names)
        if w_pattern is not None and patterns_disjoint(pattern, w_pattern):
            return True
        limit = self.deref(w.at(w.node.get("propertyNames", True))).node
        return (
            isinstance(limit, dict)
            and isinstance(limit.get("pattern"), str)
            and patterns_disjoint(pattern, limit["pattern"])
        )

    def writer_value_schema(self, name: str, wn: dict[str, Any], wp: Path) -> tuple[Any, Path, str]:
        """What the writer allows under an undeclared property name, and which model allows it."""
        for pattern, schema in wn.get("patternProperties", {}).items():
            if _matches(pattern, name):
                return schema, (*wp, "patternProperties", pattern), "pattern"
        extra = wn.get("additionalProperties", True)
        if extra is True:
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
            names = self.names_through(w, w_pattern)
            for pattern, r_schema in r_patterns.items():
                if self.names_avoid(w, w_pattern, names, pattern):
                    continue  # the writer never sends a name this pattern selects
                inner = self.include(
                    r.at(r_schema), w.at(source), (*rp, "patternProperties", pattern), w_at
                )
                if not inner:
                    continue
                if (
                    w_pattern == pattern
                    or (w_pattern is None and not w_patterns)
                    or pattern_covers(pattern, w_pattern)
                ):
                    findings += inner
                else:
                    findings += self.unproven(
                        (*rp, "patternProperties", pattern),
                        w_at,
                        "Accord cannot tell whether these property-name patterns overlap",
                    )
            if r_extra is True:
                continue
            if any(p == w_pattern or pattern_covers(p, w_pattern) for p in r_patterns):
                continue  # names the reader's patterns select never reach additionalProperties
            if names is not None and all(
                n in rn.get("properties", {}) or any(_matches(p, n) for p in r_patterns)
                for n in names
            ):
                continue  # every name the writer can send here is declared or selected
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


def _nested_ids(side: JsonSchema) -> bool:
    """Does any subschema below the root set its own `$id` (`id` in draft 4), a new base?"""
    spec = _spec(side)
    return any(
        isinstance(node, dict) and spec.id_of(node) is not None
        for path, node in subschemas(side.schema)
        if path
    )


def _bound(
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


# Pattern semantics are Python's `re.search`, as python-jsonschema applies them. These two
# questions are answered from the parsed pattern, and only for shapes whose answer is certain.
_ANY_REPEAT = (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT)
_STARTS = (sre_parse.AT_BEGINNING, sre_parse.AT_BEGINNING_STRING)
_ENDS = (sre_parse.AT_END, sre_parse.AT_END_STRING)
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
    r = View(reader.schema, reader, reader.registry.resolver(root_uri(reader.schema, reader.draft)))
    w = View(writer.schema, writer, writer.registry.resolver(root_uri(writer.schema, writer.draft)))
    return check.include(r, w, (), ())
