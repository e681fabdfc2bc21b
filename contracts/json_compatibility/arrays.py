"""Arrays: items, tuples and `contains`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contracts.findings import Finding, FindingKind
from contracts.json_compatibility.bounds import lower_bound, upper_bound
from contracts.json_compatibility.nodes import Side

if TYPE_CHECKING:
    from contracts.json_compatibility.inclusion import Inclusion
    from contracts.json_schema import JsonSchema


def include_array(check: Inclusion, reader: Side, writer: Side) -> list[Finding]:
    reader_node, writer_node = reader.node, writer.node
    findings = lower_bound(
        check,
        reader_node,
        writer_node,
        "minItems",
        "items",
        reader_path=reader.path,
        writer_path=writer.path,
    )
    findings += upper_bound(
        check,
        reader_node,
        writer_node,
        "maxItems",
        "items",
        reader_path=reader.path,
        writer_path=writer.path,
    )
    repeats = writer_node.get("uniqueItems") is not True and writer_node.get("maxItems", 2) > 1
    if reader_node.get("uniqueItems") is True and repeats:
        findings.append(
            check.finding(
                FindingKind.UNIQUE_ITEMS_ADDED,
                (*reader.path, "uniqueItems"),
                writer.path,
                "the reader requires distinct items, and the writer may repeat an item",
            )
        )
    reader_prefix, reader_rest, reader_rest_key = positional(reader_node, reader.document)
    writer_prefix, writer_rest, writer_rest_key = positional(writer_node, writer.document)
    limit = writer_node.get("maxItems")
    for i in range(max(len(reader_prefix), len(writer_prefix))):
        if limit is not None and i >= limit:
            break
        if i < len(reader_prefix):
            reader_item = reader.at(reader_prefix[i], prefix_key(reader.document), str(i))
        else:
            reader_item = reader.at(reader_rest, reader_rest_key)
        if i < len(writer_prefix):
            writer_item = writer.at(writer_prefix[i], prefix_key(writer.document), str(i))
        else:
            writer_item = writer.at(writer_rest, writer_rest_key)
        findings += check.include(reader_item, writer_item)
    # Items past every tuple position, when the writer can send them.
    beyond = limit is None or limit > max(len(reader_prefix), len(writer_prefix))
    if beyond and not (len(writer_prefix) >= len(reader_prefix) and writer_rest is False):
        findings += check.include(
            reader.at(reader_rest, reader_rest_key),
            writer.at(writer_rest, writer_rest_key),
        )
    if "contains" in reader_node:
        findings += include_contains(check, reader, writer)
    return findings


def include_contains(check: Inclusion, reader: Side, writer: Side) -> list[Finding]:
    reader_node, writer_node = reader.node, writer.node
    need = reader_node.get("minContains", 1)
    if "maxContains" in reader_node:
        return check.unproven(
            (*reader.path, "maxContains"), writer.path, "the reader limits matching items"
        )
    if (
        "contains" in writer_node
        and writer_node.get("minContains", 1) >= need
        and not check.include(
            reader.at(reader_node["contains"]),
            writer.at(writer_node["contains"]),
        )
    ):
        return []
    writer_prefix, writer_rest, _ = positional(writer_node, writer.document)
    if writer_node.get("minItems", 0) >= need and all(
        not check.include(reader.at(reader_node["contains"]), writer.at(item))
        for item in [*writer_prefix, writer_rest]
    ):
        return []
    return [
        check.finding(
            FindingKind.MIN_CONTAINS_ADDED,
            (*reader.path, "contains"),
            writer.path,
            f"the reader needs at least {need} item(s) matching its `contains` schema, which "
            "writer arrays do not always have",
        )
    ]


def prefix_key(document: JsonSchema) -> str:
    return "prefixItems" if modern_items(document) else "items"


def modern_items(document: JsonSchema) -> bool:
    return "2020-12" in document.draft.META_SCHEMA.get("$schema", "")


def positional(node: dict[str, Any], document: JsonSchema) -> tuple[list[Any], Any, str]:
    """(tuple item schemas, schema of the remaining items, the keyword holding the latter)."""
    # unevaluatedItems, once combinators are split off, acts on the items no other keyword covers.
    unevaluated = node.get("unevaluatedItems", True)
    if modern_items(document):
        return list(node.get("prefixItems", [])), node.get("items", unevaluated), "items"
    items = node.get("items", unevaluated)
    if isinstance(items, list):
        return list(items), node.get("additionalItems", unevaluated), "additionalItems"
    return [], items, "items"
