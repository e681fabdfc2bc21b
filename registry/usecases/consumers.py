"""Consumer contracts: register, read, delete, check, and their enforcement at registration."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from contracts import InvalidSchema, ParsedSchema, parse_schema
from contracts.consumers import (
    ConsumerContract,
    check_consumer_contract,
    check_producer_schema,
    field_readers,
    invalid_examples,
    judge_contract,
)
from contracts.fields import FieldPath
from contracts.report import CheckReport
from registry import names
from registry.auth import require_consumer
from registry.context import RegistryContext
from registry.contract_tables import ConsumerContractRow
from registry.errors import (
    CompatibilityRefusal,
    ContractNotFound,
    StoreError,
    SubjectNotFound,
    UnprocessableSchema,
)
from registry.principal import Principal
from registry.tables import SubjectRow
from registry.usecases import audit, queries
from registry.usecases.model import ProposedVersion


class ContractRefused(CompatibilityRefusal):
    """A refusal that carries the check report; the error body adds it as `report`."""

    def __init__(self, message: str, report: CheckReport, *, error_code: int = 409) -> None:
        super().__init__(message, error_code=error_code)
        self.report = report
        self.details: dict[str, Any] = {"report": report.to_dict()}


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


def _parsed_contract(row: ConsumerContractRow) -> ConsumerContract:
    try:
        schema = parse_schema(row.schema_type, row.schema_text)
    except (InvalidSchema, RecursionError) as exc:
        raise StoreError(
            f"The stored contract of '{row.consumer}' on '{row.subject}' can no longer be parsed: "
            f"{exc}"
        ) from exc
    return ConsumerContract(
        consumer=row.consumer,
        schema=schema,
        examples=tuple(json.loads(row.examples)),
        version=row.version,
    )


def _current_rows(session: Session, subject: str) -> list[ConsumerContractRow]:
    """The current (newest, not deleted) contract row of every consumer of `subject`."""
    rows = session.exec(
        select(ConsumerContractRow)
        .where(ConsumerContractRow.subject == subject)
        .order_by(col(ConsumerContractRow.consumer), col(ConsumerContractRow.version))
    ).all()
    latest: dict[str, ConsumerContractRow] = {}
    for row in rows:
        latest[row.consumer] = row
    return [row for row in latest.values() if not row.deleted]


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

    Refused (409, with the report) when the topic's current producer schema does not satisfy it:
    a consumer cannot rely on what is not sent. The same contract again returns its version.
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

    def transaction(session: Session) -> StoredContract:
        current = _current_row(session, subject, consumer)
        if (
            current is not None
            and current.schema_type == parsed.schema_type.value
            and parse_schema(current.schema_type, current.schema_text).fingerprint
            == parsed.fingerprint
            and json.dumps(json.loads(current.examples), sort_keys=True) == examples_text
        ):
            return _stored(current)
        report = check_consumer_contract(
            subject, contract, _current_producer(ctx, session, subject)
        )
        if not report.ok:
            raise ContractRefused(
                f"The contract of '{consumer}' on subject '{subject}' is not satisfied by the "
                f"current producer schema: {_reasons(report)}",
                report,
                error_code=ctx.settings.incompatible_error_code,
            )
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

    return ctx.db.write(transaction)


def get_contract(ctx: RegistryContext, subject: str, consumer: str) -> StoredContract:
    def query(session: Session) -> StoredContract:
        row = _current_row(session, subject, consumer)
        if row is None:
            raise ContractNotFound(subject, consumer)
        return _stored(row)

    return ctx.db.read(query)


def list_contracts(ctx: RegistryContext, subject: str) -> list[StoredContract]:
    return ctx.db.read(lambda session: [_stored(r) for r in _current_rows(session, subject)])


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


def check_producer(
    ctx: RegistryContext, subject: str, schema_type: str | None, schema_text: str | None
) -> CheckReport:
    """Would this producer schema be accepted on `subject`, and by whom not? Stores nothing."""
    parsed = queries.parse_proposed(schema_type, schema_text)

    def query(session: Session) -> CheckReport:
        live = queries.live(queries.versions_of(ctx, session, subject, fresh=True))
        config = queries.effective_config(ctx, session, session.get(SubjectRow, subject))
        return check_producer_schema(
            subject,
            parsed,
            live=queries.versioned(ctx, live),
            level=config.level,
            contracts=[_parsed_contract(r) for r in _current_rows(session, subject)],
            policy=config.policy,
        )

    return ctx.db.read(query)


def topic_fields(ctx: RegistryContext, subject: str) -> list[tuple[FieldPath, list[str]]]:
    """Every field path of the latest schema with the consumers whose contracts read it."""

    def query(session: Session) -> list[tuple[FieldPath, list[str]]]:
        producer = _current_producer(ctx, session, subject)
        if producer is None:
            raise SubjectNotFound(subject)
        contracts = [_parsed_contract(r) for r in _current_rows(session, subject)]
        return field_readers(producer, contracts)

    return ctx.db.read(query)


def contract_rule(proposal: ProposedVersion) -> None:
    """Registration check: refuse a producer version that breaks a registered contract — under
    every compatibility level, NONE included (runs in the registration's transaction)."""
    rows = _current_rows(proposal.session, proposal.subject)
    if not rows:
        return
    previous = proposal.live_versions[-1].schema if proposal.live_versions else None
    verdicts = tuple(
        judge_contract(
            _parsed_contract(row),
            proposal.schema,
            previous=previous,
            side="producer",
            policy=proposal.config.policy,
        )
        for row in rows
    )
    if all(v.ok for v in verdicts):
        return
    report = CheckReport(topic=proposal.subject, side="producer", level=None, consumers=verdicts)
    raise ContractRefused(
        f'Schema being registered breaks consumer contracts of subject "{proposal.subject}" '
        f"(compatibility {proposal.config.level.value}): {_reasons(report)}",
        report,
        error_code=proposal.incompatible_error_code,
    )


def _reasons(report: CheckReport) -> str:
    """`marketing (email: marketing reads email as a string; this version removes it)`."""
    parts = []
    for verdict in report.consumers:
        if verdict.ok:
            continue
        parts.append(f"{verdict.consumer} ({'; '.join(f.message for f in verdict.findings)})")
    return ", ".join(parts)
