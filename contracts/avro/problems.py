"""Explaining a rejected message: every problem, as findings located by path."""

from __future__ import annotations

import decimal

from contracts.avro.checks import _NOT_UTF8, Check, _utf8
from contracts.avro.model import (
    Array,
    AvroType,
    Enum,
    Fixed,
    Map,
    Primitive,
    Record,
    Union,
    describe,
)
from contracts.avro.parse import _ptr
from contracts.findings import Finding, FindingKind, Location


def _python_kind(value: object) -> str:
    if value is None:
        return "null"
    return type(value).__name__


def _shape_matches(node: AvroType, value: object) -> bool:
    """Does the value have the Python shape of `node` (so its problems are worth reporting inside)?"""
    if isinstance(node, Record | Map):
        return type(value) is dict
    if isinstance(node, Array):
        return type(value) in (list, tuple)
    return False


def _problems(
    node: AvroType, value: object, path: Location, checks: dict[int, Check], out: list[Finding]
) -> None:
    if isinstance(node, Union):
        if any(checks[id(b)](value) for b in node.branches):
            return
        if not node.branches:
            out.append(
                Finding(
                    FindingKind.NO_MATCHING_ALTERNATIVE,
                    path,
                    f"the union has no branches, so no value is valid here (got {_python_kind(value)})",
                    keyword="type",
                )
            )
            return
        shaped = [b for b in node.branches if _shape_matches(b, value)]
        if len(shaped) == 1:
            _problems(shaped[0], value, path, checks, out)
            return
        names = ", ".join(describe(b) for b in node.branches)
        out.append(
            Finding(
                FindingKind.WRONG_TYPE,
                path,
                f"expected one of [{names}], got {_python_kind(value)}",
                keyword="type",
            )
        )
        return
    if isinstance(node, Record):
        if type(value) is not dict:
            out.append(
                Finding(
                    FindingKind.WRONG_TYPE,
                    path,
                    f"expected an object for {describe(node)}, got {_python_kind(value)}",
                    keyword="type",
                )
            )
            return
        known = set()
        for entry in node.fields:
            known.add(entry.name)
            where = _ptr(path, entry.name)
            if entry.name not in value:
                if not entry.has_default:
                    out.append(
                        Finding(
                            FindingKind.MISSING_FIELD,
                            where,
                            f"the message has no field {entry.name!r} "
                            f"({describe(entry.type)}), which is required (it has no default)",
                            keyword="fields",
                            field=entry.name,
                        )
                    )
            else:
                item = value[entry.name]
                if not checks[id(entry.type)](item):
                    _problems(entry.type, item, where, checks, out)
        for key in value:
            if key not in known:
                out.append(
                    Finding(
                        FindingKind.UNEXPECTED_FIELD,
                        _ptr(path, key),
                        f"the message has a field {key!r} that {describe(node)} does not define",
                        keyword="fields",
                        field=key,
                    )
                )
        return
    if isinstance(node, Array):
        if type(value) not in (list, tuple):
            out.append(
                Finding(
                    FindingKind.WRONG_TYPE,
                    path,
                    f"expected a list ({describe(node)}), got {_python_kind(value)}",
                    keyword="type",
                )
            )
            return
        check_item = checks[id(node.items)]
        for i, item in enumerate(value):  # type: ignore[arg-type]
            if not check_item(item):
                _problems(node.items, item, _ptr(path, i), checks, out)
        return
    if isinstance(node, Map):
        if type(value) is not dict:
            out.append(
                Finding(
                    FindingKind.WRONG_TYPE,
                    path,
                    f"expected an object ({describe(node)}), got {_python_kind(value)}",
                    keyword="type",
                )
            )
            return
        check_value = checks[id(node.values)]
        for key, item in value.items():
            if type(key) is not str:
                out.append(
                    Finding(
                        FindingKind.WRONG_TYPE,
                        path,
                        f"map keys must be strings, got {key!r}",
                        keyword="values",
                    )
                )
            elif not _utf8(key):
                out.append(Finding(FindingKind.ENCODING_FAILED, _ptr(path, key), _NOT_UTF8))
            elif not check_value(item):
                _problems(node.values, item, _ptr(path, key), checks, out)
        return
    if not checks[id(node)](value):
        out.append(_leaf_problem(node, value, path))


def _leaf_problem(node: Primitive | Enum | Fixed, value: object, path: Location) -> Finding:
    got = _python_kind(value)
    if type(value) is str and node.kind == "string" and not _utf8(value):
        return Finding(FindingKind.ENCODING_FAILED, path, _NOT_UTF8)
    if isinstance(node, Enum):
        if type(value) is str:
            return Finding(
                FindingKind.NOT_ALLOWED_VALUE,
                path,
                f"{value!r} is not a symbol of {describe(node)} (one of {', '.join(node.symbols)})",
                keyword="symbols",
            )
        return Finding(
            FindingKind.WRONG_TYPE,
            path,
            f"expected a symbol of {describe(node)}, got {got}",
            keyword="type",
        )
    if isinstance(node, Fixed) and type(value) is bytes:
        return Finding(
            FindingKind.WRONG_SIZE,
            path,
            f"{describe(node)} needs exactly {node.size} bytes, got {len(value)}",
            keyword="size",
        )
    if node.logical == "decimal" and type(value) is decimal.Decimal:
        return Finding(
            FindingKind.OUT_OF_RANGE,
            path,
            f"{value} does not fit a decimal of precision {node.precision} and scale {node.scale}",
            keyword="precision",
        )
    if node.kind in ("int", "long", "float", "double") and type(value) in (int, float):
        return Finding(
            FindingKind.OUT_OF_RANGE,
            path,
            f"{value!r} is out of range for {describe(node)}",
            keyword="type",
        )
    expected = {
        "null": "null (None)",
        "boolean": "a boolean",
        "int": "an integer",
        "long": "an integer",
        "float": "a number",
        "double": "a number",
        "bytes": "bytes",
        "string": "a string",
        "fixed": "bytes",
    }[node.kind]
    if node.logical:
        expected += f" or a {node.logical} value"
    return Finding(
        FindingKind.WRONG_TYPE,
        path,
        f"expected {expected} ({describe(node)}), got {got}",
        keyword="type",
    )
