"""The report of a contract check, as data, and its text, JSON and JUnit XML renderings."""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal
from xml.etree import ElementTree as ET

from contracts.findings import Finding, FindingKind, parse_pointer
from contracts.limits import MAX_FINDINGS_RENDERED, MAX_MESSAGE_LENGTH

Side = Literal["producer", "consumer"]
ReportFormat = Literal["text", "json", "junit"]
REPORT_FORMATS: tuple[ReportFormat, ...] = ("text", "json", "junit")


# --- the report on the wire --------------------------------------------------------------------
# The one definition of the JSON a check answers: `CheckReport.to_dict()` writes it and the
# registry documents it (FastAPI builds the OpenAPI from these dataclasses). Python names are
# snake_case; the wire's are camelCase (`_camel`), for `wire_dict` and for pydantic alike, which
# reads `__pydantic_config__` from a stdlib dataclass (a plain dict: contracts imports no pydantic).


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


_WIRE_CONFIG: Final[dict[str, Any]] = {"alias_generator": _camel}
# Optional finding details are left out of the body when absent, not sent as null.
_OMIT_WHEN_NONE: Final = {"omit_when_none": True}


@dataclass(frozen=True, slots=True)
class WireFinding:
    """One finding; paths are RFC 6901 JSON pointers (the root is "")."""

    __pydantic_config__ = _WIRE_CONFIG

    kind: FindingKind
    path: str
    message: str
    keyword: str | None = dataclasses.field(default=None, metadata=_OMIT_WHEN_NONE)
    field: str | None = dataclasses.field(default=None, metadata=_OMIT_WHEN_NONE)
    reader_path: str | None = dataclasses.field(default=None, metadata=_OMIT_WHEN_NONE)
    writer_path: str | None = dataclasses.field(default=None, metadata=_OMIT_WHEN_NONE)
    version: int | None = dataclasses.field(default=None, metadata=_OMIT_WHEN_NONE)


@dataclass(frozen=True, slots=True)
class WireCounterexample:
    """A message the producer schema allows and the contract rejects (`message`), or, when it is
    too large to build, null and a `description` of such messages; `reason`: what the decoder or
    validator said."""

    __pydantic_config__ = _WIRE_CONFIG

    message: Any
    reason: str
    description: str | None = dataclasses.field(default=None, metadata=_OMIT_WHEN_NONE)


@dataclass(frozen=True, slots=True)
class WireConsumerVerdict:
    """One consumer's contract; `moreFindings` counts the findings beyond those listed."""

    __pydantic_config__ = _WIRE_CONFIG

    consumer: str
    ok: bool
    contract_version: int | None
    findings: list[WireFinding]
    more_findings: int
    counterexample: WireCounterexample | None


@dataclass(frozen=True, slots=True)
class WireLevelVerdict:
    """The compatibility level against the live versions it checked."""

    __pydantic_config__ = _WIRE_CONFIG

    level: str
    ok: bool
    versions: list[int]
    findings: list[WireFinding]
    more_findings: int


@dataclass(frozen=True, slots=True)
class WireCheckReport:
    """The check's report: `ok` is the verdict; `side` is producer (a proposed schema against the
    level and every contract) or consumer (a contract against the current producer schema)."""

    __pydantic_config__ = _WIRE_CONFIG

    topic: str
    side: Side
    ok: bool
    summary: str
    level: WireLevelVerdict | None
    consumers: list[WireConsumerVerdict]
    # What will follow that is not a verdict (e.g. Pub/Sub refusing a version until a cutover).
    notes: list[str] | None = dataclasses.field(default=None, metadata=_OMIT_WHEN_NONE)


