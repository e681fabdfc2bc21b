"""Avro: parse with located errors, canonical form, fingerprint, validate, encode and decode."""

from __future__ import annotations

import datetime
import decimal
import hashlib
import io
import json
import math
import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final, TypeAlias

import fastavro
import fastavro.schema
from fastavro import _read_py
from fastavro._logical_writers_py import LOGICAL_WRITERS
from fastavro.read import SchemaResolutionError

from contracts.errors import EncodingError, InvalidSchema, MessageRejected
from contracts.findings import Finding, FindingKind, Location
from contracts.formats import (
    CompatibilityPolicy,
    Encoding,
    ParsedSchema,
    SchemaType,
    register_format,
)
from contracts.limits import (
    MAX_AVRO_FIXED_SIZE,
    MAX_DECIMAL_PRECISION,
    MAX_DEPTH,
    depth_sentence,
    too_deep,
)

# Bound once: encode() runs per published message, and module attribute look-ups add up there.
_BytesIO = io.BytesIO
_write_binary = fastavro.schemaless_writer

__all__ = [
    "AVRO",
    "AvroFormat",
    "AvroSchema",
    "AvroType",
    "Enum",
    "Field",
    "Fixed",
    "Primitive",
    "Record",
    "Union",
]

PRIMITIVES: Final = frozenset(
    {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1
# The smallest magnitudes that overflow when packed as IEEE float32 / converted to float64: values at
# or above the midpoint between the largest finite value and 2**emax round to infinity.
_F32_OVERFLOW: Final = 2**128 - 2**103
_F64_OVERFLOW: Final = 2**1024 - 2**970
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


# --------------------------------------------------------------------------------------------------
# The parsed schema model: one node per type; a named type is one object wherever it is referenced,
# so recursive schemas are cyclic graphs (compare nodes by identity, never by value).


@dataclass(eq=False, slots=True)
class Primitive:
    kind: str
    pointer: Location
    logical: str | None = None
    props: dict[str, Any] = field(default_factory=dict)
    precision: int = 0
    scale: int = 0


@dataclass(eq=False, slots=True)
class Field:
    name: str
    type: AvroType
    index: int
    pointer: Location
    has_default: bool = False
    default: Any = None
    aliases: tuple[str, ...] = ()
    props: dict[str, Any] = field(default_factory=dict)
    # The canonical text of the type when it holds no named type (else None): two fields with
    # equal signatures are compatible without a walk, the common case across many versions.
    signature: str | None = None


@dataclass(eq=False, slots=True)
class Record:
    fullname: str
    pointer: Location
    aliases: tuple[str, ...] = ()
    fields: list[Field] = field(default_factory=list)
    props: dict[str, Any] = field(default_factory=dict)
    kind: str = "record"

    @property
    def name(self) -> str:
        return self.fullname.rpartition(".")[2]


@dataclass(eq=False, slots=True)
class Enum:
    fullname: str
    pointer: Location
    symbols: tuple[str, ...]
    default: str | None = None
    aliases: tuple[str, ...] = ()
    props: dict[str, Any] = field(default_factory=dict)
    kind: str = "enum"

    @property
    def name(self) -> str:
        return self.fullname.rpartition(".")[2]


@dataclass(eq=False, slots=True)
class Fixed:
    fullname: str
    pointer: Location
    size: int
    aliases: tuple[str, ...] = ()
    logical: str | None = None
    precision: int = 0
    scale: int = 0
    props: dict[str, Any] = field(default_factory=dict)
    kind: str = "fixed"

    @property
    def name(self) -> str:
        return self.fullname.rpartition(".")[2]


@dataclass(eq=False, slots=True)
class Array:
    items: AvroType
    pointer: Location
    props: dict[str, Any] = field(default_factory=dict)
    kind: str = "array"


@dataclass(eq=False, slots=True)
class Map:
    values: AvroType
    pointer: Location
    props: dict[str, Any] = field(default_factory=dict)
    kind: str = "map"


@dataclass(eq=False, slots=True)
class Union:
    branches: list[AvroType]
    pointer: Location
    kind: str = "union"


AvroType: TypeAlias = Primitive | Record | Enum | Fixed | Array | Map | Union
Named: TypeAlias = Record | Enum | Fixed


def describe(node: AvroType) -> str:
    """A short human name for a type: `string`, `long (timestamp-millis)`, `record Customer`."""
    if isinstance(node, Primitive):
        return f"{node.kind} ({node.logical})" if node.logical else node.kind
    if isinstance(node, Record | Enum | Fixed):
        return f"{node.kind} {node.name}"
    if isinstance(node, Array):
        return f"array of {describe(node.items)}"
    if isinstance(node, Map):
        return f"map of {describe(node.values)}"
    return "union [" + ", ".join(describe(b) for b in node.branches) + "]"


# --------------------------------------------------------------------------------------------------
# Parsing: every structural rule of the specification, each error located by a JSON pointer.


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


# --------------------------------------------------------------------------------------------------
# Canonical form: full names everywhere, namespaces folded in, keys sorted, `{"type": "string"}`
# written as `"string"`; doc, defaults, aliases, logical types and custom properties are kept.


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


# --------------------------------------------------------------------------------------------------
# Message validation. Two views of the same rules: `_fast` compiles each type once into a predicate
# (the publisher's hot path: valid messages pay only this), `_problems` explains a rejected message.
# Both call the same per-kind value predicates, and a property test holds them equal.

Check: TypeAlias = Callable[[object], bool]
_MISSING: Final = object()
_NOT_UTF8: Final = "the string holds a lone surrogate, which UTF-8 (and so Avro) cannot encode"


def _utf8(text: str) -> bool:
    """Whether a string can be written as UTF-8 (a lone surrogate such as '\\ud800' cannot)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_int(v: object) -> bool:
    return type(v) is int and _INT_MIN <= v <= _INT_MAX


def _is_long(v: object) -> bool:
    return type(v) is int and _LONG_MIN <= v <= _LONG_MAX


def _is_float(v: object) -> bool:
    t = type(v)
    if t is float:
        return not (abs(v) >= _F32_OVERFLOW and math.isfinite(v))  # type: ignore[arg-type]
    return t is int and abs(v) < _F32_OVERFLOW  # type: ignore[arg-type]


def _is_double(v: object) -> bool:
    t = type(v)
    return t is float or (t is int and abs(v) < _F64_OVERFLOW)  # type: ignore[arg-type]


def _is_uuid_text(v: str) -> bool:
    try:
        uuid.UUID(v)
    except ValueError:
        return False
    return True


def _decimal_fits(v: decimal.Decimal, precision: int, scale: int) -> bool:
    if not v.is_finite():
        return False
    _, digits, exponent = v.as_tuple()
    assert isinstance(exponent, int)
    return -exponent <= scale and len(digits) + exponent + scale <= precision


_BASE_CHECKS: Final[dict[str, Check]] = {
    "null": lambda v: v is None,
    "boolean": lambda v: type(v) is bool,
    "int": _is_int,
    "long": _is_long,
    "float": _is_float,
    "double": _is_double,
    "bytes": lambda v: type(v) is bytes,
    "string": lambda v: type(v) is str and _utf8(v),
}
_LOGICAL_CLASSES: Final[dict[str, type]] = {
    "date": datetime.date,
    "time-millis": datetime.time,
    "time-micros": datetime.time,
    "timestamp-millis": datetime.datetime,
    "timestamp-micros": datetime.datetime,
    "local-timestamp-millis": datetime.datetime,
    "local-timestamp-micros": datetime.datetime,
    "uuid": uuid.UUID,
}


def _value_check(node: Primitive | Fixed | Enum) -> Check:
    """The predicate for a leaf type (logical types accept their Python class or the raw value)."""
    if isinstance(node, Enum):
        symbols = frozenset(node.symbols)
        return lambda v: type(v) is str and v in symbols
    if isinstance(node, Fixed):
        size = node.size
        raw: Check = lambda v: type(v) is bytes and len(v) == size  # noqa: E731
    else:
        raw = _BASE_CHECKS[node.kind]
    if node.logical == "decimal":
        precision, scale = node.precision, node.scale
        return lambda v: (
            raw(v) or (type(v) is decimal.Decimal and _decimal_fits(v, precision, scale))
        )
    if node.logical == "uuid":
        # fastavro reads a uuid string back as uuid.UUID: only UUID text can be decoded again.
        return lambda v: isinstance(v, uuid.UUID) or (type(v) is str and _is_uuid_text(v))
    if node.logical in _LOGICAL_CLASSES:
        cls = _LOGICAL_CLASSES[node.logical]
        return lambda v: raw(v) or isinstance(v, cls)
    return raw


def _compile(node: AvroType, memo: dict[int, Check]) -> Check:
    if id(node) in memo:
        return memo[id(node)]
    if isinstance(node, Primitive | Fixed | Enum):
        check = _value_check(node)
        memo[id(node)] = check
        return check
    if isinstance(node, Record):
        cell: list[Check] = []
        # A recursive record meets itself before its check exists: bind late through the cell.
        memo[id(node)] = lambda v: cell[0](v)  # noqa: PLW0108
        fields = tuple((f.name, _compile(f.type, memo), f.has_default) for f in node.fields)

        def record_check(v: object) -> bool:
            if type(v) is not dict:
                return False
            present = 0
            for name, check_field, has_default in fields:
                item = v.get(name, _MISSING)
                if item is _MISSING:
                    if not has_default:
                        return False
                elif check_field(item):
                    present += 1
                else:
                    return False
            return present == len(v)

        cell.append(record_check)
        memo[id(node)] = record_check
        return record_check
    if isinstance(node, Array):
        items = _compile(node.items, memo)

        def array_check(v: object) -> bool:
            if type(v) is not list and type(v) is not tuple:
                return False
            return all(map(items, v))

        memo[id(node)] = array_check
        return array_check
    if isinstance(node, Map):
        values = _compile(node.values, memo)

        def map_check(v: object) -> bool:
            if type(v) is not dict:
                return False
            for key, item in v.items():
                if type(key) is not str or not _utf8(key) or not values(item):
                    return False
            return True

        memo[id(node)] = map_check
        return map_check
    branches = tuple(_compile(b, memo) for b in node.branches)

    def union_check(v: object) -> bool:
        for branch in branches:  # noqa: SIM110 - no generator per message on the hot path
            if branch(v):
                return True
        return False

    memo[id(node)] = union_check
    return union_check


class _Generator:
    """Compiles a schema into the source of one Python predicate per record, array and map, with
    leaf checks inlined: the hot path of the publisher runs no per-field function calls.

    Only literals produced by repr() and names validated by the parser reach the source; every
    other value (enum symbol sets, logical-type classes) is passed in through the namespace.
    """

    def __init__(self, checks: dict[int, Check]) -> None:
        self.checks = checks
        self.names: dict[int, str] = {}
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = {"_MISSING": _MISSING, "_INF": math.inf, "_utf8": _utf8}

    def constant(self, value: object) -> str:
        name = f"_c{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def expr(self, node: AvroType, var: str) -> str:
        """A boolean expression saying whether `var` is valid for `node`."""
        if isinstance(node, Union):
            if not node.branches:
                return "False"  # a union with no branches accepts no value
            return "(" + " or ".join(self.expr(b, var) for b in node.branches) + ")"
        if isinstance(node, Record | Array | Map):
            return f"{self.function(node)}({var})"
        if isinstance(node, Enum):
            return f"(type({var}) is str and {var} in {self.constant(frozenset(node.symbols))})"
        if node.logical is not None or isinstance(node, Fixed):
            return f"{self.constant(self.checks[id(node)])}({var})"
        # float and double inline _is_float/_is_double (exact int/float comparisons, no abs()).
        f32, f64 = _F32_OVERFLOW, _F64_OVERFLOW
        return {
            "float": (
                f"((type({var}) is float and not ({f32} <= {var} < _INF or -_INF < {var} <= -{f32}))"
                f" or (type({var}) is int and -{f32} < {var} < {f32}))"
            ),
            "double": f"(type({var}) is float or (type({var}) is int and -{f64} < {var} < {f64}))",
            "null": f"{var} is None",
            "boolean": f"type({var}) is bool",
            "int": f"(type({var}) is int and {_INT_MIN} <= {var} <= {_INT_MAX})",
            "long": f"(type({var}) is int and {_LONG_MIN} <= {var} <= {_LONG_MAX})",
            "bytes": f"type({var}) is bytes",
            "string": f"(type({var}) is str and ({var}.isascii() or _utf8({var})))",
        }[node.kind]

    def function(self, node: Record | Array | Map) -> str:
        if id(node) in self.names:
            return self.names[id(node)]
        name = f"_f{len(self.names)}"
        self.names[id(node)] = name  # before the body: a recursive record calls itself
        body = [f"def {name}(v):"]
        if isinstance(node, Record):
            required = [f for f in node.fields if not f.has_default]
            optional = [f for f in node.fields if f.has_default]
            body.append("    if type(v) is not dict: return False")
            if optional:
                body += ["    g = v.get", f"    n = {len(required)}"]
            else:
                body.append(f"    if len(v) != {len(required)}: return False")
            if required:
                # A missing required field raises KeyError: cheaper than a sentinel per field.
                body.append("    try:")
                for entry in required:
                    body.append(f"        x = v[{entry.name!r}]")
                    body.append(f"        if not {self.expr(entry.type, 'x')}: return False")
                body.append("    except KeyError: return False")
            for entry in optional:
                body.append(f"    x = g({entry.name!r}, _MISSING)")
                body.append("    if x is not _MISSING:")
                body.append(f"        if not {self.expr(entry.type, 'x')}: return False")
                body.append("        n += 1")
            # every key counted as a known field: no unexpected field
            body.append("    return len(v) == n" if optional else "    return True")
        elif isinstance(node, Array):
            body += [
                "    if type(v) is not list and type(v) is not tuple: return False",
                "    for x in v:",
                f"        if not {self.expr(node.items, 'x')}: return False",
                "    return True",
            ]
        else:
            body += [
                "    if type(v) is not dict: return False",
                "    for k, x in v.items():",
                "        if type(k) is not str or not (k.isascii() or _utf8(k)): return False",
                f"        if not {self.expr(node.values, 'x')}: return False",
                "    return True",
            ]
        self.lines += body
        return name

    def compile(self, root: AvroType) -> Check:
        if isinstance(root, Record | Array | Map):
            entry = self.function(root)
        else:
            entry = "_root"
            self.lines += ["def _root(v):", f"    return bool({self.expr(root, 'v')})"]
        # The source is built from repr() literals and parser-validated names only (see above).
        exec("\n".join(self.lines), self.namespace)  # noqa: S102
        check: Check = self.namespace[entry]
        return check


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


# --------------------------------------------------------------------------------------------------
# The parsed schema and the format object.


def _children(node: AvroType) -> Sequence[AvroType]:
    if isinstance(node, Record):
        return [f.type for f in node.fields]
    if isinstance(node, Array):
        return [node.items]
    if isinstance(node, Map):
        return [node.values]
    if isinstance(node, Union):
        return node.branches
    return ()


def _type_depth(root: AvroType) -> tuple[int, Location, bool]:
    """(how deeply the types nest with named references followed, the pointer of the deepest type,
    whether a named type contains itself). Iterative: a hostile schema cannot exhaust the stack."""
    done: dict[int, tuple[int, Location]] = {}
    active: set[int] = set()
    recursive = False
    # Each frame: the node, its remaining children, and [deepest depth below it, where].
    stack: list[tuple[AvroType, Iterator[AvroType], list[Any]]] = []
    active.add(id(root))
    stack.append((root, iter(_children(root)), [1, root.pointer]))
    while stack:
        node, remaining, best = stack[-1]
        child = next(remaining, None)
        if child is None:
            stack.pop()
            active.discard(id(node))
            done[id(node)] = (best[0], best[1])
            if stack and best[0] + 1 > stack[-1][2][0]:
                stack[-1][2][:] = [best[0] + 1, best[1]]
            continue
        if id(child) in active:
            recursive = True  # a cycle: its depth is the message's, bounded when validated
            continue
        known = done.get(id(child))
        if known is not None:
            if known[0] + 1 > best[0]:
                best[:] = [known[0] + 1, known[1]]
            continue
        active.add(id(child))
        stack.append((child, iter(_children(child)), [1, child.pointer]))
    depth, where = done[id(root)]
    return depth, where, recursive


def _too_deep_finding(message: object) -> Finding | None:
    where = too_deep(message)
    if where is None:
        return None
    return Finding(FindingKind.TOO_DEEP, tuple(where), depth_sentence("the message"))


def _encoding_of(encoding: str | None) -> Encoding:
    if encoding is None or encoding == "binary":
        return "binary"
    if encoding == "json":
        return "json"
    raise EncodingError(f"unknown encoding {encoding!r}; Avro payloads are 'binary' or 'json'")


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


def _union_label(node: AvroType) -> str:
    return node.fullname if isinstance(node, Record | Enum | Fixed) else node.kind


def _to_json(node: AvroType, value: Any, checks: dict[int, Check]) -> Any:
    """Avro's JSON encoding of a valid message (unions wrapped as {"type": value}, bytes as
    \\u0000-\\u00ff strings, omitted fields as their defaults). Written here because fastavro's JSON
    writer loses empty map keys and writes a bytes default as text."""
    if isinstance(node, Union):
        branch = next(b for b in node.branches if checks[id(b)](value))
        inner = _to_json(branch, value, checks)
        return None if inner is None else {_union_label(branch): inner}
    if isinstance(node, Record):
        return {
            f.name: _to_json(f.type, value[f.name], checks)
            if f.name in value
            else _to_json(f.type, _python_default(f.type, f.default), checks)
            for f in node.fields
        }
    if isinstance(node, Array):
        return [_to_json(node.items, item, checks) for item in value]
    if isinstance(node, Map):
        return {key: _to_json(node.values, item, checks) for key, item in value.items()}
    if isinstance(node, Enum):
        return value
    if node.logical is not None:
        spec: dict[str, Any] = {"type": node.kind, "logicalType": node.logical}
        spec.update(precision=node.precision, scale=node.scale)
        if isinstance(node, Fixed):
            spec["size"] = node.size
        value = LOGICAL_WRITERS[f"{node.kind}-{node.logical}"](value, spec)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value


class AvroSchema:
    """A parsed Avro schema: immutable, compared and hashed by fingerprint; everything the hot paths
    need is derived once here. Build it with `AVRO.parse`, not directly."""

    schema_type = SchemaType.AVRO
    encodings: tuple[Encoding, ...] = ("binary", "json")

    def __init__(self, text: str, root: AvroType, named: dict[str, Named]) -> None:
        self._text = text
        self.root = root
        self.named = named
        depth, where, self.recursive = _type_depth(root)
        if depth > MAX_DEPTH:
            raise InvalidSchema(
                depth_sentence(f"the schema's types ({depth} levels, named types followed)"),
                where,
            )
        self.canonical_json = _canonical(root, set(), "")
        self._canonical = json.dumps(
            self.canonical_json, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        self._fingerprint = hashlib.sha256(self._canonical.encode()).hexdigest()
        try:
            spec = json.loads(self._canonical)
            # The write hint marks the dict as parsed, so fastavro does not parse it per message.
            self.fastavro_schema: Any = fastavro.parse_schema(spec)
        except Exception as exc:  # any fastavro refusal is a schema Accord cannot serve
            raise InvalidSchema(f"fastavro cannot use this schema: {exc}") from exc
        records = {n: t for n, t in named.items() if isinstance(t, Record)}
        _fastavro_defaults(self.fastavro_schema, records)
        if isinstance(self.fastavro_schema, dict):
            for named_spec in self.fastavro_schema.get("__named_schemas", {}).values():
                _fastavro_defaults(named_spec, records)
        for record in records.values():
            for entry in record.fields:
                if not _has_named(entry.type):
                    entry.signature = json.dumps(_canonical(entry.type, set(), ""), sort_keys=True)
        self._checks: dict[int, Check] = {}
        _compile(root, self._checks)  # per-type checks, for explaining a rejected message
        self._check = _Generator(self._checks).compile(root)
        # Filled by contracts.avro_compatibility: findings per writer fingerprint, this as reader.
        self.compat_cache: dict[str, tuple[Finding, ...]] = {}

    @property
    def text(self) -> str:
        return self._text

    @property
    def canonical(self) -> str:
        return self._canonical

    @property
    def fingerprint(self) -> str:
        return self._fingerprint

    @cached_property
    def parsing_canonical_form(self) -> str:
        """Avro's Parsing Canonical Form (drops doc, defaults, aliases): what the wire needs."""
        return str(fastavro.schema.to_parsing_canonical_form(json.loads(self._canonical)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AvroSchema) and other._fingerprint == self._fingerprint

    def __hash__(self) -> int:
        return hash(self._fingerprint)

    def __repr__(self) -> str:
        return f"AvroSchema({self._canonical[:80]!r})"

    def is_valid(self, message: object) -> bool:
        """The compiled check alone: True when `validate` would return []."""
        return self._check(message)

    def validate(self, message: object) -> list[Finding]:
        # Only a recursive schema admits messages deeper than itself (bounded by MAX_DEPTH).
        if self.recursive and (deep := _too_deep_finding(message)) is not None:
            return [deep]
        if self._check(message):
            return []
        return self.explain(message)

    def explain(self, message: object) -> list[Finding]:
        """Every problem of `message`, found without the compiled fast check (slower; `validate`
        calls it only for a rejected message). A property test holds the two views equal."""
        if self.recursive and (deep := _too_deep_finding(message)) is not None:
            return [deep]
        out: list[Finding] = []
        _problems(self.root, message, (), self._checks, out)
        return out

    def encode(self, message: object, *, encoding: Encoding | None = None) -> bytes:
        encoding = _encoding_of(encoding)
        if self.recursive:
            findings = self.validate(message)
            if findings:
                raise MessageRejected(findings)
        elif not self._check(message):
            raise MessageRejected(self.explain(message))
        try:
            if encoding == "binary":
                buffer = _BytesIO()
                _write_binary(buffer, self.fastavro_schema, message)
                return buffer.getvalue()
            document = _to_json(self.root, message, self._checks)
            return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode()
        except Exception as exc:  # validated, so this is a fastavro limit: say so, do not leak
            raise EncodingError(f"fastavro could not encode the message: {exc}") from exc

    def decode(
        self,
        data: bytes,
        *,
        encoding: Encoding | None = None,
        reader: ParsedSchema | None = None,
    ) -> object:
        encoding = _encoding_of(encoding)
        if reader is not None and not isinstance(reader, AvroSchema):
            raise EncodingError("an Avro payload can only be read with an Avro reader schema")
        reader_schema = reader.fastavro_schema if reader is not None else None
        # fastavro's compiled reader recurses in C once per nested record and crashes the process
        # on a payload thousands of levels deep: a recursive schema is read by its pure-Python
        # reader, which stops at the interpreter's recursion limit, and the result is measured.
        deep = self.recursive or (reader is not None and reader.recursive)
        try:
            if encoding == "binary":
                buffer = io.BytesIO(data)
                read = _read_py.schemaless_reader if deep else fastavro.schemaless_reader
                message = read(buffer, self.fastavro_schema, reader_schema)
                if buffer.tell() != len(data):
                    raise EncodingError(
                        f"the payload has {len(data) - buffer.tell()} bytes left over after the "
                        "message: it was not written with this schema"
                    )
            else:
                lines = data.decode().strip()
                if not lines or "\n" in lines:
                    raise EncodingError(
                        "an Avro JSON payload holds exactly one message on one line"
                    )
                message = next(
                    iter(
                        fastavro.json_reader(
                            io.StringIO(lines), self.fastavro_schema, reader_schema
                        )
                    )
                )
        except EncodingError:
            raise
        except RecursionError:
            raise EncodingError(depth_sentence("the payload")) from None
        except SchemaResolutionError as exc:
            assert reader is not None  # resolution happens only against a reader
            from contracts.avro_compatibility import check_avro

            findings = check_avro(reader, self)
            if findings:  # the reader cannot read what this writer writes: say where and why
                raise MessageRejected(findings) from exc
            raise EncodingError(
                f"the payload cannot be read with the reader schema: {exc}"
            ) from exc
        except Exception as exc:  # garbage in: say what happened, never leak a raw exception
            raise EncodingError(
                f"the payload could not be decoded with this schema ({type(exc).__name__}: {exc})"
            ) from exc
        if deep and too_deep(message) is not None:
            raise EncodingError(depth_sentence("the payload"))
        return message


class AvroFormat:
    """Avro as a `SchemaFormat`: parse text, and check a reader against a writer."""

    schema_type = SchemaType.AVRO

    def parse(self, text: str) -> AvroSchema:
        try:
            spec = json.loads(text)
        except (json.JSONDecodeError, TypeError) as exc:
            raise InvalidSchema(f"schema is not valid JSON: {exc}") from None
        except RecursionError:
            raise InvalidSchema(depth_sentence("the schema document")) from None
        where = too_deep(spec)
        if where is not None:
            raise InvalidSchema(depth_sentence("the schema document"), tuple(where))
        parser = _Parser()
        try:
            root = parser.parse(spec, (), "")
        except RecursionError:
            raise InvalidSchema("the schema is nested too deeply") from None
        return AvroSchema(text, root, parser.named)

    def check(
        self,
        reader: ParsedSchema,
        writer: ParsedSchema,
        *,
        policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    ) -> list[Finding]:
        from contracts.avro_compatibility import check_avro

        if not isinstance(reader, AvroSchema) or not isinstance(writer, AvroSchema):
            raise TypeError("AVRO.check needs two Avro schemas")
        return check_avro(reader, writer)


AVRO: Final = AvroFormat()
register_format(AVRO)
