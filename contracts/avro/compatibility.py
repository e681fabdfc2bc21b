"""Avro schema resolution as a check: can a reader schema read everything a writer schema writes?"""

from __future__ import annotations

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
from contracts.avro.schema import AvroSchema
from contracts.findings import Finding, FindingKind, Location

__all__ = ["check_avro"]

# writer type -> reader types it may be read as (the specification's promotions)
_PROMOTIONS: dict[str, frozenset[str]] = {
    "int": frozenset({"long", "float", "double"}),
    "long": frozenset({"float", "double"}),
    "float": frozenset({"double"}),
    "string": frozenset({"bytes"}),
    "bytes": frozenset({"string"}),
}


def check_avro(reader: AvroSchema, writer: AvroSchema) -> list[Finding]:
    """Every reason `reader` cannot read data written with `writer`; [] when it always can.

    Results are memoised on the reader per writer fingerprint: a transitive check of a new version
    against many old ones, repeated at every registration, reuses them.
    """
    cached = reader.compat_cache.get(writer.fingerprint)
    if cached is None:
        cached = tuple(_Checker().pair(reader.root, writer.root, ()))
        reader.compat_cache[writer.fingerprint] = cached
    return list(cached)


def _unwrap(node: AvroType) -> AvroType:
    """A single-branch union reads and writes like its branch."""
    if isinstance(node, Union) and len(node.branches) == 1:
        return node.branches[0]
    return node


def _names_match(reader: Record | Enum | Fixed, writer: Record | Enum | Fixed) -> bool:
    # Unqualified names, as current Java and Python Avro (the NS_RECORD vectors); else a reader alias
    # naming the writer's full name.
    return reader.name == writer.name or writer.fullname in reader.aliases


def _shallow_match(reader: AvroType, writer: AvroType) -> bool:
    """Would resolution pick this reader union branch for the writer type (before looking inside)?"""
    if isinstance(reader, Record | Enum | Fixed):
        return isinstance(writer, Record | Enum | Fixed) and (
            type(reader) is type(writer) and _names_match(reader, writer)
        )
    if isinstance(reader, Array | Map):
        return type(reader) is type(writer)
    if isinstance(reader, Primitive) and isinstance(writer, Primitive):
        return reader.kind == writer.kind or reader.kind in _PROMOTIONS.get(writer.kind, ())
    return False


def _readable_kinds(node: AvroType) -> frozenset[str] | None:
    """The primitive kinds a primitive (or union of primitives) reads; None for anything else."""
    if isinstance(node, Primitive):
        return frozenset({node.kind})
    if isinstance(node, Union) and all(isinstance(b, Primitive) for b in node.branches):
        return frozenset(b.kind for b in node.branches)
    return None


def _primitives_compatible(reader: AvroType, writer: AvroType) -> bool:
    """A shortcut for the common field pair of primitives or unions of primitives: True when
    every writer kind is read by a reader kind. False means "look closer", not incompatible."""
    readable, written = _readable_kinds(reader), _readable_kinds(writer)
    if readable is None or written is None:
        return False
    return all(
        kind in readable or not readable.isdisjoint(_PROMOTIONS.get(kind, ())) for kind in written
    )


def _join(path: Location, name: str) -> Location:
    return (*path, name) if path else ("fields", name)


