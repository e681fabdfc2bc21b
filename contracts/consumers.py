"""Consumer contracts and the check of a producer schema against them (the registry and CLI share it)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from threading import Lock

from contracts.compatibility import (
    CompatibilityLevel,
    VersionedSchema,
    check_compatibility,
    check_pair,
)
from contracts.counterexamples import find_counterexample
from contracts.fields import FieldPath, field_paths, index_of
from contracts.findings import CompatibilityResult, Finding, FindingKind
from contracts.formats import CompatibilityPolicy, ParsedSchema, SchemaType
from contracts.report import CheckReport, ConsumerVerdict, Counterexample, LevelVerdict, Side


class ContractScope(StrEnum):
    """The producer versions a consumer contract must read: every live version (a message of any
    of them may still be in a backlog, replayed by seek, or sent by a producer pinned to it), or
    only the latest (for topics whose old messages are known to be gone)."""

    ALL_LIVE = "ALL_LIVE"
    LATEST = "LATEST"


class VerdictCache:
    """Bounded memo of (reader, writer, policy) -> the engine's verdict and counterexample. Both
    depend on the two schemas' fingerprints and the policy alone, so a contract checked against
    many versions (and many contracts against one version) decides each pair once. The least
    recently used pair is dropped beyond `capacity`; safe across threads."""

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[
            tuple[str, str, str], tuple[CompatibilityResult, Counterexample | None]
        ] = OrderedDict()
        self._lock = Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def verdict(
        self, reader: ParsedSchema, writer: ParsedSchema, policy: CompatibilityPolicy
    ) -> tuple[CompatibilityResult, Counterexample | None]:
        key = (reader.fingerprint, writer.fingerprint, policy.value)
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return found
        result = check_pair(reader, writer, policy=policy)
        counterexample = None if result.compatible else find_counterexample(writer, reader)
        with self._lock:
            self.misses += 1
            self._entries[key] = (result, counterexample)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
        return result, counterexample


# The process-wide memo the registry and the CLI share (each pair's verdict never changes).
VERDICTS = VerdictCache()


@dataclass(frozen=True, slots=True)
class ConsumerContract:
    """What one consumer team relies on in a topic's messages.

    Avro topic: the reader schema the team decodes with. JSON topic: a JSON Schema of what it reads
    (usually a few properties with types, in an open model). `examples` are messages from the
    team's own tests; `version` counts the contract's registered revisions.
    """

    consumer: str
    schema: ParsedSchema
    examples: tuple[object, ...] = ()
    version: int | None = None


def check_producer_schema(
    topic: str,
    proposed: ParsedSchema,
    *,
    live: Sequence[VersionedSchema],
    level: CompatibilityLevel,
    contracts: Iterable[ConsumerContract],
    policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    cache: VerdictCache | None = None,
) -> CheckReport:
    """Would this producer schema be accepted on `topic`, and by whom not? The one decision:
    the registry refuses registrations from it, renders it for `/check` and answers Confluent's
    `/compatibility` from it, and `accord check` shows it; nothing else composes these checks.

    1. the topic's compatibility level against `live` (the versions it may compare with); 2. every consumer contract
    (every message the schema allows satisfies it) — under every level, NONE included; 3. the
    consumers' examples are valid under the schema. Under NONE, contracts alone decide: removing
    a field that no contract reads is accepted.
    """
    level_result = check_compatibility(proposed, live, level, policy=policy)
    ordered = sorted((v.version for v in live), reverse=True)
    checked = (
        ()
        if level is CompatibilityLevel.NONE
        else tuple(ordered if level.transitive else ordered[:1])
    )
    previous = max(live, key=lambda v: v.version).schema if live else None
    verdicts = tuple(
        judge_contract(
            contract, proposed, previous=previous, side="producer", policy=policy, cache=cache
        )
        for contract in sorted(contracts, key=lambda c: c.consumer)
    )
    return CheckReport(
        topic=topic,
        side="producer",
        level=LevelVerdict(level=level.value, versions=checked, findings=level_result.findings),
        consumers=verdicts,
    )


def check_consumer_contract(
    topic: str,
    contract: ConsumerContract,
    producers: Sequence[VersionedSchema],
    *,
    policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    cache: VerdictCache | None = None,
) -> CheckReport:
    """Does every producer version the consumer may receive satisfy a (new) contract? A consumer
    cannot rely on what is not sent, by any of them: `producers` are the versions in the
    contract's scope (see `ContractScope`), and each finding names the version it fails on. With
    no producer schema yet there is nothing to contradict: ok."""
    findings: list[Finding] = []
    counterexample = None
    for producer in sorted(producers, key=lambda v: v.version):
        verdict = judge_contract(
            contract, producer.schema, previous=None, side="consumer", policy=policy, cache=cache
        )
        findings.extend(f.with_version(producer.version) for f in verdict.findings)
        counterexample = counterexample or verdict.counterexample
    verdict = ConsumerVerdict(
        contract.consumer,
        findings=tuple(findings),
        contract_version=contract.version,
        counterexample=counterexample,
    )
    return CheckReport(topic=topic, side="consumer", level=None, consumers=(verdict,))


def judge_contract(
    contract: ConsumerContract,
    producer: ParsedSchema,
    *,
    previous: ParsedSchema | None,
    side: Side,
    policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    cache: VerdictCache | None = None,
) -> ConsumerVerdict:
    """One contract against one producer schema: findings in the consumer's words, examples, and
    for a broken contract a verified counterexample message (the pair's verdict memoised)."""
    result, counterexample = (VERDICTS if cache is None else cache).verdict(
        contract.schema, producer, policy
    )
    findings = _explain(result.findings, contract, producer, previous, side)
    for number, example in enumerate(contract.examples, start=1):
        findings.extend(
            Finding(
                kind=FindingKind.EXAMPLE_INVALID,
                path=problem.path,
                keyword=problem.keyword,
                field=problem.field,
                message=(
                    f"{contract.consumer}'s example message #{number} is not valid under "
                    f"{'this version' if side == 'producer' else 'the current producer schema'}: "
                    f"{problem.message}"
                ),
            )
            for problem in producer.validate(example)
        )
    return ConsumerVerdict(
        consumer=contract.consumer,
        findings=tuple(findings),
        contract_version=contract.version,
        counterexample=counterexample,
    )


def invalid_examples(contract: ConsumerContract) -> list[Finding]:
    """JSON topics: examples the contract itself rejects (an open model must accept its own
    examples). Avro contracts are reader schemas, and examples are messages as producers write
    them (with fields the reader skips), so they are checked against producer schemas only."""
    if contract.schema.schema_type is not SchemaType.JSON:
        return []
    return [
        Finding(
            kind=FindingKind.EXAMPLE_INVALID,
            path=problem.path,
            keyword=problem.keyword,
            field=problem.field,
            message=f"example message #{number} is not valid under the contract: {problem.message}",
        )
        for number, example in enumerate(contract.examples, start=1)
        for problem in contract.schema.validate(example)
    ]


def field_readers(
    schema: ParsedSchema, contracts: Iterable[ConsumerContract]
) -> list[tuple[FieldPath, list[str]]]:
    """Every field path of a producer schema with the consumers whose contracts read it."""
    reads = [(c.consumer, index_of(c.schema).by_path) for c in contracts]
    return [
        (field, sorted(consumer for consumer, paths in reads if field.path in paths))
        for field in field_paths(schema)
    ]


def _article(type_name: str) -> str:
    if type_name.startswith(("optional", "anything", "nothing", "one of", "the constant")):
        return type_name
    return ("an " if type_name[:1] in "aeiou" else "a ") + type_name


def _explain(
    findings: Sequence[Finding],
    contract: ConsumerContract,
    producer: ParsedSchema,
    previous: ParsedSchema | None,
    side: Side,
) -> list[Finding]:
    """Rewrite engine findings as sentences naming the consumer, the field and what changed."""
    if not findings:
        return []
    # Each index is built once per schema (memoised): the loop below is linear in findings.
    contract_fields = index_of(contract.schema)
    reads = contract_fields.by_path
    sends = index_of(producer).by_path
    sent_before = index_of(previous).by_path if previous is not None else {}
    subject = "this version" if side == "producer" else "the current producer schema"
    explained: list[Finding] = []
    seen: set[str] = set()
    for finding in findings:
        field = contract_fields.locate(finding.reader_path) or contract_fields.locate(finding.path)
        if field is None and finding.writer_path:
            located = index_of(producer).locate(finding.writer_path)
            field = located if located in reads else None
        if finding.field is not None:
            # A finding on an object's `required` list (or one naming a property) locates the
            # object; the property it concerns is its `field`.
            child = f"{field}.{finding.field}" if field else finding.field
            field = child if child in reads else field
        if field is None or field not in reads:
            sentence = f"{contract.consumer}'s contract cannot read {subject}: {finding.message}"
        else:
            read = reads[field]
            who = f"{contract.consumer} reads {field} as {_article(read.type)}"
            sent = sends.get(field)
            if sent is None:
                if side == "producer" and field in sent_before:
                    change = "this version removes it"
                else:
                    change = f"{subject} does not send it"
            elif sent.type != read.type:
                change = f"{subject} sends it as {_article(sent.type)}"
            elif read.required and not sent.required:
                change = f"{subject} may leave it out"
            else:
                change = f"{subject} breaks it: {finding.message}"
            sentence = f"{who}; {change}"
        if sentence in seen:
            continue
        seen.add(sentence)
        explained.append(
            Finding(
                kind=finding.kind,
                path=finding.path,
                message=sentence,
                reader_path=finding.reader_path,
                writer_path=finding.writer_path,
                keyword=finding.keyword,
                field=finding.field,
            )
        )
    return explained
