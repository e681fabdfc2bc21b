"""Field defaults: whether a JSON default fits its type, and the Python datum it stands for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contracts.avro.model import (
    _INT_MAX,
    _INT_MIN,
    _LONG_MAX,
    _LONG_MIN,
    Array,
    AvroType,
    Enum,
    Fixed,
    Map,
    Record,
    Union,
    describe,
)


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def default_problem(node: AvroType, value: object) -> str | None:
    """Why a JSON default value does not fit `node` (None when it fits), per the spec's JSON rules."""
    return _default_problem(node, value, set())


def _default_problem(node: AvroType, value: object, active: set[int]) -> str | None:
    if isinstance(node, Union):
        if not node.branches:
            return "a union with no branches has no value, so it cannot have a default"
        # The specification: a union default corresponds to the union's first branch.
        problem = _default_problem(node.branches[0], value, active)
        if problem:
            return (
                f"a union default must match the union's first branch "
                f"({describe(node.branches[0])}): {problem}"
            )
        return None
    got = _json_kind(value)
    kind = node.kind
    if kind == "null":
        return None if value is None else f"expected null, got {got}"
    if kind == "boolean":
        return None if isinstance(value, bool) else f"expected a boolean, got {got}"
    if kind in ("int", "long"):
        low, high = (_INT_MIN, _INT_MAX) if kind == "int" else (_LONG_MIN, _LONG_MAX)
        if type(value) is not int:
            return f"expected an integer, got {got}"
        return None if low <= value <= high else f"{value} is out of range for {kind}"
    if kind in ("float", "double"):
        ok = type(value) in (int, float)
        return None if ok else f"expected a number, got {got}"
    if kind in ("bytes", "fixed", "string"):
        if not isinstance(value, str):
            return f"expected a string, got {got}"
        if kind != "string" and any(ord(c) > 255 for c in value):
            return "bytes defaults are strings of code points \\u0000-\\u00ff"
        if isinstance(node, Fixed) and len(value) != node.size:
            return f"expected {node.size} bytes, got {len(value)}"
        return None
    if isinstance(node, Enum):
        if value not in node.symbols:
            return f"{value!r} is not one of the symbols {list(node.symbols)}"
        return None
    if isinstance(node, Array):
        if not isinstance(value, list):
            return f"expected a list, got {got}"
        for i, item in enumerate(value):
            problem = _default_problem(node.items, item, active)
            if problem:
                return f"item {i}: {problem}"
        return None
    if isinstance(node, Map):
        if not isinstance(value, dict):
            return f"expected an object, got {got}"
        for key, item in value.items():
            problem = _default_problem(node.values, item, active)
            if problem:
                return f"value {key!r}: {problem}"
        return None
    assert isinstance(node, Record)
    if not isinstance(value, dict):
        return f"expected an object, got {got}"
    for entry in node.fields:
        if entry.name in value:
            problem = _default_problem(entry.type, value[entry.name], active)
            if problem:
                return f"field {entry.name!r}: {problem}"
        elif not entry.has_default:
            return f"field {entry.name!r} is missing and has no default"
    return None


def _python_default(node: AvroType, value: Any) -> Any:
    """The Python datum of a JSON default: bytes for bytes/fixed, the first branch for a union."""
    if isinstance(node, Union):
        return _python_default(node.branches[0], value)
    if node.kind in ("bytes", "fixed"):
        return value.encode("latin-1")
    if node.kind in ("float", "double"):
        return float(value)
    if isinstance(node, Array):
        return [_python_default(node.items, v) for v in value]
    if isinstance(node, Map):
        return {k: _python_default(node.values, v) for k, v in value.items()}
    if isinstance(node, Record):
        return {f.name: _python_default(f.type, value.get(f.name, f.default)) for f in node.fields}
    return value


def _fastavro_defaults(schema: Any, records: Mapping[str, Record]) -> None:
    """fastavro writes a missing field's default as is; give it Python datums (bytes, not str)."""
    if isinstance(schema, list):
        for branch in schema:
            _fastavro_defaults(branch, records)
    elif isinstance(schema, dict):
        kind = schema.get("type")
        if kind in ("record", "error"):
            node = records[schema["name"]]
            for spec, entry in zip(schema["fields"], node.fields, strict=True):
                if entry.has_default:
                    spec["default"] = _python_default(entry.type, entry.default)
                _fastavro_defaults(spec["type"], records)
        elif kind == "array":
            _fastavro_defaults(schema["items"], records)
        elif kind == "map":
            _fastavro_defaults(schema["values"], records)
