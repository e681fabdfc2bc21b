"""Accord's canonical form of an Avro schema: the text its fingerprint is computed from."""

from __future__ import annotations

from typing import Any

from contracts.avro.model import Array, AvroType, Enum, Fixed, Map, Primitive, Record, Union

# Full names everywhere, namespaces folded in, keys sorted, `{"type": "string"}` written as
# `"string"`; doc, defaults, aliases, logical types and custom properties are kept.


def _canonical(node: AvroType, defined: set[str], namespace: str) -> Any:
    if isinstance(node, Primitive):
        return {"type": node.kind, **node.props} if node.props else node.kind
    if isinstance(node, Union):
        return [_canonical(b, defined, namespace) for b in node.branches]
    if isinstance(node, Array):
        return {"type": "array", "items": _canonical(node.items, defined, namespace), **node.props}
    if isinstance(node, Map):
        return {"type": "map", "values": _canonical(node.values, defined, namespace), **node.props}
    if node.fullname in defined:
        return node.fullname
    defined.add(node.fullname)
    own_ns = node.fullname.rpartition(".")[0]
    out: dict[str, Any] = {**node.props, "type": node.props.get("type", node.kind)}
    out["name"] = node.fullname
    if not own_ns and namespace:
        out["namespace"] = ""  # a null-namespace type nested in a namespaced one
    if node.aliases:
        out["aliases"] = list(node.aliases)
    if isinstance(node, Enum):
        out["symbols"] = list(node.symbols)
        if node.default is not None:
            out["default"] = node.default
    elif isinstance(node, Fixed):
        out["size"] = node.size
    else:
        fields = []
        for entry in node.fields:
            item: dict[str, Any] = {
                **entry.props,
                "name": entry.name,
                "type": _canonical(entry.type, defined, own_ns),
            }
            if entry.aliases:
                item["aliases"] = list(entry.aliases)
            if entry.has_default:
                item["default"] = entry.default
            fields.append(item)
        out["fields"] = fields
    return out


def _has_named(node: AvroType) -> bool:
    if isinstance(node, Record | Enum | Fixed):
        return True
    if isinstance(node, Array):
        return _has_named(node.items)
    if isinstance(node, Map):
        return _has_named(node.values)
    if isinstance(node, Union):
        return any(_has_named(b) for b in node.branches)
    return False
