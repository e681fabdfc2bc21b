"""The inclusion check: its entry point, its state, and the dispatch by keyword."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import referencing
import referencing.exceptions
from jsonschema.protocols import Validator

from contracts import patterns
from contracts.findings import Finding, FindingKind
from contracts.formats import CompatibilityPolicy
from contracts.json_compatibility.acceptance import everything, normal, nothing
from contracts.json_compatibility.arrays import include_array
from contracts.json_compatibility.bounds import include_number, include_string
from contracts.json_compatibility.combinators import (
    first_success,
    include_alternatives,
    include_conditional,
    include_not,
    include_same_condition,
    paired_one_of,
    writer_conjunction,
)
from contracts.json_compatibility.nodes import (
    ANNOTATIONS,
    REF_ALONE,
    TYPES,
    Path,
    Side,
    admits,
    canonical,
    declared_types,
    dump,
    has_ref,
    last_keyword,
    nested_ids,
    without,
)
from contracts.json_compatibility.objects import include_object
from contracts.json_schema import root_uri

if TYPE_CHECKING:
    from contracts.json_schema import JsonSchema


class Inclusion:
    """One inclusion check; findings are returned (not accumulated) so alternatives can be tried."""

    def __init__(self, reader: JsonSchema, writer: JsonSchema, policy: CompatibilityPolicy) -> None:
        self.policy = policy
        self.reader_schema = reader
        self.writer_schema = writer
        self.in_progress: set[tuple[int, int, int, int]] = set()
        self.validators: dict[tuple[int, int], Validator] = {}
        self.nested_ids = {id(document): nested_ids(document) for document in (reader, writer)}
        # Memos keyed by node identity (a node sits at one place in its document, so its references
        # resolve alike however it was reached); each keeps its node alive so ids stay unique.
        self.normals: dict[int, tuple[Any, Any]] = {}
        self.verdicts: dict[tuple[str, int], tuple[Any, bool]] = {}
        self.deciding: set[tuple[str, int]] = set()
        self.strict_twin: Inclusion | None = None

    @staticmethod
    def finding(
        kind: FindingKind,
        reader_path: Path,
        writer_path: Path,
        message: str,
        *,
        keyword: str | None = None,
        field: str | None = None,
    ) -> Finding:
        return Finding(
            kind=kind,
            path=reader_path,
            message=message,
            reader_path=reader_path,
            writer_path=writer_path,
            keyword=keyword if keyword is not None else last_keyword(reader_path),
            field=field,
        )

    def unproven(self, reader_path: Path, writer_path: Path, what: str) -> list[Finding]:
        return [
            self.finding(
                FindingKind.UNPROVEN,
                reader_path,
                writer_path,
                f"{what}; Accord could not prove that every document the writer allows is valid "
                "for the reader, so it treats the change as breaking",
            )
        ]

    def deref(self, side: Side) -> Side:
        """Follow a `$ref` that stands alone (drafts 4-7 ignore its siblings; later drafts add them)."""
        for _ in range(64):
            node = side.node
            if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
                return side
            if side.document.draft in REF_ALONE or all(
                k in ANNOTATIONS or k == "$ref" for k in node
            ):
                try:
                    resolved = side.resolver.lookup(node["$ref"])
                except referencing.exceptions.Unresolvable:
                    return Side(False, side.document, side.resolver, side.path)
                side = Side(resolved.contents, side.document, resolved.resolver, side.path).at(
                    resolved.contents
                )
            else:
                return side
        return side

    def validator(self, side: Side) -> Validator:
        key = (id(side.node), id(side.resolver))
        found = self.validators.get(key)
        if found is None:
            found = side.document.validator.evolve(schema=side.node, _resolver=side.resolver)
            self.validators[key] = found
        return found

    def twin(self) -> Inclusion:
        """A STRICT checker over the same pair: equivalence needs inclusion without leniency."""
        if self.policy is CompatibilityPolicy.STRICT:
            return self
        if self.strict_twin is None:
            self.strict_twin = Inclusion(
                self.reader_schema, self.writer_schema, CompatibilityPolicy.STRICT
            )
        return self.strict_twin

    def equivalent(self, a: Side, b: Side) -> bool:
        """Provably the same instances (equal text without references, or inclusion both ways)."""
        if not has_ref(a.node) and not has_ref(b.node) and canonical(a.node) == canonical(b.node):
            return True
        strict = self.twin()
        return not strict.include(a, b) and not strict.include(b, a)

    def include(self, reader: Side, writer: Side) -> list[Finding]:
        reader, writer = self.deref(reader), self.deref(writer)
        if nothing(self, writer) or everything(self, reader):
            return []
        if nothing(self, reader):
            return [
                self.finding(
                    FindingKind.TYPE_NARROWED,
                    reader.path,
                    writer.path,
                    "the reader allows no value here, but the writer does",
                    keyword="false",
                )
            ]
        if everything(self, writer):
            writer = Side({}, writer.document, writer.resolver, writer.path)
        reader, writer = normal(self, reader), normal(self, writer)
        if (
            not has_ref(reader.node)
            and not has_ref(writer.node)
            and canonical(reader.node) == canonical(writer.node)
        ):
            return []
        key = (id(reader.node), id(writer.node), id(reader.document), id(writer.document))
        if key in self.in_progress:
            return []  # a recursive schema met again: instances are finite, so this is sound
        self.in_progress.add(key)
        try:
            values = self.finite_values(writer)
            if values is not None:
                return self.include_values(reader, writer, values)
            return self.include_node(reader, writer)
        finally:
            self.in_progress.discard(key)

    def finite_values(self, writer: Side) -> list[Any] | None:
        """The writer's instances when they are few and known (enum, const, boolean, null)."""
        node = writer.node
        if "const" in node:
            values = [node["const"]]
        elif isinstance(node.get("enum"), list):
            values = list(node["enum"])
        elif "type" in node and declared_types(node) <= {"null", "boolean"}:
            values = ([None] if "null" in declared_types(node) else []) + (
                [True, False] if "boolean" in declared_types(node) else []
            )
        else:
            return None
        valid = self.validator(writer).is_valid
        return [v for v in values if valid(v)]

    def include_values(self, reader: Side, writer: Side, values: list[Any]) -> list[Finding]:
        """Exact: each value the writer allows is checked with the reader's own validator."""
        accepts = self.validator(reader)
        rejected = [v for v in values if not accepts.is_valid(v)]
        if not rejected:
            return []
        node = reader.node if isinstance(reader.node, dict) else {}
        kind = FindingKind.ENUM_NARROWED if "enum" in node else FindingKind.CONST_CHANGED
        keyword = "enum" if "enum" in node else "const"
        if "enum" not in node and "const" not in node:
            errors = list(accepts.iter_errors(rejected[0]))
            keyword = str(errors[0].validator) if errors else "type"
            kind = VALUE_KINDS.get(keyword, FindingKind.VALUE_REJECTED)
        shown = ", ".join(dump(v, 40) for v in rejected[:5])
        return [
            self.finding(
                kind,
                reader.path,
                writer.path,
                f"the writer may send {shown}, which the reader does not accept",
                keyword=keyword,
            )
        ]

    def include_node(self, reader: Side, writer: Side) -> list[Finding]:
        reader_node: dict[str, Any] = reader.node
        writer_node: dict[str, Any] = writer.node
        # Both sides oneOf: pairing equivalent branches, in any order, proves exclusivity.
        if isinstance(reader_node.get("oneOf"), list) and isinstance(
            writer_node.get("oneOf"), list
        ):
            paired = paired_one_of(self, reader, writer)
            if paired is not None:
                return paired
        # The same condition on both sides: each branch is compared with its counterpart.
        if (
            "if" in reader_node
            and "if" in writer_node
            and self.equivalent(
                reader.at(reader_node["if"], "if"), writer.at(writer_node["if"], "if")
            )
        ):
            return include_same_condition(self, reader, writer)
        # The writer's alternatives: each must be included on its own.
        for keyword in ("anyOf", "oneOf"):
            if isinstance(writer_node.get(keyword), list):
                base = without(writer_node, keyword)
                findings: list[Finding] = []
                for i, branch in enumerate(writer_node[keyword]):
                    findings += first_success(
                        self,
                        reader,
                        writer_conjunction(self, writer.step(keyword, str(i)), base, [branch]),
                    )
                return findings
        if "if" in writer_node and ("then" in writer_node or "else" in writer_node):
            base = without(writer_node, "if", "then", "else")
            findings = []
            for keyword in ("then", "else"):
                findings += first_success(
                    self,
                    reader,
                    writer_conjunction(
                        self, writer.step(keyword), base, [writer_node.get(keyword, True)]
                    ),
                )
            return findings
        if isinstance(writer_node.get("allOf"), list) or self.ref_with_siblings(writer_node):
            conjuncts = list(writer_node.get("allOf", []))
            if self.ref_with_siblings(writer_node):
                conjuncts.append({"$ref": writer_node["$ref"]})
            base = without(writer_node, "allOf", "$ref")
            return first_success(
                self,
                reader,
                writer_conjunction(self, writer, base, conjuncts),
            )
        # The reader's conjunctions: each conjunct must hold on its own.
        if isinstance(reader_node.get("allOf"), list) or self.ref_with_siblings(reader_node):
            findings = self.include(reader.at(without(reader_node, "allOf", "$ref")), writer)
            for i, conjunct in enumerate(reader_node.get("allOf", [])):
                findings += self.include(reader.at(conjunct, "allOf", str(i)), writer)
            if self.ref_with_siblings(reader_node):
                findings += self.include(
                    reader.at({"$ref": reader_node["$ref"]}, "$ref"),
                    writer,
                )
            return findings
        if isinstance(reader_node.get("anyOf"), list) or isinstance(reader_node.get("oneOf"), list):
            return include_alternatives(self, reader, writer)
        if "not" in reader_node:
            return self.include(reader.at(without(reader_node, "not")), writer) + include_not(
                self, reader, writer
            )
        if "if" in reader_node:
            return self.include(
                reader.at(without(reader_node, "if", "then", "else")),
                writer,
            ) + (include_conditional(self, reader, writer))
        if any(k in reader_node for k in ("$dynamicRef", "$recursiveRef")):
            return self.unproven(reader.path, writer.path, "the reader uses a dynamic reference")
        return self.include_plain(reader, writer)

    def ref_with_siblings(self, node: dict[str, Any]) -> bool:
        return isinstance(node.get("$ref"), str) and any(
            k not in ANNOTATIONS and k != "$ref" for k in node
        )

    def include_plain(self, reader: Side, writer: Side) -> list[Finding]:
        reader_node, writer_node = reader.node, writer.node
        findings: list[Finding] = []
        reader_types, writer_types = declared_types(reader_node), declared_types(writer_node)
        missing = sorted(t for t in writer_types if not admits(reader_types, t))
        if missing:
            narrowed = reader_types < writer_types or (
                missing == ["number"] and "integer" in reader_types
            )
            kind = FindingKind.TYPE_NARROWED if narrowed else FindingKind.TYPE_CHANGED
            allowed = ", ".join(sorted(reader_types)) if reader_types != TYPES else "any type"
            findings.append(
                self.finding(
                    kind,
                    (*reader.path, "type"),
                    (*writer.path, "type"),
                    f"the writer may send a value of type {' or '.join(missing)}, but the reader "
                    f"accepts only {allowed}",
                )
            )
        live = {t for t in writer_types if admits(reader_types, t)} | (
            {"integer"} if "number" in writer_types else set()
        )
        if "const" in reader_node or "enum" in reader_node:
            what = "constant" if "const" in reader_node else "list of values"
            findings.append(
                self.finding(
                    FindingKind.ENUM_NARROWED if "enum" in reader_node else FindingKind.CONST_ADDED,
                    reader.path,
                    writer.path,
                    f"the reader accepts only a fixed {what} "
                    f"({dump(reader_node.get('enum', reader_node.get('const')))}), but the writer is not so limited",
                    keyword="enum" if "enum" in reader_node else "const",
                )
            )
            return findings
        if "string" in live:
            findings += include_string(self, reader_node, writer_node, reader.path, writer.path)
        if live & {"number", "integer"}:
            findings += include_number(
                self,
                reader_node,
                writer_node,
                reader.path,
                writer.path,
                integer_only="number" not in writer_types,
            )
        if "array" in live:
            findings += include_array(self, reader, writer)
        if "object" in live:
            findings += include_object(self, reader, writer)
        return findings


