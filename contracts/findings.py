"""Findings are data: what a validation or compatibility check found, located by a path."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem a check found.

    `kind` is a stable rule id (e.g. ``READER_FIELD_MISSING_DEFAULT_VALUE``), `path` a JSON-pointer-like
    location (``/fields/customer/email``), `message` a sentence a person from another team understands.
    Compatibility findings also carry where the problem sits in the reader and the writer schema, and
    which registered version it came from.
    """

    kind: str
    path: str
    message: str
    reader_path: str | None = None
    writer_path: str | None = None
    version: int | None = None

    def with_version(self, version: int | None) -> Finding:
        return replace(self, version=version)

    def __str__(self) -> str:
        where = f" (version {self.version})" if self.version is not None else ""
        return f"{self.kind} at {self.path}{where}: {self.message}"


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
