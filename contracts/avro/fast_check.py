"""The publisher's hot path: a schema compiled into generated Python predicates, leaf checks inlined."""

from __future__ import annotations

import math
from typing import Any

from contracts.avro.checks import _F32_OVERFLOW, _F64_OVERFLOW, _MISSING, Check, _utf8
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
)


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
