"""The parsed Avro model: one node per type; a named type is one object wherever it is referenced."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, TypeAlias

from contracts.findings import Location

PRIMITIVES: Final = frozenset(
    {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
)
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_LONG_MIN, _LONG_MAX = -(2**63), 2**63 - 1


# Recursive schemas are cyclic graphs (compare nodes by identity, never by value).


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