class _Checker:
    def __init__(self) -> None:
        # (reader, writer) pairs being checked: a recursive type meeting itself again is assumed
        # compatible, as Avro's own checkers do; any real difference is found on the first visit.
        self.in_progress: set[tuple[int, int]] = set()
        # The record fields being compared, outermost first: a finding names the innermost one.
        self.fields: list[str] = []

    @property
    def field(self) -> str | None:
        return self.fields[-1] if self.fields else None

    def pair(self, reader: AvroType, writer: AvroType, path: Location) -> list[Finding]:
        reader, writer = _unwrap(reader), _unwrap(writer)
        key = (id(reader), id(writer))
        if key in self.in_progress:
            return []
        self.in_progress.add(key)
        try:
            return self._pair(reader, writer, path)
        finally:
            self.in_progress.discard(key)

    def _pair(self, reader: AvroType, writer: AvroType, path: Location) -> list[Finding]:
        if isinstance(writer, Union):
            findings: list[Finding] = []
            for i, branch in enumerate(writer.branches):
                if isinstance(reader, Union):
                    findings.extend(self._reader_union(reader, branch, path, i))
                else:
                    findings.extend(self.pair(reader, branch, path))
            return findings
        if isinstance(reader, Union):
            return self._reader_union(reader, writer, path, None)
        if isinstance(reader, Primitive) and isinstance(writer, Primitive):
            if reader.kind == writer.kind or reader.kind in _PROMOTIONS.get(writer.kind, ()):
                return []
            return [self._type_mismatch(reader, writer, path)]
        if type(reader) is not type(writer):
            return [self._type_mismatch(reader, writer, path)]
        if isinstance(reader, Array) and isinstance(writer, Array):
            return self.pair(reader.items, writer.items, (*path, "items"))
        if isinstance(reader, Map) and isinstance(writer, Map):
            return self.pair(reader.values, writer.values, (*path, "values"))
        assert isinstance(reader, Record | Enum | Fixed)
        assert isinstance(writer, Record | Enum | Fixed)
        if not _names_match(reader, writer):
            return [
                Finding(
                    FindingKind.NAME_MISMATCH,
                    path,
                    f"the reader's {describe(reader)} and the writer's {describe(writer)} have "
                    f"different names, and the reader lists no alias {writer.fullname!r}",
                    reader.pointer,
                    writer.pointer,
                    keyword="name",
                    field=self.field,
                )
            ]
        if isinstance(reader, Fixed) and isinstance(writer, Fixed):
            if reader.size != writer.size:
                return [
                    Finding(
                        FindingKind.FIXED_SIZE_MISMATCH,
                        path,
                        f"the reader's {describe(reader)} holds {reader.size} bytes but the "
                        f"writer's holds {writer.size}",
                        _pointer(reader.pointer, "size"),
                        _pointer(writer.pointer, "size"),
                        keyword="size",
                        field=self.field,
                    )
                ]
            return []
        if isinstance(reader, Enum) and isinstance(writer, Enum):
            missing = [s for s in writer.symbols if s not in reader.symbols]
            if missing and reader.default is None:
                return [
                    Finding(
                        FindingKind.ENUM_NARROWED,
                        path,
                        f"the writer may send {_plural('symbol', missing)} "
                        f"{', '.join(missing)}, which the reader's {describe(reader)} does not "
                        "have, and the reader enum has no default symbol to fall back on",
                        _pointer(reader.pointer, "symbols"),
                        _pointer(writer.pointer, "symbols"),
                        keyword="symbols",
                        field=self.field,
                    )
                ]
            return []
        assert isinstance(reader, Record)
        assert isinstance(writer, Record)
        return self._records(reader, writer, path)

    def _records(self, reader: Record, writer: Record, path: Location) -> list[Finding]:
        by_name = {f.name: f for f in writer.fields}
        findings: list[Finding] = []
        for entry in reader.fields:
            source = by_name.get(entry.name)
            if source is None:
                source = next((by_name[a] for a in entry.aliases if a in by_name), None)
            if source is None:
                if not entry.has_default:
                    findings.append(
                        Finding(
                            FindingKind.REQUIRED_FIELD_NOT_SENT,
                            _join(path, entry.name),
                            f"the reader needs field {entry.name!r} ({describe(entry.type)}) "
                            "with no default, and the writer does not send it",
                            entry.pointer,
                            writer.pointer,
                            keyword="default",
                            field=entry.name,
                        )
                    )
                continue
            if entry.signature is not None and entry.signature == source.signature:
                continue  # the same unnamed type on both sides reads itself
            if not _primitives_compatible(entry.type, source.type):
                self.fields.append(entry.name)
                try:
                    findings.extend(self.pair(entry.type, source.type, _join(path, entry.name)))
                finally:
                    self.fields.pop()
        return findings

    def _reader_union(
        self, reader: Union, writer: AvroType, path: Location, writer_branch: int | None
    ) -> list[Finding]:
        # Resolution picks the first reader branch that matches the writer type, then resolves
        # deeper; a union with one type of each kind has at most one candidate per named type.
        for branch in reader.branches:
            if _shallow_match(branch, writer):
                return self.pair(branch, writer, path)
        sent = describe(writer)
        if writer_branch is not None:
            sent += f" (branch {writer_branch} of its union)"
        return [
            Finding(
                FindingKind.UNION_NARROWED,
                path,
                f"the writer may send {sent}, and the reader's {describe(reader)} has no branch "
                "that can read it",
                reader.pointer,
                writer.pointer,
                keyword="type",
                field=self.field,
            )
        ]

    def _type_mismatch(self, reader: AvroType, writer: AvroType, path: Location) -> Finding:
        return Finding(
            FindingKind.TYPE_CHANGED,
            path,
            f"the writer sends {describe(writer)} where the reader expects {describe(reader)}, "
            "and Avro cannot convert one into the other",
            reader.pointer,
            writer.pointer,
            keyword="type",
            field=self.field,
        )


def _pointer(base: Location, key: str) -> Location:
    return (*base, key)


def _plural(word: str, items: list[str]) -> str:
    return word if len(items) == 1 else word + "s"
