"""Per-type value predicates: the rules a message value must meet, one compiled check per type."""

from __future__ import annotations

import datetime
import decimal
import math
import uuid
from collections.abc import Callable
from typing import Final, TypeAlias

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
    Primitive,
    Record,
)

# Message validation has two views of the same rules: `fast_check` compiles each type once into a
# predicate (the publisher's hot path: valid messages pay only this), `problems` explains a rejected
# message. Both call the predicates here, and a property test holds them equal.

# The smallest magnitudes that overflow when packed as IEEE float32 / converted to float64: values at
# or above the midpoint between the largest finite value and 2**emax round to infinity.
_F32_OVERFLOW: Final = 2**128 - 2**103
_F64_OVERFLOW: Final = 2**1024 - 2**970


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
