"""Objects: properties, content models, property names and dependencies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from contracts.findings import Finding, FindingKind
from contracts.formats import CompatibilityPolicy
from contracts.json_compatibility.acceptance import everything, normal
from contracts.json_compatibility.bounds import lower_bound, upper_bound
from contracts.json_compatibility.nodes import Side
from contracts.json_compatibility.pattern_facts import matches, pattern_covers, patterns_disjoint

if TYPE_CHECKING:
    from contracts.json_compatibility.inclusion import Inclusion


def include_object(check: Inclusion, reader: Side, writer: Side) -> list[Finding]:
    reader_node, writer_node = object_model(reader.node), object_model(writer.node)
    findings: list[Finding] = []
    lenient = check.policy is CompatibilityPolicy.LENIENT
    reader_props: dict[str, Any] = reader_node.get("properties", {})
    writer_props: dict[str, Any] = writer_node.get("properties", {})
    reader_patterns: dict[str, Any] = reader_node.get("patternProperties", {})
    reader_extra = reader_node.get("additionalProperties", True)
    writer_required = set(writer_node.get("required", []))

    for name in reader_node.get("required", []):
        if name in writer_required:
            continue
        with_default = isinstance(reader_props.get(name), dict) and "default" in reader_props[name]
        findings.append(
            check.finding(
                FindingKind.REQUIRED_FIELD_NOT_SENT,
                (*reader.path, "required"),
                (*writer.path, "required"),
                f"the reader requires property {name!r}, which writer documents may omit"
                + (
                    " (its default does not help: validators do not fill in defaults)"
                    if with_default
                    else ""
                ),
                field=name,
            )
        )

    for name, reader_schema in reader_props.items():
        reader_property = reader.at(reader_schema, "properties", name)
        if name in writer_props:
            findings += check.include(
                reader_property, writer.at(writer_props[name], "properties", name)
            )
            continue
        writer_source, kind = writer_value_schema(writer, name, writer_node)
        if writer_source.node is False or not sendable(check, writer, name):
            continue  # the writer never sends this property
        if kind == "open":
            if everything(check, reader_property):
                continue  # PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL
            if lenient:
                continue
            findings.append(
                check.finding(
                    FindingKind.PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL,
                    reader_property.path,
                    writer.path,
                    f"the reader declares property {name!r}, but the writer's model is open: "
                    "writer documents may already carry it with any value",
                    keyword="properties",
                    field=name,
                )
            )
            continue
        inner = check.include(reader_property, writer_source)
        if inner and kind == "partial":
            if lenient:
                continue
            findings.append(
                check.finding(
                    FindingKind.PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                    reader_property.path,
                    writer_source.path,
                    f"the reader declares property {name!r}, and the writer's "
                    "additionalProperties allow values the reader rejects: "
                    + "; ".join(f.message for f in inner[:2]),
                    keyword="properties",
                    field=name,
                )
            )
        elif inner and kind == "pattern":
            findings += inner

    for name, writer_schema in writer_props.items():
        if name in reader_props:
            continue
        writer_property = writer.at(writer_schema, "properties", name)
        if check.deref(writer_property).node is False:
            continue  # PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL
        for pattern, reader_schema in reader_patterns.items():
            if matches(pattern, name):
                findings += check.include(
                    reader.at(reader_schema, "patternProperties", pattern), writer_property
                )
        if any(matches(p, name) for p in reader_patterns):
            continue
        if reader_extra is True:
            continue  # PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL
        if reader_extra is False:
            if lenient:
                continue
            findings.append(
                check.finding(
                    FindingKind.PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL,
                    (*reader.path, "additionalProperties"),
                    writer_property.path,
                    f"the writer may send property {name!r}, which the reader's closed model "
                    "(additionalProperties false) no longer allows",
                    field=name,
                )
            )
            continue
        inner = check.include(reader.at(reader_extra, "additionalProperties"), writer_property)
        if inner and not lenient:
            findings.append(
                check.finding(
                    FindingKind.PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL,
                    (*reader.path, "additionalProperties"),
                    writer_property.path,
                    f"the writer may send property {name!r}, and its values are not all "
                    "accepted by the reader's additionalProperties: "
                    + "; ".join(f.message for f in inner[:2]),
                    field=name,
                )
            )

    findings += include_extras(
        check,
        reader,
        writer,
        reader_node=reader_node,
        writer_node=writer_node,
    )
    findings += include_object_counts(
        check, reader, writer, reader_node=reader_node, writer_node=writer_node
    )
    findings += include_dependencies(
        check,
        reader,
        writer,
        reader_node=reader_node,
        writer_node=writer_node,
    )
    if "propertyNames" in reader_node:
        findings += include_property_names(
            check,
            reader,
            writer,
            reader_node=reader_node,
            writer_node=writer_node,
        )
    return findings


def sendable(check: Inclusion, writer: Side, name: str) -> bool:
    """May a writer document carry a property called `name` (its propertyNames allow it)?"""
    limit = writer.node.get("propertyNames")
    return limit is None or check.validator(check.deref(writer.at(limit))).is_valid(name)


def names_through(check: Inclusion, writer: Side, writer_pattern: str | None) -> list[str] | None:
    """The property names the writer may send through one source (a pattern, or
    additionalProperties when None), when its propertyNames lists them all; else None."""
    if "propertyNames" not in writer.node:
        return None
    limit = normal(check, check.deref(writer.at(writer.node["propertyNames"])))
    values = check.finite_values(limit) if isinstance(limit.node, dict) else None
    if values is None:
        return None
    names = [v for v in values if isinstance(v, str)]
    if writer_pattern is not None:
        return [n for n in names if matches(writer_pattern, n)]
    declared = writer.node.get("properties", {})
    patterns = writer.node.get("patternProperties", {})
    return [n for n in names if n not in declared and not any(matches(p, n) for p in patterns)]


def names_avoid(
    check: Inclusion,
    writer: Side,
    writer_pattern: str | None,
    names: list[str] | None,
    pattern: str,
) -> bool:
    """True only when no name the writer sends through this source matches `pattern`."""
    if names is not None:
        return not any(matches(pattern, n) for n in names)
    if writer_pattern is not None and patterns_disjoint(pattern, writer_pattern):
        return True
    limit = check.deref(writer.at(writer.node.get("propertyNames", True))).node
    return (
        isinstance(limit, dict)
        and isinstance(limit.get("pattern"), str)
        and patterns_disjoint(pattern, limit["pattern"])
    )


def writer_value_schema(writer: Side, name: str, writer_node: dict[str, Any]) -> tuple[Side, str]:
    """What the writer allows under an undeclared property name, and which model allows it."""
    for pattern, schema in writer_node.get("patternProperties", {}).items():
        if matches(pattern, name):
            return writer.at(schema, "patternProperties", pattern), "pattern"
    extra = writer_node.get("additionalProperties", True)
    return writer.at(extra, "additionalProperties"), "open" if extra is True else "partial"


def include_extras(
    check: Inclusion,
    reader: Side,
    writer: Side,
    *,
    reader_node: dict[str, Any],
    writer_node: dict[str, Any],
) -> list[Finding]:
    """Properties neither side declares: the writer's patterns and additionalProperties."""
    reader_extra = reader_node.get("additionalProperties", True)
    writer_extra = writer_node.get("additionalProperties", True)
    reader_patterns: dict[str, Any] = reader_node.get("patternProperties", {})
    writer_patterns: dict[str, Any] = writer_node.get("patternProperties", {})
    lenient = check.policy is CompatibilityPolicy.LENIENT
    findings: list[Finding] = []
    sources: list[tuple[Side, str | None]] = [
        (writer.at(s, "patternProperties", p), p) for p, s in writer_patterns.items()
    ]
    if writer_extra is not False:
        sources.append((writer.at(writer_extra, "additionalProperties"), None))
    for source, writer_pattern in sources:
        names = names_through(check, writer, writer_pattern)
        for pattern, reader_schema in reader_patterns.items():
            if names_avoid(check, writer, writer_pattern, names, pattern):
                continue  # the writer never sends a name this pattern selects
            inner = check.include(reader.at(reader_schema, "patternProperties", pattern), source)
            if not inner:
                continue
            if (
                writer_pattern == pattern
                or (writer_pattern is None and not writer_patterns)
                or pattern_covers(pattern, writer_pattern)
            ):
                findings += inner
            else:
                findings += check.unproven(
                    (*reader.path, "patternProperties", pattern),
                    source.path,
                    "Accord cannot tell whether these property-name patterns overlap",
                )
        if reader_extra is True:
            continue
        if any(p == writer_pattern or pattern_covers(p, writer_pattern) for p in reader_patterns):
            continue  # names the reader's patterns select never reach additionalProperties
        if names is not None and all(
            n in reader_node.get("properties", {}) or any(matches(p, n) for p in reader_patterns)
            for n in names
        ):
            continue  # every name the writer can send here is declared or selected
        inner = check.include(reader.at(reader_extra, "additionalProperties"), source)
        if not inner:
            continue
        if lenient and writer_pattern is None:
            continue  # LENIENT: ADDITIONAL_PROPERTIES_NARROWED/REMOVED are allowed
        if writer_pattern is not None and reader_patterns:
            findings += check.unproven(
                (*reader.path, "additionalProperties"),
                source.path,
                "Accord cannot tell whether these property-name patterns overlap",
            )
            continue
        kind = (
            FindingKind.ADDITIONAL_PROPERTIES_REMOVED
            if reader_extra is False
            else FindingKind.ADDITIONAL_PROPERTIES_NARROWED
        )
        findings.append(
            check.finding(
                kind,
                (*reader.path, "additionalProperties"),
                source.path,
                "the writer may send properties it does not declare, and the reader's "
                + (
                    "closed model rejects them"
                    if reader_extra is False
                    else "additionalProperties do not accept all of their values"
                ),
            )
        )
    return findings


