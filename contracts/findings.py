"""Findings are data: what a validation or compatibility check found, located by a path."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TypeAlias

Token: TypeAlias = str | int
Location: TypeAlias = tuple[Token, ...]


class FindingKind(StrEnum):
    """What happened, in one vocabulary for every format and check (README: "Finding kinds").

    Message validation kinds describe one message; compatibility kinds describe a reader schema
    that cannot read everything a writer schema allows. The schema keyword involved is on the
    finding (`keyword`), so one kind covers e.g. every length limit.
    """

    # --- a message against a schema ---
    MISSING_FIELD = "MISSING_FIELD"
    UNEXPECTED_FIELD = "UNEXPECTED_FIELD"
    WRONG_TYPE = "WRONG_TYPE"
    NOT_ALLOWED_VALUE = "NOT_ALLOWED_VALUE"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    WRONG_SIZE = "WRONG_SIZE"
    PATTERN_MISMATCH = "PATTERN_MISMATCH"
    PATTERN_NOT_EVALUATED = "PATTERN_NOT_EVALUATED"
    NO_MATCHING_ALTERNATIVE = "NO_MATCHING_ALTERNATIVE"
    CONSTRAINT_VIOLATED = "CONSTRAINT_VIOLATED"
    ENCODING_FAILED = "ENCODING_FAILED"
    TOO_DEEP = "TOO_DEEP"
    EXAMPLE_INVALID = "EXAMPLE_INVALID"
    # --- a reader schema against a writer schema ---
    SCHEMA_TYPE_MISMATCH = "SCHEMA_TYPE_MISMATCH"
    REQUIRED_FIELD_NOT_SENT = "REQUIRED_FIELD_NOT_SENT"
    TYPE_CHANGED = "TYPE_CHANGED"
    TYPE_NARROWED = "TYPE_NARROWED"
    NAME_MISMATCH = "NAME_MISMATCH"
    FIXED_SIZE_MISMATCH = "FIXED_SIZE_MISMATCH"
    ENUM_NARROWED = "ENUM_NARROWED"
    UNION_NARROWED = "UNION_NARROWED"
    CONST_ADDED = "CONST_ADDED"
    CONST_CHANGED = "CONST_CHANGED"
    VALUE_REJECTED = "VALUE_REJECTED"
    PRODUCT_TYPE_EXTENDED = "PRODUCT_TYPE_EXTENDED"
    NOT_TYPE_EXTENDED = "NOT_TYPE_EXTENDED"
    MIN_LENGTH_ADDED = "MIN_LENGTH_ADDED"
    MIN_LENGTH_INCREASED = "MIN_LENGTH_INCREASED"
    MAX_LENGTH_ADDED = "MAX_LENGTH_ADDED"
    MAX_LENGTH_DECREASED = "MAX_LENGTH_DECREASED"
    MIN_ITEMS_ADDED = "MIN_ITEMS_ADDED"
    MIN_ITEMS_INCREASED = "MIN_ITEMS_INCREASED"
    MAX_ITEMS_ADDED = "MAX_ITEMS_ADDED"
    MAX_ITEMS_DECREASED = "MAX_ITEMS_DECREASED"
    MIN_PROPERTIES_ADDED = "MIN_PROPERTIES_ADDED"
    MIN_PROPERTIES_INCREASED = "MIN_PROPERTIES_INCREASED"
    MAX_PROPERTIES_ADDED = "MAX_PROPERTIES_ADDED"
    MAX_PROPERTIES_DECREASED = "MAX_PROPERTIES_DECREASED"
    MINIMUM_ADDED = "MINIMUM_ADDED"
    MINIMUM_INCREASED = "MINIMUM_INCREASED"
    EXCLUSIVE_MINIMUM_ADDED = "EXCLUSIVE_MINIMUM_ADDED"
    EXCLUSIVE_MINIMUM_INCREASED = "EXCLUSIVE_MINIMUM_INCREASED"
    MAXIMUM_ADDED = "MAXIMUM_ADDED"
    MAXIMUM_DECREASED = "MAXIMUM_DECREASED"
    EXCLUSIVE_MAXIMUM_ADDED = "EXCLUSIVE_MAXIMUM_ADDED"
    EXCLUSIVE_MAXIMUM_DECREASED = "EXCLUSIVE_MAXIMUM_DECREASED"
    MULTIPLE_OF_ADDED = "MULTIPLE_OF_ADDED"
    MULTIPLE_OF_CHANGED = "MULTIPLE_OF_CHANGED"
    PATTERN_ADDED = "PATTERN_ADDED"
    UNIQUE_ITEMS_ADDED = "UNIQUE_ITEMS_ADDED"
    MIN_CONTAINS_ADDED = "MIN_CONTAINS_ADDED"
    PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL = "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"
    PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL = (
        "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
    )
    PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL = "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"
    PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL = (
        "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"
    )
    ADDITIONAL_PROPERTIES_REMOVED = "ADDITIONAL_PROPERTIES_REMOVED"
    ADDITIONAL_PROPERTIES_NARROWED = "ADDITIONAL_PROPERTIES_NARROWED"
    DEPENDENCY_ARRAY_ADDED = "DEPENDENCY_ARRAY_ADDED"
    DEPENDENCY_ARRAY_EXTENDED = "DEPENDENCY_ARRAY_EXTENDED"
    DEPENDENCY_SCHEMA_ADDED = "DEPENDENCY_SCHEMA_ADDED"
    PROPERTY_NAMES_ADDED = "PROPERTY_NAMES_ADDED"
    PROPERTY_NAMES_NARROWED = "PROPERTY_NAMES_NARROWED"
    UNPROVEN = "UNPROVEN"


def pointer_token(token: Token) -> str:
    """One JSON-pointer reference token, escaped per RFC 6901 (`~` first, then `/`)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def render_pointer(location: Sequence[Token]) -> str:
    """A location as an RFC 6901 JSON pointer; the document root is the empty string."""
    return "".join("/" + pointer_token(t) for t in location)


