"""Would this version be accepted? The registry's one decision, taken on a snapshot of the topic."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlmodel import Session

from contracts import ParsedSchema
from contracts.consumers import check_producer_schema
from contracts.report import CheckReport
from registry.context import RegistryContext
from registry.contract_tables import ConsumerContractRow
from registry.errors import (
    CompatibilityRefusal,
    ContractRefused,
    VersionNotFound,
)
from registry.principal import Principal
from registry.pubsub.forecast import forecast_in
from registry.tables import SubjectRow
from registry.usecases import queries
from registry.usecases.model import EffectiveConfig, ProposedVersion, SubjectVersion
from registry.usecases.read import LATEST

# Live versions as (version, schema id), current contracts as (consumer, contract version), and
# the level and policy: everything a decision depends on, by identity only.
SnapshotKey = tuple[tuple[tuple[int, int], ...], tuple[tuple[str, int], ...], str, str]

# A write decided on a snapshot that moved before its turn came decides again on a new snapshot;
# its last attempt decides under the lock instead, so that a writer on a topic that keeps moving
# still makes progress (each lost attempt means another writer of the topic committed).
DECISION_ATTEMPTS = 8


class SnapshotMoved(Exception):
    """Raised inside a write (rolling it back) whose decision was taken on a snapshot of `subject`
    that no longer holds; the use case decides again outside the transaction."""


@dataclass(frozen=True, slots=True)
class TopicSnapshot:
    """What a decision about a topic depends on, read in one transaction. Its `key` names that
    state by ids and revision numbers, so a writer re-verifies it under its lock without deciding
    again (every part of the key is immutable once written: a changed row has a new number)."""

    subject: str
    live: tuple[SubjectVersion, ...]
    contract_rows: tuple[ConsumerContractRow, ...]
    config: EffectiveConfig

    @property
    def key(self) -> SnapshotKey:
        return (
            tuple((v.version, v.schema.id) for v in self.live),
            tuple((row.consumer, row.version) for row in self.contract_rows),
            self.config.level.value,
            self.config.policy.value,
        )


def read_snapshot(
    ctx: RegistryContext,
    session: Session,
    subject: str,
    subject_row: SubjectRow | None,
    versions: tuple[SubjectVersion, ...],
) -> TopicSnapshot:
    """The topic's live versions, current contracts and effective configuration (cheap: no
    parsing), inside the caller's transaction."""
    return TopicSnapshot(
        subject=subject,
        live=queries.live(versions),
        contract_rows=tuple(queries.current_contract_rows(session, subject)),
        config=queries.effective_config(ctx, session, subject_row),
    )


def snapshot_of(ctx: RegistryContext, session: Session, subject: str) -> TopicSnapshot:
    return read_snapshot(
        ctx,
        session,
        subject,
        session.get(SubjectRow, subject),
        queries.versions_of(ctx, session, subject, fresh=True),
    )


def propose(
    ctx: RegistryContext,
    principal: Principal,
    schema: ParsedSchema,
    snapshot: TopicSnapshot,
    *,
    against: tuple[SubjectVersion, ...] | None = None,
) -> ProposedVersion:
    """The proposal the decision judges; `against` narrows the versions the level compares with
    (Confluent's `/compatibility/.../versions/{v}`). Parses stored texts: call it outside writes."""
    return ProposedVersion(
        principal=principal,
        subject=snapshot.subject,
        schema=schema,
        live_versions=queries.versioned(ctx, snapshot.live if against is None else against),
        contracts=tuple(queries.parsed_contract(row) for row in snapshot.contract_rows),
        config=snapshot.config,
        incompatible_error_code=ctx.settings.incompatible_error_code,
    )


def decide(proposal: ProposedVersion) -> CheckReport:
    """The one decision: the topic's level against its live versions and every consumer contract
    (under every level, NONE included). Registration raises from it (`refuse_unless_accepted`),
    `/subjects/{t}/check` renders it, `/compatibility` answers from it."""
    return check_producer_schema(
        proposal.subject,
        proposal.schema,
        live=proposal.live_versions,
        level=proposal.config.level,
        contracts=proposal.contracts,
        policy=proposal.config.policy,
    )


