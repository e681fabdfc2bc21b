"""Consumer contracts: register, read, delete, check, and their enforcement at registration."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from contracts import ParsedSchema, parse_schema
from contracts.consumers import (
    ConsumerContract,
    ContractScope,
    check_consumer_contract,
    field_readers,
    invalid_examples,
    judge_contract,
)
from contracts.fields import FieldPath
from registry import names
from registry.auth import require_consumer
from registry.context import RegistryContext
from registry.contract_tables import ConsumerContractRow
from registry.errors import (
    ContractNotFound,
    ContractRefused,
    SubjectNotFound,
    UnprocessableSchema,
)
from registry.principal import Principal
from registry.tables import SubjectRow
from registry.usecases import audit, queries
from registry.usecases.compatibility import DECISION_ATTEMPTS, SnapshotMoved, reasons
from registry.usecases.model import SubjectVersion


@dataclass(frozen=True, slots=True)
class StoredContract:
    subject: str
    consumer: str
    version: int
    schema_type: str
    text: str
    examples: tuple[object, ...]


def _stored(row: ConsumerContractRow) -> StoredContract:
    return StoredContract(
        subject=row.subject,
        consumer=row.consumer,
        version=row.version,
        schema_type=row.schema_type,
        text=row.schema_text,
        examples=tuple(json.loads(row.examples)),
    )


def _current_row(session: Session, subject: str, consumer: str) -> ConsumerContractRow | None:
    row = session.exec(
        select(ConsumerContractRow)
        .where(ConsumerContractRow.subject == subject, ConsumerContractRow.consumer == consumer)
        .order_by(col(ConsumerContractRow.version).desc())
    ).first()
    return None if row is None or row.deleted else row


def _current_producer(ctx: RegistryContext, session: Session, subject: str) -> ParsedSchema | None:
    live = queries.live(queries.versions_of(ctx, session, subject, fresh=True))
    return queries.parsed_stored(ctx, live[-1].schema) if live else None


def put_contract(
    ctx: RegistryContext,
    principal: Principal,
    subject: str,
    consumer: str,
    *,
    schema_type: str | None,
    schema_text: str | None,
    examples: Sequence[object] | None,
) -> StoredContract:
    """Register a new version of `consumer`'s contract on `subject`, in one transaction.

    Refused (409, with the report) when a producer version in the topic's contract scope does
    not satisfy it — every live version by default (`contractScope` ALL_LIVE), since a message
    of any of them may still arrive; only the latest under LATEST. A consumer cannot rely on what
    is not sent. The same contract again returns its version.
    """
    subject = queries.validate_subject(ctx, subject)
    consumer = names.consumer(consumer)
    require_consumer(principal, subject, consumer, "register or change")
    parsed = queries.parse_proposed(schema_type, schema_text)
    contract = ConsumerContract(consumer, parsed, tuple(examples or ()))
    problems = invalid_examples(contract)
    if problems:
        raise UnprocessableSchema(
            "Invalid contract examples: " + "; ".join(f"{p.where}: {p.message}" for p in problems)
        )
    examples_text = json.dumps(list(contract.examples), sort_keys=True)

    def unchanged(current: ConsumerContractRow | None) -> bool:
        return (
            current is not None
            and current.schema_type == parsed.schema_type.value
            and parse_schema(current.schema_type, current.schema_text).fingerprint
            == parsed.fingerprint
            and json.dumps(json.loads(current.examples), sort_keys=True) == examples_text
        )

    def producers_of(session: Session) -> tuple[SubjectVersion, ...]:
        producers = producers_in_scope(ctx, session, subject)
        if not producers:
            # A contract on a topic with no live version protects nothing (often a typo) and
            # would block the producer's first version: refused, 404 with a "did you mean".
            raise queries.missing_topic(session, subject)
        return producers

    def refuse_unless_satisfied(producers: tuple[SubjectVersion, ...]) -> None:
        report = check_consumer_contract(subject, contract, queries.versioned(ctx, producers))
        if not report.ok:
            failing = {f.version for v in report.consumers for f in v.findings}
            which = ", ".join(str(v) for v in sorted(v for v in failing if v is not None))
            raise ContractRefused(
                f"The contract of '{consumer}' on subject '{subject}' is not satisfied by "
                f"producer version(s) {which}: {reasons(report)}",
                report,
                error_code=ctx.settings.incompatible_error_code,
            )

    def snapshot(
        session: Session,
    ) -> tuple[StoredContract | None, tuple[SubjectVersion, ...]]:
        current = _current_row(session, subject, consumer)
        return (_stored(current) if current is not None and unchanged(current) else None), (
            producers_of(session)
        )

    def transaction(
        session: Session, checked: tuple[SubjectVersion, ...], under_lock: bool
    ) -> StoredContract:
        current = _current_row(session, subject, consumer)
        if current is not None and unchanged(current):
            return _stored(current)
        producers = producers_of(session)
        if under_lock:
            refuse_unless_satisfied(producers)
        elif _identity(producers) != _identity(checked):
            raise SnapshotMoved(subject)
        highest = session.exec(
            select(func.max(ConsumerContractRow.version)).where(
                ConsumerContractRow.subject == subject, ConsumerContractRow.consumer == consumer
            )
        ).one()
        row = ConsumerContractRow(
            subject=subject,
            consumer=consumer,
            version=(highest or 0) + 1,
            schema_type=parsed.schema_type.value,
            schema_text=parsed.text,
            examples=examples_text,
        )
        session.add(row)
        session.flush()
        audit.record(
            session,
            principal,
            "put_contract",
            subject=subject,
            target=consumer,
            before={"version": current.version} if current is not None else None,
            after={"version": row.version, "schemaType": row.schema_type},
        )
        return _stored(row)

    # The check runs on a snapshot outside the write; the write only re-verifies that the
    # producer versions checked are still the ones in scope (see registry.usecases.compatibility).
    for attempt in range(DECISION_ATTEMPTS):
        under_lock = attempt == DECISION_ATTEMPTS - 1
        checked: tuple[SubjectVersion, ...] = ()
        if not under_lock:
            same, checked = ctx.db.read(snapshot, before_write=True)
            if same is not None:
                return same
            refuse_unless_satisfied(checked)
        try:
            return ctx.db.write(
                lambda session: transaction(session, checked, under_lock)  # noqa: B023 - called at once
            )
        except SnapshotMoved:
            continue
    raise AssertionError("unreachable: the last attempt decides under the lock")


def _identity(versions: tuple[SubjectVersion, ...]) -> tuple[tuple[int, int], ...]:
    return tuple((v.version, v.schema.id) for v in versions)


def producers_in_scope(
    ctx: RegistryContext, session: Session, subject: str
) -> tuple[SubjectVersion, ...]:
    """The live producer versions a contract on `subject` must read, by its `contractScope`."""
    live = queries.live(queries.versions_of(ctx, session, subject, fresh=True))
    row = session.get(SubjectRow, subject)
    scope = ContractScope(row.contract_scope) if row and row.contract_scope else None
    return live[-1:] if scope is ContractScope.LATEST else live


def get_contract(ctx: RegistryContext, subject: str, consumer: str) -> StoredContract:
    def query(session: Session) -> StoredContract:
        row = _current_row(session, subject, consumer)
        if row is None:
            raise ContractNotFound(subject, consumer)
        return _stored(row)

    return ctx.db.read(query)


def list_contracts(ctx: RegistryContext, subject: str) -> list[StoredContract]:
    return ctx.db.read(
        lambda session: [_stored(r) for r in queries.current_contract_rows(session, subject)]
    )


def contracts_of_consumer(ctx: RegistryContext, consumer: str) -> list[StoredContract]:
    """Every topic a team reads: its current contract on each."""

    def query(session: Session) -> list[StoredContract]:
        rows = session.exec(
            select(ConsumerContractRow)
            .where(ConsumerContractRow.consumer == consumer)
            .order_by(col(ConsumerContractRow.subject), col(ConsumerContractRow.version))
        ).all()
        latest: dict[str, ConsumerContractRow] = {}
        for row in rows:
            latest[row.subject] = row
        return [_stored(r) for r in latest.values() if not r.deleted]

    return ctx.db.read(query)


def delete_contract(
    ctx: RegistryContext, principal: Principal, subject: str, consumer: str
) -> list[int]:
    """Withdraw a contract; its versions are kept (marked deleted). Returns those versions."""
    require_consumer(principal, subject, consumer, "delete")

    def transaction(session: Session) -> list[int]:
        if _current_row(session, subject, consumer) is None:
            raise ContractNotFound(subject, consumer)
        rows = session.exec(
            select(ConsumerContractRow).where(
                ConsumerContractRow.subject == subject,
                ConsumerContractRow.consumer == consumer,
                col(ConsumerContractRow.deleted).is_(False),
            )
        ).all()
        for row in rows:
            row.deleted = True
            session.add(row)
        withdrawn = sorted(r.version for r in rows)
        audit.record(
            session,
            principal,
            "delete_contract",
            subject=subject,
            target=consumer,
            before={"versions": withdrawn},
            after={"versions": [], "deleted": withdrawn},
        )
        return withdrawn

    return ctx.db.write(transaction)


def topic_fields(ctx: RegistryContext, subject: str) -> list[tuple[FieldPath, list[str]]]:
    """Every field path of the latest schema with the consumers whose contracts read it."""

    def query(session: Session) -> list[tuple[FieldPath, list[str]]]:
        producer = _current_producer(ctx, session, subject)
        if producer is None:
            raise SubjectNotFound(subject)
        contracts = [
            queries.parsed_contract(r) for r in queries.current_contract_rows(session, subject)
        ]
        return field_readers(producer, contracts)

    return ctx.db.read(query)


@dataclass(frozen=True, slots=True)
class MatrixCell:
    """One live producer version against one consumer's current contract."""

    version: int
    consumer: str
    contract_version: int
    # (finding kind, field) of each failing finding; empty when the contract reads the version.
    problems: tuple[tuple[str, str | None], ...]


def contract_matrix(ctx: RegistryContext, subject: str) -> list[MatrixCell]:
    """Every live producer version x every consumer's current contract, with its verdict (pairs
    memoised by fingerprint): the table a team reads before a release. 404 on no live version."""

    def query(session: Session) -> tuple[tuple[SubjectVersion, ...], list[ConsumerContractRow]]:
        live = queries.live(queries.versions_of(ctx, session, subject, fresh=True))
        if not live:
            raise queries.missing_topic(session, subject)
        return live, queries.current_contract_rows(session, subject)

    live, rows = ctx.db.read(query)
    policy = ctx.db.read(
        lambda session: queries.effective_config(ctx, session, session.get(SubjectRow, subject))
    ).policy
    cells = []
    for producer in queries.versioned(ctx, live):
        for row in rows:
            verdict = judge_contract(
                queries.parsed_contract(row),
                producer.schema,
                previous=None,
                side="producer",
                policy=policy,
            )
            problems = tuple((f.kind.value, f.field or f.pointer or None) for f in verdict.findings)
            cells.append(MatrixCell(producer.version, row.consumer, row.version, problems))
    return cells