def parse_pointer(pointer: str) -> Location:
    """The inverse of `render_pointer`, for the edge only (a report read back from JSON); tokens
    come back as strings, since a pointer does not say whether `/0` was an index."""
    if not pointer:
        return ()
    if not pointer.startswith("/"):
        raise ValueError(f"a JSON pointer starts with '/': {pointer!r}")
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/"))


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem a check found.

    `kind` says what happened; `path` locates it as tokens (a message location for validation,
    the reader-side schema location for compatibility), rendered only at the edge (`pointer`).
    `keyword` is the schema keyword involved (``required``, ``type``, ``minLength``…) and `field`
    the field or property concerned, so no caller parses a path or a sentence back. Compatibility
    findings also carry where the problem sits in the reader and the writer schema, and which
    registered version it came from.
    """

    kind: FindingKind
    path: Location
    message: str
    reader_path: Location | None = None
    writer_path: Location | None = None
    version: int | None = None
    keyword: str | None = None
    field: str | None = None

    @property
    def pointer(self) -> str:
        return render_pointer(self.path)

    @property
    def reader_pointer(self) -> str | None:
        return None if self.reader_path is None else render_pointer(self.reader_path)

    @property
    def writer_pointer(self) -> str | None:
        return None if self.writer_path is None else render_pointer(self.writer_path)

    @property
    def where(self) -> str:
        """The pointer for people: the root shows as `/`."""
        return self.pointer or "/"

    def with_version(self, version: int | None) -> Finding:
        return replace(self, version=version)

    def __str__(self) -> str:
        where = f" (version {self.version})" if self.version is not None else ""
        return f"{self.kind} at {self.where}{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class CompatibilityResult:
    """The verdict of "can this reader read everything this writer allows?", with its reasons."""

    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def compatible(self) -> bool:
        return not self.findings

    def __bool__(self) -> bool:
        return self.compatible

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> CompatibilityResult:
        return cls(tuple(findings))

    def messages(self) -> list[str]:
        return [str(f) for f in self.findings]