def wire_dict(value: object) -> Any:
    """A wire dataclass as its JSON value: camelCase names, enums as their values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            _camel(f.name): wire_dict(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not (f.metadata.get("omit_when_none") and getattr(value, f.name) is None)
        }
    if isinstance(value, list):
        return [wire_dict(v) for v in value]
    if isinstance(value, FindingKind):
        return value.value
    return value


@dataclass(frozen=True, slots=True)
class Counterexample:
    """A message the producer schema allows and the consumer's contract rejects, verified by
    actually validating (JSON Schema) or decoding (Avro) it; `reason` is what the oracle said.

    When the message would be larger than an example may be (contracts/limits.py), it is not
    built: `message` is None and `description` says which messages break the contract.
    """

    message: object
    reason: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class ConsumerVerdict:
    """One consumer's contract against the producer schema: ok when it has no findings."""

    consumer: str
    findings: tuple[Finding, ...] = ()
    contract_version: int | None = None
    counterexample: Counterexample | None = None
    # Findings a rendering left out beyond its cap (a report read back from JSON carries only
    # the findings that were rendered, and this count of the rest).
    omitted_findings: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings


@dataclass(frozen=True, slots=True)
class LevelVerdict:
    """The topic's compatibility level against its live versions."""

    level: str
    versions: tuple[int, ...] = ()
    findings: tuple[Finding, ...] = ()
    omitted_findings: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What `accord check` and `POST /subjects/{topic}/check` answer.

    Producer side: a proposed producer schema against the level and every contract. Consumer side:
    one new contract against the topic's current producer schema (`level` is then None).
    """

    topic: str
    side: Side
    level: LevelVerdict | None = None
    consumers: tuple[ConsumerVerdict, ...] = field(default_factory=tuple)
    # What will follow that is not a verdict (e.g. Pub/Sub refusing a version until a cutover).
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return (self.level is None or self.level.ok) and all(c.ok for c in self.consumers)

    @property
    def broken_consumers(self) -> list[str]:
        return [c.consumer for c in self.consumers if not c.ok]

    def findings(self) -> list[Finding]:
        """Every finding, the level's first."""
        found = list(self.level.findings) if self.level else []
        for verdict in self.consumers:
            found.extend(verdict.findings)
        return found

    def summary(self) -> str:
        """One sentence: the verdict and who is affected."""
        if self.ok:
            n = len(self.consumers)
            if self.side == "consumer":
                return f"{self.topic}: every producer version checked satisfies the contract"
            return (
                f"{self.topic}: safe — the compatibility level holds and "
                f"{n} consumer contract{'s' if n != 1 else ''} {'are' if n != 1 else 'is'} satisfied"
            )
        reasons = []
        if self.level is not None and not self.level.ok:
            reasons.append(f"it breaks the topic's {self.level.level} compatibility")
        broken = self.broken_consumers
        if broken:
            if self.side == "consumer":
                failing = sorted(
                    {f.version for c in self.consumers for f in c.findings if f.version is not None}
                )
                which = (
                    f"producer version{'s' if len(failing) > 1 else ''} "
                    + ", ".join(str(v) for v in failing)
                    if failing
                    else "the current producer schema"
                )
                verb = "do" if len(failing) > 1 else "does"
                reasons.append(f"{which} {verb} not satisfy the contract")
            else:
                reasons.append(f"it breaks the contract of {', '.join(broken)}")
        return f"{self.topic}: breaking — " + "; ".join(reasons)

    def wire(self) -> WireCheckReport:
        """The report as the wire carries it: findings capped, sentences clipped, paths as
        pointers, messages as JSON values."""
        level = self.level
        return WireCheckReport(
            topic=self.topic,
            side=self.side,
            ok=self.ok,
            summary=self.summary(),
            level=None
            if level is None
            else WireLevelVerdict(
                level=level.level,
                ok=level.ok,
                versions=list(level.versions),
                **_wire_findings(level.findings, level.omitted_findings),
            ),
            consumers=[
                WireConsumerVerdict(
                    consumer=c.consumer,
                    ok=c.ok,
                    contract_version=c.contract_version,
                    **_wire_findings(c.findings, c.omitted_findings),
                    counterexample=None
                    if c.counterexample is None
                    else WireCounterexample(
                        message=to_jsonable(c.counterexample.message),
                        reason=clip(c.counterexample.reason),
                        description=None
                        if c.counterexample.description is None
                        else clip(c.counterexample.description),
                    ),
                )
                for c in self.consumers
            ],
            notes=[clip(note) for note in self.notes] or None,
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON body of the report: `wire()` with its wire names."""
        body = wire_dict(self.wire())
        assert isinstance(body, dict)
        return body

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CheckReport:
        """Read back `to_dict()` output (e.g. a report the registry sent); `ok` is recomputed."""
        level = data.get("level")
        return cls(
            topic=str(data["topic"]),
            side="consumer" if data.get("side") == "consumer" else "producer",
            level=None
            if level is None
            else LevelVerdict(
                level=str(level["level"]),
                versions=tuple(int(v) for v in level.get("versions", [])),
                findings=tuple(finding_from_dict(f) for f in level.get("findings", [])),
                omitted_findings=int(level.get("moreFindings", 0)),
            ),
            consumers=tuple(
                ConsumerVerdict(
                    consumer=str(c["consumer"]),
                    findings=tuple(finding_from_dict(f) for f in c.get("findings", [])),
                    contract_version=c.get("contractVersion"),
                    counterexample=None
                    if c.get("counterexample") is None
                    else Counterexample(
                        c["counterexample"]["message"],
                        c["counterexample"]["reason"],
                        c["counterexample"].get("description"),
                    ),
                    omitted_findings=int(c.get("moreFindings", 0)),
                )
                for c in data.get("consumers", [])
            ),
            notes=tuple(str(note) for note in data.get("notes") or []),
        )


def clip(text: str, limit: int = MAX_MESSAGE_LENGTH) -> str:
    """A sentence cut to `limit` characters (it may quote a value from a schema or a message)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(findings: tuple[Finding, ...], omitted: int = 0) -> tuple[tuple[Finding, ...], int]:
    """The findings a rendering shows (at most MAX_FINDINGS_RENDERED) and how many it leaves out."""
    head = findings[:MAX_FINDINGS_RENDERED]
    return head, omitted + len(findings) - len(head)


def _wire_findings(findings: tuple[Finding, ...], omitted: int) -> dict[str, Any]:
    head, more = shown(findings, omitted)
    return {"findings": [wire_finding(f) for f in head], "more_findings": more}


def _example_text(found: Counterexample) -> str:
    if found.description is not None:
        return f"not built, {clip(found.description)}"
    return json.dumps(to_jsonable(found.message), sort_keys=True)


def _more(count: int) -> list[str]:
    return [f"      ... and {count} more finding{'s' if count != 1 else ''}"] if count else []


def wire_finding(finding: Finding) -> WireFinding:
    return WireFinding(
        kind=finding.kind,
        path=finding.pointer,
        message=clip(finding.message),
        keyword=finding.keyword,
        field=None if finding.field is None else clip(finding.field),
        reader_path=finding.reader_pointer,
        writer_path=finding.writer_pointer,
        version=finding.version,
    )


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    """A finding on the wire: every field, paths as RFC 6901 JSON pointers (root ""), absent
    optional fields left out."""
    body = wire_dict(wire_finding(finding))
    assert isinstance(body, dict)
    return body


def finding_from_dict(data: Mapping[str, Any]) -> Finding:
    """The inverse of `finding_to_dict` (paths come back as string tokens)."""

    def location(key: str) -> tuple[str | int, ...] | None:
        value = data.get(key)
        return None if value is None else parse_pointer(str(value))

    return Finding(
        kind=FindingKind(str(data["kind"])),
        path=parse_pointer(str(data["path"])),
        message=str(data["message"]),
        reader_path=location("readerPath"),
        writer_path=location("writerPath"),
        version=data.get("version"),
        keyword=data.get("keyword"),
        field=data.get("field"),
    )


def to_jsonable(value: object) -> Any:
    """A message as JSON can carry it: Avro bytes as Avro-JSON strings (one char per byte),
    decimals, dates and UUIDs as strings."""
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return value


# --- renderings -----------------------------------------------------------------------------


def _line(finding: Finding) -> str:
    """One finding for people, with every located detail it carries."""
    details = [
        f"{name} {value or '/'}"
        for name, value in (
            ("keyword", finding.keyword),
            ("field", finding.field),
            ("reader", finding.reader_pointer),
            ("writer", finding.writer_pointer),
            ("version", finding.version),
        )
        if value is not None
    ]
    more = f" ({', '.join(details)})" if details else ""
    return f"{finding.where} [{finding.kind}]: {finding.message}{more}"


_GREEN, _RED, _BOLD, _RESET = "\033[32m", "\033[31m", "\033[1m", "\033[0m"


def render_text(report: CheckReport, *, colour: bool = False) -> str:
    """A report for people; ANSI colour only when asked (the CLI asks on a terminal)."""

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if colour else text

    def mark(ok: bool) -> str:
        return paint("ok", _GREEN) if ok else paint("BROKEN", _RED)

    lines = [paint(report.summary(), _BOLD), ""]
    if report.level is not None:
        against = ", ".join(str(v) for v in report.level.versions) or "no live version"
        lines.append(
            f"  [{mark(report.level.ok)}] compatibility {report.level.level} (against: {against})"
        )
        head, more = shown(report.level.findings, report.level.omitted_findings)
        lines.extend(f"      - {clip(_line(f))}" for f in head)
        lines.extend(_more(more))
    if not report.consumers and report.side == "producer":
        lines.append("  no consumer contracts registered for this topic")
    for verdict in report.consumers:
        version = f" (contract v{verdict.contract_version})" if verdict.contract_version else ""
        lines.append(f"  [{mark(verdict.ok)}] consumer {verdict.consumer}{version}")
        head, more = shown(verdict.findings, verdict.omitted_findings)
        lines.extend(f"      - {clip(_line(f))}" for f in head)
        lines.extend(_more(more))
        if verdict.counterexample is not None:
            message = _example_text(verdict.counterexample)
            lines.append(f"      example message that breaks {verdict.consumer}: {message}")
            lines.append(f"      ({clip(verdict.counterexample.reason)})")
    lines.extend(f"  note: {clip(note)}" for note in report.notes)
    return "\n".join(lines) + "\n"


def render_json(report: CheckReport) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=False) + "\n"