def include_object_counts(
    check: Inclusion,
    reader: Side,
    writer: Side,
    *,
    reader_node: dict[str, Any],
    writer_node: dict[str, Any],
) -> list[Finding]:
    effective = dict(writer_node)
    required = len(set(writer_node.get("required", [])))
    effective["minProperties"] = max(writer_node.get("minProperties", 0), required)
    if writer_node.get("additionalProperties", True) is False and not writer_node.get(
        "patternProperties"
    ):
        declared = len(writer_node.get("properties", {}))
        effective["maxProperties"] = min(writer_node.get("maxProperties", declared), declared)
    findings = lower_bound(
        check,
        reader_node,
        effective,
        "minProperties",
        "properties",
        reader_path=reader.path,
        writer_path=writer.path,
    )
    findings += upper_bound(
        check,
        reader_node,
        effective,
        "maxProperties",
        "properties",
        reader_path=reader.path,
        writer_path=writer.path,
    )
    return findings


def include_dependencies(
    check: Inclusion,
    reader: Side,
    writer: Side,
    *,
    reader_node: dict[str, Any],
    writer_node: dict[str, Any],
) -> list[Finding]:
    findings: list[Finding] = []
    reader_required, reader_schemas = dependencies(reader_node)
    writer_required, writer_schemas = dependencies(writer_node)
    always = set(writer_node.get("required", []))
    writer_props = writer_node.get("properties", {})
    writer_closed = writer_node.get("additionalProperties", True) is False and not writer_node.get(
        "patternProperties"
    )
    for name, needed in reader_required.items():
        if writer_closed and writer_props.get(name, False) is False:
            continue  # the writer never sends the property that triggers the dependency
        have = always | set(writer_required.get(name, []))
        lacking = [n for n in needed if n not in have]
        if lacking:
            findings.append(
                check.finding(
                    FindingKind.DEPENDENCY_ARRAY_EXTENDED
                    if name in writer_required
                    else FindingKind.DEPENDENCY_ARRAY_ADDED,
                    (*reader.path, "dependentRequired", name),
                    writer.path,
                    f"when {name!r} is present the reader also requires "
                    f"{', '.join(map(repr, lacking))}, which the writer does not guarantee",
                    keyword="dependentRequired",
                    field=name,
                )
            )
    for name, schema in reader_schemas.items():
        dependent = reader.at(schema, "dependentSchemas", name)
        if writer_closed and writer_props.get(name, False) is False:
            continue
        if name in writer_schemas and not check.include(dependent, writer.at(writer_schemas[name])):
            continue
        if not check.include(dependent, writer):
            continue
        findings.append(
            check.finding(
                FindingKind.DEPENDENCY_SCHEMA_ADDED,
                dependent.path,
                writer.path,
                f"when {name!r} is present the reader applies an extra schema that writer "
                "documents may not satisfy",
                keyword="dependentSchemas",
                field=name,
            )
        )
    return findings


