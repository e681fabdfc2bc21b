"""`accord check --manifest FILE`: a repository's topics, schemas and contracts, checked in one run."""

from __future__ import annotations

import argparse
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO
from xml.etree import ElementTree as ET

from clients.cli import EXIT_BREAKING, EXIT_OK
from clients.cli._common import (
    UsageError,
    emit,
    parse_file,
    read_json,
    read_text,
    registry,
    schema_type_of,
    settle_type,
    use_colour,
)
from clients.cli.contract import producers_in_scope
from contracts.consumers import ConsumerContract, check_consumer_contract
from contracts.report import CheckReport, render


@dataclass(frozen=True)
class ContractEntry:
    consumer: str
    file: str
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class TopicEntry:
    name: str
    schema: str | None
    type: str | None
    contracts: tuple[ContractEntry, ...] = field(default=())


def load_manifest(path: str) -> list[TopicEntry]:
    """The manifest's topics; every problem is a UsageError naming the file and the entry."""
    try:
        document = tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path} is not TOML: {exc}") from None
    base = Path(path).parent
    topics = document.get("topic")
    if not isinstance(topics, list) or not topics:
        raise UsageError(f"{path}: declare at least one [[topic]]")
    unknown = set(document) - {"topic"}
    if unknown:
        raise UsageError(f"{path}: unknown key {sorted(unknown)[0]!r} (only [[topic]] tables)")
    found: list[TopicEntry] = []
    for index, entry in enumerate(topics, 1):
        where = f"{path}: topic {index}"
        name = _need(entry, "name", where)
        where = f"{path}: topic {name!r}"
        extra = set(entry) - {"name", "schema", "type", "contract"}
        if extra:
            raise UsageError(f"{where}: unknown key {sorted(extra)[0]!r}")
        kind = _string(entry, "type", where)
        if kind is not None and kind not in ("avro", "json"):
            raise UsageError(f"{where}: type must be 'avro' or 'json', not {kind!r}")
        schema = _string(entry, "schema", where)
        contracts = entry.get("contract", [])
        if not isinstance(contracts, list):
            raise UsageError(f"{where}: 'contract' must be [[topic.contract]] tables")
        entries = []
        for c in contracts:
            consumer = _need(c, "consumer", f"{where} contract")
            cwhere = f"{where} contract of {consumer!r}"
            file = _need(c, "file", cwhere)
            examples = c.get("examples", [])
            if not isinstance(examples, list) or not all(isinstance(e, str) for e in examples):
                raise UsageError(f"{cwhere}: 'examples' must be a list of file names")
            entries.append(
                ContractEntry(consumer, str(base / file), tuple(str(base / e) for e in examples))
            )
        if schema is None and not entries:
            raise UsageError(f"{where}: give a schema, a [[topic.contract]], or both")
        found.append(TopicEntry(name, str(base / schema) if schema else None, kind, tuple(entries)))
    return found


def _need(entry: Any, key: str, where: str) -> str:
    value = _string(entry, key, where, required=True)
    assert value is not None
    return value


def _string(entry: Any, key: str, where: str, *, required: bool = False) -> str | None:
    if not isinstance(entry, dict):
        raise UsageError(f"{where}: must be a table")
    value = entry.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise UsageError(f"{where}: {key!r} must be a non-empty string")
    return value


def check_manifest(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    topics = load_manifest(args.manifest)
    # Every file is read and parsed before the first call: a bad one is reported at once.
    loaded = []
    for topic in topics:
        producer = None
        if topic.schema:
            text = read_text(topic.schema)
            kind = schema_type_of(topic.schema, topic.type, text)
            parse_file(kind, text, topic.schema)
            producer = (topic.schema, text, kind)
        contracts = []
        for c in topic.contracts:
            ctext = read_text(c.file)
            ckind = schema_type_of(c.file, topic.type, ctext)
            examples = tuple(read_json(e) for e in c.examples)
            contracts.append(
                ConsumerContract(c.consumer, parse_file(ckind, ctext, c.file), examples)
            )
        loaded.append((topic, producer, contracts))
    reports: list[CheckReport] = []
    with registry(args) as client:
        for topic, producer, contracts in loaded:
            if producer is not None:
                path, text, kind = producer
                step = argparse.Namespace(type=topic.type, file=path, topic=topic.name)
                kind = settle_type(step, client, kind, text)
                reports.append(client.check_schema(topic.name, text, kind))
            current = producers_in_scope(client, topic.name) if contracts else ()
            reports.extend(check_consumer_contract(topic.name, c, current) for c in contracts)
    emit(args, out, combined(reports, args.format, colour=use_colour(args, out)))
    broken = [r for r in reports if not r.ok]
    if args.output or broken:
        summary = f"{len(reports) - len(broken)} of {len(reports)} checks passed"
        out.write(f"{summary}\n") if args.output else err.write(f"accord: {summary}\n")
    return EXIT_BREAKING if broken else EXIT_OK


def combined(reports: list[CheckReport], fmt: str, *, colour: bool) -> str:
    """One report of every check: text in order, one JSON document, one JUnit file with a
    testsuite per topic."""
    if fmt == "json":
        data = {"ok": all(r.ok for r in reports), "reports": [r.to_dict() for r in reports]}
        return json.dumps(data, indent=2) + "\n"
    if fmt == "junit":
        root = ET.Element("testsuites", name="accord")
        suites: dict[str, ET.Element] = {}
        for report in reports:
            rendered = ET.fromstring(render(report, "junit"))  # noqa: S314 - our own render
            for case in rendered.iter("testcase"):
                suite = suites.get(report.topic)
                if suite is None:
                    suite = suites[report.topic] = ET.SubElement(
                        root, "testsuite", name=report.topic
                    )
                suite.append(case)
        for element in [root, *suites.values()]:
            cases = list(element.iter("testcase"))
            element.set("tests", str(len(cases)))
            element.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
            element.set("errors", "0")
        return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
    return "\n".join(render(r, "text", colour=colour).rstrip("\n") for r in reports) + "\n"
