"""Parsing Avro schema JSON into the model: every structural rule of the specification, located."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, Final

from contracts.avro.defaults import _json_kind, default_problem
from contracts.avro.model import (
    PRIMITIVES,
    Array,
    AvroType,
    Enum,
    Field,
    Fixed,
    Map,
    Named,
    Primitive,
    Record,
    Union,
    describe,
)
from contracts.errors import InvalidSchema
from contracts.findings import Location
from contracts.limits import MAX_AVRO_FIXED_SIZE, MAX_DECIMAL_PRECISION

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# (underlying type, logicalType) pairs fastavro converts; any other logicalType is ignored, as the
# specification requires, and the value is checked against the underlying type only.
_LOGICAL: Final = frozenset(
    {
        ("int", "date"),
        ("int", "time-millis"),
        ("long", "time-micros"),
        ("long", "timestamp-millis"),
        ("long", "timestamp-micros"),
        ("long", "local-timestamp-millis"),
        ("long", "local-timestamp-micros"),
        ("bytes", "decimal"),
        ("fixed", "decimal"),
        ("string", "uuid"),
    }
)


def _ptr(base: Location, *parts: str | int) -> Location:
    return (*base, *parts)


class _Parser:
    def __init__(self) -> None:
        self.named: dict[str, Named] = {}

    def check_name(self, name: object, pointer: Location, what: str) -> str:
        if not isinstance(name, str) or not _NAME.match(name):
            raise InvalidSchema(
                f"{what} {name!r} is not a valid Avro name (letters, digits and _, not starting "
                "with a digit)",
                pointer,
            )
        return name

    def fullname(self, spec: Mapping[str, Any], pointer: Location, namespace: str) -> str:
        name = spec.get("name")
        if not isinstance(name, str):
            raise InvalidSchema(f"a {spec['type']} needs a 'name' (a string)", pointer)
        ns = spec.get("namespace", namespace)
        if ns is None:
            ns = ""
        if not isinstance(ns, str):
            raise InvalidSchema("'namespace' must be a string", _ptr(pointer, "namespace"))
        full = name if "." in name else (f"{ns}.{name}" if ns else name)
        for part in full.split("."):
            self.check_name(part, _ptr(pointer, "name"), "the name part")
        if full in PRIMITIVES:
            raise InvalidSchema(f"a named type may not be called {full!r}", _ptr(pointer, "name"))
        if full in self.named:
            raise InvalidSchema(f"the type {full!r} is defined twice", _ptr(pointer, "name"))
        return full

    def aliases(
        self, spec: Mapping[str, Any], pointer: Location, namespace: str
    ) -> tuple[str, ...]:
        raw = spec.get("aliases", [])
        if not isinstance(raw, list):
            raise InvalidSchema("'aliases' must be a list of names", _ptr(pointer, "aliases"))
        out = []
        for i, alias in enumerate(raw):
            if not isinstance(alias, str):
                raise InvalidSchema("an alias must be a string", _ptr(pointer, "aliases", i))
            full = alias if "." in alias or not namespace else f"{namespace}.{alias}"
            for part in full.split("."):
                self.check_name(part, _ptr(pointer, "aliases", i), "the alias part")
            out.append(full)
        return tuple(out)

    def parse(self, spec: object, pointer: Location, namespace: str) -> AvroType:
        if isinstance(spec, str):
            return self.reference(spec, pointer, namespace)
        if isinstance(spec, list):
            return self.union(spec, pointer, namespace)
        if not isinstance(spec, dict):
            raise InvalidSchema(
                f"a schema must be a type name, an object or a union (list), not {_json_kind(spec)}",
                pointer,
            )
        if "type" not in spec:
            raise InvalidSchema("the schema object has no 'type'", pointer)
        kind = spec["type"]
        if isinstance(kind, dict | list):
            # {"type": {...}} wraps a complete schema: Java and fastavro accept it.
            return self.parse(kind, _ptr(pointer, "type"), namespace)
        if not isinstance(kind, str):
            raise InvalidSchema("'type' must be a string", _ptr(pointer, "type"))
        props = {k: v for k, v in spec.items() if k != "type"}
        if kind in PRIMITIVES:
            return self.primitive(kind, props, pointer)
        if kind in ("record", "error"):
            return self.record(spec, pointer, namespace)
        if kind == "enum":
            return self.enum(spec, pointer, namespace)
        if kind == "fixed":
            return self.fixed(spec, pointer, namespace)
        if kind == "array":
            if "items" not in spec:
                raise InvalidSchema("an array needs 'items'", pointer)
            items = self.parse(spec["items"], _ptr(pointer, "items"), namespace)
            del props["items"]
            return Array(items, pointer, props)
        if kind == "map":
            if "values" not in spec:
                raise InvalidSchema("a map needs 'values'", pointer)
            values = self.parse(spec["values"], _ptr(pointer, "values"), namespace)
            del props["values"]
            return Map(values, pointer, props)
        # {"type": "com.example.Customer"}: a reference to a named type, as Java accepts it.
        return self.reference(kind, _ptr(pointer, "type"), namespace)

    def reference(self, name: str, pointer: Location, namespace: str) -> AvroType:
        if name in PRIMITIVES:
            return Primitive(name, pointer)
        candidates = [f"{namespace}.{name}", name] if namespace and "." not in name else [name]
        for candidate in candidates:
            if candidate in self.named:
                return self.named[candidate]
        raise InvalidSchema(f"unknown type {name!r}", pointer)

    def primitive(self, kind: str, props: dict[str, Any], pointer: Location) -> Primitive:
        node = Primitive(kind, pointer, props=props)
        logical = props.get("logicalType")
        if isinstance(logical, str) and (kind, logical) in _LOGICAL:
            node.logical = logical
            if logical == "decimal":
                node.precision, node.scale = self.decimal(props, pointer, None)
        return node

    def decimal(
        self, props: Mapping[str, Any], pointer: Location, size: int | None
    ) -> tuple[int, int]:
        precision, scale = props.get("precision"), props.get("scale", 0)
        if type(precision) is not int or precision <= 0:
            raise InvalidSchema(
                "a decimal needs a 'precision' that is a positive integer",
                _ptr(pointer, "precision"),
            )
        if precision > MAX_DECIMAL_PRECISION:
            raise InvalidSchema(
                f"a decimal's precision is at most {MAX_DECIMAL_PRECISION} digits, not {precision}",
                _ptr(pointer, "precision"),
            )
        if type(scale) is not int or not 0 <= scale <= precision:
            raise InvalidSchema(
                f"a decimal's 'scale' must be an integer from 0 to its precision ({precision})",
                _ptr(pointer, "scale"),
            )
        if size is not None:
            most = math.floor(math.log10(2) * (8 * size - 1))
            if precision > most:
                raise InvalidSchema(
                    f"a fixed of {size} bytes holds at most {most} decimal digits, not {precision}",
                    _ptr(pointer, "precision"),
                )
        return precision, scale

    def union(self, spec: list[Any], pointer: Location, namespace: str) -> Union:
        # A union with no branches is valid (the specification and both Python implementations
        # accept it): no value matches it, so no message holding it can be written.
        node = Union([], pointer)
        seen: dict[str, int] = {}
        for i, branch_spec in enumerate(spec):
            where = _ptr(pointer, i)
            if isinstance(branch_spec, list):
                raise InvalidSchema("a union may not directly contain another union", where)
            branch = self.parse(branch_spec, where, namespace)
            if isinstance(branch, Union):
                raise InvalidSchema("a union may not directly contain another union", where)
            key = branch.fullname if isinstance(branch, Record | Enum | Fixed) else branch.kind
            if key in seen:
                raise InvalidSchema(
                    f"the union has the type {key!r} twice (branches {seen[key]} and {i}); "
                    "a union may hold each type only once",
                    where,
                )
            seen[key] = i
            node.branches.append(branch)
        return node

    def record(self, spec: dict[str, Any], pointer: Location, namespace: str) -> Record:
        full = self.fullname(spec, pointer, namespace)
        own_ns = full.rpartition(".")[0]
        node = Record(full, pointer, self.aliases(spec, pointer, own_ns))
        node.props = {
            k: v
            for k, v in spec.items()
            if k not in {"type", "name", "namespace", "aliases", "fields"}
        }
        if spec["type"] == "error":
            node.props["type"] = "error"
        self.named[full] = node  # before the fields: a field may refer to the record itself
        if "fields" not in spec:
            raise InvalidSchema("a record needs 'fields' (a list, possibly empty)", pointer)
        fields = spec["fields"]
        if not isinstance(fields, list):
            raise InvalidSchema("'fields' must be a list", _ptr(pointer, "fields"))
        names: dict[str, int] = {}
        for i, field_spec in enumerate(fields):
            where = _ptr(pointer, "fields", i)
            if not isinstance(field_spec, dict):
                raise InvalidSchema("a field must be an object with 'name' and 'type'", where)
            name = self.check_name(field_spec.get("name"), _ptr(where, "name"), "the field name")
            if name in names:
                raise InvalidSchema(
                    f"duplicate field {name!r} (also field {names[name]})", _ptr(where, "name")
                )
            names[name] = i
            if "type" not in field_spec:
                raise InvalidSchema(f"the field {name!r} has no 'type'", where)
            ftype = self.parse(field_spec["type"], _ptr(where, "type"), own_ns)
            raw_aliases = field_spec.get("aliases", [])
            if not isinstance(raw_aliases, list):
                raise InvalidSchema("'aliases' must be a list of names", _ptr(where, "aliases"))
            aliases = tuple(
                self.check_name(a, _ptr(where, "aliases", j), "the field alias")
                for j, a in enumerate(raw_aliases)
            )
            order = field_spec.get("order", "ascending")
            if order not in ("ascending", "descending", "ignore"):
                raise InvalidSchema(
                    "'order' must be ascending, descending or ignore", _ptr(where, "order")
                )
            entry = Field(name, ftype, i, where, aliases=aliases)
            entry.props = {
                k: v
                for k, v in field_spec.items()
                if k not in {"name", "type", "aliases", "default"}
            }
            if "default" in field_spec:
                entry.has_default, entry.default = True, field_spec["default"]
            node.fields.append(entry)
        # Defaults are checked once every type is known (a default may be a recursive record).
        for entry in node.fields:
            if entry.has_default:
                problem = default_problem(entry.type, entry.default)
                if problem:
                    raise InvalidSchema(
                        f"the default of field {entry.name!r} does not match its type "
                        f"{describe(entry.type)}: {problem}",
                        _ptr(entry.pointer, "default"),
                    )
        return node

    def enum(self, spec: dict[str, Any], pointer: Location, namespace: str) -> Enum:
        full = self.fullname(spec, pointer, namespace)
        symbols = spec.get("symbols")
        if not isinstance(symbols, list):
            raise InvalidSchema("an enum needs 'symbols' (a list of names)", pointer)
        seen: set[str] = set()
        for i, symbol in enumerate(symbols):
            self.check_name(symbol, _ptr(pointer, "symbols", i), "the enum symbol")
            if symbol in seen:
                raise InvalidSchema(
                    f"duplicate enum symbol {symbol!r}", _ptr(pointer, "symbols", i)
                )
            seen.add(symbol)
        default = spec.get("default")
        if default is not None and default not in seen:
            raise InvalidSchema(
                f"the enum default {default!r} is not one of its symbols", _ptr(pointer, "default")
            )
        node = Enum(
            full,
            pointer,
            tuple(symbols),
            default,
            self.aliases(spec, pointer, full.rpartition(".")[0]),
        )
        node.props = {
            k: v
            for k, v in spec.items()
            if k not in {"type", "name", "namespace", "aliases", "symbols", "default"}
        }
        self.named[full] = node
        return node

    def fixed(self, spec: dict[str, Any], pointer: Location, namespace: str) -> Fixed:
        full = self.fullname(spec, pointer, namespace)
        size = spec.get("size")
        if type(size) is not int or size < 0:
            raise InvalidSchema("a fixed needs a 'size' that is a non-negative integer", pointer)
        if size > MAX_AVRO_FIXED_SIZE:
            raise InvalidSchema(
                f"a fixed of {size} bytes is larger than the {MAX_AVRO_FIXED_SIZE} bytes Accord "
                "accepts (the size of the largest message a topic can carry)",
                _ptr(pointer, "size"),
            )
        node = Fixed(full, pointer, size, self.aliases(spec, pointer, full.rpartition(".")[0]))
        node.props = {
            k: v
            for k, v in spec.items()
            if k not in {"type", "name", "namespace", "aliases", "size"}
        }
        if spec.get("logicalType") == "decimal":
            node.logical = "decimal"
            node.precision, node.scale = self.decimal(spec, pointer, size)
        self.named[full] = node
        return node