def render_junit(report: CheckReport) -> str:
    """JUnit XML for CI: one testcase for the compatibility level and one per consumer; a failing
    case carries its findings (and the counterexample) so the CI page explains itself."""
    cases: list[ET.Element] = []
    classname = f"accord.{report.topic}"
    if report.level is not None:
        case = ET.Element(
            "testcase", {"classname": classname, "name": f"compatibility {report.level.level}"}
        )
        if not report.level.ok:
            _add_failure(case, report.level.findings, report.level.omitted_findings, None)
        cases.append(case)
    for verdict in report.consumers:
        case = ET.Element(
            "testcase", {"classname": classname, "name": f"consumer {verdict.consumer}"}
        )
        if not verdict.ok:
            _add_failure(case, verdict.findings, verdict.omitted_findings, verdict.counterexample)
        cases.append(case)
    failures = sum(1 for c in cases if c.find("failure") is not None)
    suite = ET.Element(
        "testsuite",
        {
            "name": f"accord check {report.topic}",
            "tests": str(len(cases)),
            "failures": str(failures),
            "errors": "0",
        },
    )
    suite.extend(cases)
    root = ET.Element(
        "testsuites", {"name": "accord", "tests": str(len(cases)), "failures": str(failures)}
    )
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _add_failure(
    case: ET.Element,
    findings: tuple[Finding, ...],
    omitted: int,
    counterexample: Counterexample | None,
) -> None:
    first = findings[0] if findings else None
    failure = ET.SubElement(
        case,
        "failure",
        {
            "message": clip(first.message) if first else "check failed",
            "type": first.kind if first else "BROKEN",
        },
    )
    head, more = shown(findings, omitted)
    body = [clip(_line(f)) for f in head]
    if more:
        body.append(f"... and {more} more finding{'s' if more != 1 else ''}")
    if counterexample is not None:
        message = _example_text(counterexample)
        body.append(f"example message: {message} ({clip(counterexample.reason)})")
    failure.text = "\n".join(body)


def render(report: CheckReport, report_format: ReportFormat, *, colour: bool = False) -> str:
    if report_format == "json":
        return render_json(report)
    if report_format == "junit":
        return render_junit(report)
    return render_text(report, colour=colour)
