"""Consumer contracts and the check of a producer schema against them (the registry and CLI share it)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from contracts.compatibility import (
    CompatibilityLevel,
    VersionedSchema,
    check_compatibility,
    check_pair,
)
from contracts.counterexamples import find_counterexample
from contracts.fields import FieldPath, field_paths, index_of
from contracts.findings import Finding, FindingKind
from contracts.formats import CompatibilityPolicy, ParsedSchema, SchemaType
from contracts.report import CheckReport, ConsumerVerdict, LevelVerdict, Side


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
        judge_contract(contract, proposed, previous=previous, side="producer", policy=policy)
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
    current: ParsedSchema | None,
    *,
    policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
) -> CheckReport:
    """Does the topic's current producer schema satisfy a (new) contract? A consumer cannot rely
    on what is not sent. With no producer schema yet there is nothing to contradict: ok."""
    if current is None:
        verdict = ConsumerVerdict(contract.consumer, contract_version=contract.version)
    else:
        verdict = judge_contract(contract, current, previous=None, side="consumer", policy=policy)
    return CheckReport(topic=topic, side="consumer", level=None, consumers=(verdict,))


def judge_contract(
    contract: ConsumerContract,
    producer: ParsedSchema,
    *,
    previous: ParsedSchema | None,
    side: Side,
    policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
) -> ConsumerVerdict:
    """One contract against one producer schema: findings in the consumer's words, examples, and
    for a broken contract a verified counterexample message."""
    result = check_pair(contract.schema, producer, policy=policy)
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
    counterexample = None if result.compatible else find_counterexample(producer, contract.schema)
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