def refuse_unless_accepted(proposal: ProposedVersion) -> None:
    """The registration check built on `decide`: a refusal names the broken teams and fields
    first (409 with the report) and otherwise the level's findings, as Confluent words them."""
    report = decide(proposal)
    if not report.ok:
        raise refusal(proposal, report)


def refusal(proposal: ProposedVersion, report: CheckReport) -> CompatibilityRefusal:
    level = proposal.config.level.value
    level_details = ", ".join(str(f) for f in report.level.findings) if report.level else ""
    if report.broken_consumers:
        also = f"; it also breaks compatibility {level}: [{level_details}]" if level_details else ""
        return ContractRefused(
            f'Schema being registered breaks consumer contracts of subject "{proposal.subject}" '
            f"(compatibility {level}): {reasons(report)}{also}",
            report,
            error_code=proposal.incompatible_error_code,
        )
    return CompatibilityRefusal(
        f'Schema being registered is incompatible with an earlier schema for subject "'
        f'{proposal.subject}" (compatibility {level}), details: [{level_details}]',
        error_code=proposal.incompatible_error_code,
    )


def reasons(report: CheckReport) -> str:
    """`marketing (email: marketing reads email as a string; this version removes it)`."""
    return ", ".join(
        f"{verdict.consumer} ({'; '.join(f.message for f in verdict.findings)})"
        for verdict in report.consumers
        if not verdict.ok
    )


def confluent_messages(report: CheckReport) -> tuple[str, ...]:
    """The decision as Confluent's verbose `/compatibility` `messages` (its `is_compatible` is
    `report.ok`): the level's findings, then one per broken contract finding,
    naming the team, its contract version and the field."""
    messages = [str(f) for f in report.level.findings] if report.level else []
    for verdict in report.consumers:
        messages.extend(
            f"consumer '{verdict.consumer}' (contract version {verdict.contract_version}) at "
            f"{f.where}: {f.message}"
            for f in verdict.findings
        )
    return tuple(messages)


def check_compatibility(
    ctx: RegistryContext,
    principal: Principal,
    subject: str,
    schema_type: str | None,
    schema_text: str | None,
    *,
    version: int | None,
    references: int = 0,
) -> CheckReport:
    """Would this schema be accepted? `version` None: the level against every live version, as
    registration checks; a version (or LATEST): the level against that one version. Consumer
    contracts are checked either way: a schema registration would refuse is never compatible.
    An invalid schema raises `UnprocessableSchema`."""
    parsed = queries.parse_proposed(schema_type, schema_text, references=references)

    def query(session: Session) -> tuple[TopicSnapshot, tuple[SubjectVersion, ...]]:
        snapshot = snapshot_of(ctx, session, subject)
        if version is None:
            return snapshot, snapshot.live
        if version == LATEST:
            return snapshot, snapshot.live[-1:]
        targets = tuple(v for v in snapshot.live if v.version == version)
        if not targets:
            raise VersionNotFound(version, subject)
        return snapshot, targets

    snapshot, targets = ctx.db.read(query)
    report = decide(propose(ctx, principal, parsed, snapshot, against=targets))
    ctx.metrics.check_run("compatibility", compatible=report.ok)
    return report


def check_producer(
    ctx: RegistryContext,
    principal: Principal,
    subject: str,
    schema_type: str | None,
    schema_text: str | None,
    *,
    new_topic: bool = False,
) -> CheckReport:
    """`/subjects/{t}/check`: the decision's whole report, without registering anything. A topic
    with no live version is a 404 (with a "did you mean") unless `new_topic` states that a first
    version is intended: a typo must not pass as "safe, no contract broken"."""
    parsed = queries.parse_proposed(schema_type, schema_text)

    def query(session: Session) -> TopicSnapshot:
        snapshot = snapshot_of(ctx, session, subject)
        if not snapshot.live and not new_topic:
            raise queries.missing_topic(session, subject)
        return snapshot

    snapshot = ctx.db.read(query)
    report = decide(propose(ctx, principal, parsed, snapshot))
    ctx.metrics.check_run("contracts", compatible=report.ok)
    if not ctx.settings.pubsub_enabled:
        return report
    # What Pub/Sub will do with this version, when it enforces the topic (registry/pubsub).
    notes = ctx.db.read(lambda session: forecast_in(ctx, session, subject, parsed))
    return replace(report, notes=tuple(notes)) if notes else report