def include_property_names(
    check: Inclusion,
    reader: Side,
    writer: Side,
    *,
    reader_node: dict[str, Any],
    writer_node: dict[str, Any],
) -> list[Finding]:
    names = reader.at(reader_node["propertyNames"])
    if writer_node.get("additionalProperties", True) is False and not writer_node.get(
        "patternProperties"
    ):
        accepts = check.validator(check.deref(names))
        bad = [n for n in writer_node.get("properties", {}) if not accepts.is_valid(n)]
        if not bad:
            return []
        return [
            check.finding(
                FindingKind.PROPERTY_NAMES_NARROWED,
                (*reader.path, "propertyNames"),
                writer.path,
                f"the reader rejects the property name(s) {', '.join(map(repr, bad))}",
            )
        ]
    if "propertyNames" in writer_node:
        inner = check.include(
            names,
            writer.at({"allOf": [{"type": "string"}, writer_node["propertyNames"]]}),
        )
        if not inner:
            return []
    return [
        check.finding(
            FindingKind.PROPERTY_NAMES_ADDED,
            (*reader.path, "propertyNames"),
            writer.path,
            "the reader restricts property names, and the writer's names are not so limited",
        )
    ]


def object_model(node: dict[str, Any]) -> dict[str, Any]:
    """unevaluatedProperties on a schema without combinators acts as additionalProperties."""
    if "unevaluatedProperties" in node and "additionalProperties" not in node:
        return {**node, "additionalProperties": node["unevaluatedProperties"]}
    return node


def dependencies(node: dict[str, Any]) -> tuple[dict[str, list[str]], dict[str, Any]]:
    required: dict[str, list[str]] = dict(node.get("dependentRequired", {}))
    schemas: dict[str, Any] = dict(node.get("dependentSchemas", {}))
    for name, value in node.get("dependencies", {}).items():
        if isinstance(value, list):
            required[name] = value
        else:
            schemas[name] = value
    return required, schemas