# The kind to report when a writer value fails the reader at this keyword.
VALUE_KINDS: dict[str, FindingKind] = {
    "type": FindingKind.TYPE_CHANGED,
    "anyOf": FindingKind.UNION_NARROWED,
    "oneOf": FindingKind.UNION_NARROWED,
    "allOf": FindingKind.PRODUCT_TYPE_EXTENDED,
    "not": FindingKind.NOT_TYPE_EXTENDED,
    "required": FindingKind.REQUIRED_FIELD_NOT_SENT,
    "false": FindingKind.TYPE_NARROWED,
}


def check_inclusion(
    reader: JsonSchema,
    writer: JsonSchema,
    *,
    policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
) -> list[Finding]:
    """Every writer document valid under the reader? [] means proven; otherwise findings.

    Every rule is sound: when it answers "compatible", every writer document is valid under the
    reader (tests hold this against jsonschema with documents generated from the writer). When a
    rule cannot decide (differing patterns, `not`, `oneOf` exclusivity it cannot prove…), the
    answer is a finding of kind UNPROVEN, never a silent yes. Two deliberate choices:
    - LENIENT follows Confluent: optional properties may be added to or removed from open models
      (and an open model may become closed) although a document could in theory carry such a
      property.
    - A required property with a `default` added to the reader is incompatible under both
      policies: validators do not apply defaults, so an old document without it is invalid for
      the reader.
    """
    check = Inclusion(reader, writer, policy)
    reader_root = Side(
        reader.schema, reader, reader.registry.resolver(root_uri(reader.schema, reader.draft))
    )
    writer_root = Side(
        writer.schema, writer, writer.registry.resolver(root_uri(writer.schema, writer.draft))
    )
    with patterns.budget():
        try:
            return check.include(reader_root, writer_root)
        except patterns.PatternNotEvaluated as exc:
            return check.unproven((), (), str(exc))
