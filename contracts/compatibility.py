"""Compatibility levels, defined once in reader/writer terms over a topic's ordered live versions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from contracts.findings import CompatibilityResult, Finding, FindingKind
from contracts.formats import CompatibilityPolicy, ParsedSchema, get_format


class CompatibilityLevel(StrEnum):
    """Confluent's seven levels. BACKWARD: the new schema reads the old; FORWARD: the old reads the
    new; FULL: both. Non-transitive levels compare with the latest live version only; transitive ones
    with every live version, newest first."""

    NONE = "NONE"
    BACKWARD = "BACKWARD"
    BACKWARD_TRANSITIVE = "BACKWARD_TRANSITIVE"
    FORWARD = "FORWARD"
    FORWARD_TRANSITIVE = "FORWARD_TRANSITIVE"
    FULL = "FULL"
    FULL_TRANSITIVE = "FULL_TRANSITIVE"

    @classmethod
    def parse(cls, value: str) -> CompatibilityLevel:
        """Case-insensitive; raises ValueError naming the valid levels."""
        try:
            return cls(value.strip().upper())
        except (ValueError, AttributeError):
            valid = ", ".join(level.value for level in cls)
            raise ValueError(
                f"Invalid compatibility level {value!r}; valid levels are {valid}"
            ) from None

    @property
    def transitive(self) -> bool:
        return self.value.endswith("_TRANSITIVE")

    @property
    def backward(self) -> bool:
        """The new schema must read data written with old versions."""
        return self.value.startswith(("BACKWARD", "FULL"))

    @property
    def forward(self) -> bool:
        """Old versions must read data written with the new schema."""
        return self.value.startswith(("FORWARD", "FULL"))


@dataclass(frozen=True, slots=True)
class VersionedSchema:
    """A live registered version of a topic."""

    version: int
    schema: ParsedSchema


def check_pair(
    reader: ParsedSchema,
    writer: ParsedSchema,
    *,
    policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
) -> CompatibilityResult:
    """Can `reader` read everything `writer` allows? Schemas of different types never can."""
    if reader.schema_type is not writer.schema_type:
        return CompatibilityResult.of(
            [
                Finding(
                    kind=FindingKind.SCHEMA_TYPE_MISMATCH,
                    path=(),
                    message=(
                        f"the reader is a {reader.schema_type} schema and the writer a "
                        f"{writer.schema_type} schema; a topic cannot change its schema type"
                    ),
                )
            ]
        )
    return CompatibilityResult.of(
        get_format(reader.schema_type).check(reader, writer, policy=policy)
    )


def check_compatibility(
    new: ParsedSchema,
    previous: Sequence[VersionedSchema],
    level: CompatibilityLevel,
    *,
    policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
) -> CompatibilityResult:
    """Check a proposed schema against a topic's live versions (any order) under `level`.

    Each finding names the version it came from and is prefixed by the roles ("new schema reading
    version N" / "version N reading the new schema"). Transitive levels check every version, newest
    first, and report all findings rather than stopping at the first failing version.
    """
    if level is CompatibilityLevel.NONE or not previous:
        return CompatibilityResult()
    ordered = sorted(previous, key=lambda v: v.version, reverse=True)
    targets = ordered if level.transitive else ordered[:1]
    findings: list[Finding] = []
    for old in targets:
        if level.backward:
            findings.extend(
                replace(
                    f,
                    message=f"new schema reading data written with version {old.version}: {f.message}",
                    version=old.version,
                )
                for f in check_pair(new, old.schema, policy=policy)
            )
        if level.forward:
            findings.extend(
                replace(
                    f,
                    message=f"version {old.version} reading data written with the new schema: {f.message}",
                    version=old.version,
                )
                for f in check_pair(old.schema, new, policy=policy)
            )
    return CompatibilityResult.of(findings)
