"""Compatibility configuration and modes, global and per topic."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from contracts import CompatibilityLevel, CompatibilityPolicy
from contracts.consumers import ContractScope
from contracts.pubsub_rules import PubSubEncoding, RevisionPolicy
from registry.auth import require_admin, topic_owner_after_write
from registry.context import RegistryContext
from registry.errors import (
    InvalidCompatibilityLevel,
    InvalidMode,
    InvalidPubSubSetting,
    OperationNotPermitted,
    SubjectConfigNotFound,
    SubjectModeNotFound,
    SubjectNotFound,
)
from registry.principal import Principal
from registry.pubsub import outbox
from registry.tables import GlobalConfigRow, SubjectRow, SubjectVersionRow
from registry.usecases import audit, queries
from registry.usecases.model import Mode


@dataclass(frozen=True, slots=True)
class ConfigView:
    """A configuration as read back: the level always, the policy always (Accord has a default)."""

    level: CompatibilityLevel
    policy: CompatibilityPolicy
    # A topic's own Pub/Sub settings, None when it has none (see contracts.pubsub_rules).
    pubsub_revisions: str | None = None
    pubsub_encoding: str | None = None
    # A topic's own contract scope, None when it has none (ALL_LIVE applies).
    contract_scope: str | None = None


@dataclass(frozen=True, slots=True)
class ConfigChange:
    """A PUT /config body; a field left out keeps its current value."""

    level: str | None
    policy: str | None
    pubsub_revisions: str | None = None
    pubsub_encoding: str | None = None
    contract_scope: str | None = None


def parse_level(value: str) -> CompatibilityLevel:
    try:
        return CompatibilityLevel.parse(value)
    except ValueError as exc:
        raise InvalidCompatibilityLevel(str(exc)) from exc


def parse_policy(value: str) -> CompatibilityPolicy:
    try:
        return CompatibilityPolicy(value.strip().upper())
    except ValueError:
        valid = ", ".join(p.value for p in CompatibilityPolicy)
        raise InvalidCompatibilityLevel(
            f"Invalid compatibilityPolicy {value!r}; valid policies are {valid}"
        ) from None


def parse_mode(value: str | None) -> Mode:
    try:
        return Mode((value or "").strip().upper())
    except ValueError:
        valid = ", ".join(Mode)
        raise InvalidMode(f"Invalid mode {value!r}; valid modes are {valid}") from None


def _writable_row(
    session: Session, principal: Principal, subject: str | None, action: str
) -> GlobalConfigRow | SubjectRow:
    """The row a config or mode write changes, once the caller may change it: the global row is
    the admin's; a topic's row is its owner's (a new topic's row is claimed by the caller's team)."""
    if subject is None:
        require_admin(principal, f"{action} the registry as a whole")
        return queries.global_config(session)
    row = session.get(SubjectRow, subject)
    has_versions = (
        session.exec(
            select(func.count())
            .select_from(SubjectVersionRow)
            .where(col(SubjectVersionRow.subject) == subject)
        ).one()
        > 0
    )
    owner = topic_owner_after_write(
        principal,
        subject,
        row.owner if row else None,
        has_versions=has_versions,
        action=action,
    )
    if row is None:
        return SubjectRow(name=subject, owner=owner)
    row.owner = owner
    return row


def _settings(row: GlobalConfigRow | SubjectRow) -> dict[str, str | None]:
    settings = {
        "compatibility": row.compatibility,
        "compatibilityPolicy": row.compatibility_policy,
        "mode": row.mode,
    }
    if isinstance(row, SubjectRow) and (row.pubsub_revisions or row.pubsub_encoding):
        settings |= {"pubsubRevisions": row.pubsub_revisions, "pubsubEncoding": row.pubsub_encoding}
    if isinstance(row, SubjectRow) and row.contract_scope:
        settings |= {"contractScope": row.contract_scope}
    return settings


def _global_view(ctx: RegistryContext, row: GlobalConfigRow) -> ConfigView:
    return ConfigView(
        level=CompatibilityLevel(row.compatibility)
        if row.compatibility
        else ctx.settings.default_compatibility,
        policy=CompatibilityPolicy(row.compatibility_policy)
        if row.compatibility_policy
        else ctx.settings.default_compatibility_policy,
    )


def _validated_change(change: ConfigChange, subject: str | None) -> ConfigChange:
    pubsub = (change.pubsub_revisions, change.pubsub_encoding)
    if (
        change.level is None
        and change.policy is None
        and pubsub == (None, None)
        and change.contract_scope is None
    ):
        raise InvalidCompatibilityLevel(
            "The body must give 'compatibility' (a level such as BACKWARD) or "
            "'compatibilityPolicy' (STRICT or LENIENT)"
            + (
                " or 'pubsubRevisions' or 'pubsubEncoding' or 'contractScope'."
                if subject is not None
                else "."
            )
        )
    if subject is None and pubsub != (None, None):
        raise InvalidPubSubSetting(
            "'pubsubRevisions' and 'pubsubEncoding' are set per topic: PUT /config/{topic}."
        )
    if subject is None and change.contract_scope is not None:
        raise InvalidCompatibilityLevel("'contractScope' is set per topic: PUT /config/{topic}.")
    return ConfigChange(
        level=parse_level(change.level).value if change.level is not None else None,
        policy=parse_policy(change.policy).value if change.policy is not None else None,
        pubsub_revisions=_pubsub_choice("pubsubRevisions", change.pubsub_revisions, RevisionPolicy),
        pubsub_encoding=_pubsub_choice("pubsubEncoding", change.pubsub_encoding, PubSubEncoding),
        contract_scope=parse_contract_scope(change.contract_scope),
    )


def parse_contract_scope(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return ContractScope(value.strip().upper()).value
    except (ValueError, AttributeError):
        valid = " or ".join(c.value for c in ContractScope)
        raise InvalidCompatibilityLevel(
            f"Invalid contractScope {value!r}; valid values are {valid}"
        ) from None


def _pubsub_choice(
    name: str, value: str | None, choices: type[RevisionPolicy] | type[PubSubEncoding]
) -> str | None:
    if value is None:
        return None
    try:
        return choices(value.strip().upper()).value
    except (ValueError, AttributeError):
        valid = " or ".join(c.value for c in choices)
        raise InvalidPubSubSetting(f"Invalid {name} {value!r}; valid values are {valid}") from None


def get_config(ctx: RegistryContext, subject: str | None, *, default_to_global: bool) -> ConfigView:
    def query(session: Session) -> ConfigView:
        glob = _global_view(ctx, queries.global_config(session))
        if subject is None:
            return glob
        row = session.get(SubjectRow, subject)
        if row is None or not _has_own_config(row):
            if default_to_global:
                return glob
            raise SubjectConfigNotFound(
                f"Subject '{subject}' does not have subject-level compatibility configured"
            )
        effective = queries.effective_config(ctx, session, row)
        return ConfigView(
            level=effective.level,
            policy=effective.policy,
            pubsub_revisions=row.pubsub_revisions,
            pubsub_encoding=row.pubsub_encoding,
            contract_scope=row.contract_scope,
        )

    return ctx.db.read(query)


def _has_own_config(row: SubjectRow) -> bool:
    own = (
        row.compatibility,
        row.compatibility_policy,
        row.pubsub_revisions,
        row.pubsub_encoding,
        row.contract_scope,
    )
    return any(value is not None for value in own)


def set_config(
    ctx: RegistryContext, principal: Principal, subject: str | None, change: ConfigChange
) -> ConfigChange:
    """Set the level, policy and/or (per topic) Pub/Sub settings; returns what was set, as
    Confluent echoes the request. A Pub/Sub setting change owes the topic a sync (outbox)."""
    chosen = _validated_change(change, subject)
    if subject is not None:
        subject = queries.validate_subject(ctx, subject)

    def transaction(session: Session) -> None:
        row = _writable_row(session, principal, subject, "change the configuration of")
        before = _settings(row)
        if chosen.level is not None:
            row.compatibility = chosen.level
        if chosen.policy is not None:
            row.compatibility_policy = chosen.policy
        if isinstance(row, SubjectRow) and subject is not None:
            pubsub_before = (row.pubsub_revisions, row.pubsub_encoding)
            row.pubsub_revisions = chosen.pubsub_revisions or row.pubsub_revisions
            row.pubsub_encoding = chosen.pubsub_encoding or row.pubsub_encoding
            if (row.pubsub_revisions, row.pubsub_encoding) != pubsub_before:
                outbox.enqueue(ctx.settings, session, subject, "config")
            row.contract_scope = chosen.contract_scope or row.contract_scope
        session.add(row)
        audit.record(
            session, principal, "set_config", subject=subject, before=before, after=_settings(row)
        )

    ctx.db.write(transaction)
    return chosen


def delete_config(ctx: RegistryContext, principal: Principal, subject: str | None) -> ConfigView:
    """Forget the subject's (or the global) setting; returns the configuration it had."""

    def transaction(session: Session) -> ConfigView:
        writable = _writable_row(session, principal, subject, "delete the configuration of")
        before = _settings(writable)
        if isinstance(writable, GlobalConfigRow):
            previous = _global_view(ctx, writable)
            writable.compatibility = None
            writable.compatibility_policy = None
            session.add(writable)
            audit.record(
                session, principal, "delete_config", before=before, after=_settings(writable)
            )
            return previous
        row = session.get(SubjectRow, subject)
        if row is None or not _has_own_config(row):
            raise SubjectNotFound(str(subject))
        effective = queries.effective_config(ctx, session, row)
        previous = ConfigView(
            level=effective.level,
            policy=effective.policy,
            pubsub_revisions=row.pubsub_revisions,
            pubsub_encoding=row.pubsub_encoding,
            contract_scope=row.contract_scope,
        )
        if row.pubsub_revisions or row.pubsub_encoding:
            outbox.enqueue(ctx.settings, session, row.name, "config")
        row.compatibility = None
        row.compatibility_policy = None
        row.pubsub_revisions = row.pubsub_encoding = row.contract_scope = None
        session.add(row)
        audit.record(
            session,
            principal,
            "delete_config",
            subject=subject,
            before=before,
            after=_settings(row),
        )
        return previous

    return ctx.db.write(transaction)


def get_mode(ctx: RegistryContext, subject: str | None, *, default_to_global: bool) -> Mode:
    def query(session: Session) -> Mode:
        glob = Mode(queries.global_config(session).mode or Mode.READWRITE)
        if subject is None:
            return glob
        row = session.get(SubjectRow, subject)
        if row is None or row.mode is None:
            if default_to_global:
                return glob
            raise SubjectModeNotFound(
                f"Subject '{subject}' does not have subject-level mode configured"
            )
        return Mode(row.mode)

    return ctx.db.read(query)


def set_mode(
    ctx: RegistryContext,
    principal: Principal,
    subject: str | None,
    mode: str | None,
    *,
    force: bool,
) -> Mode:
    """Set a mode. IMPORT is the admin's alone, globally and per subject (an import skips every
    check, consumer contracts included, and chooses ids); it is refused where schemas already
    exist unless `force`, as Confluent does (imported ids could collide with ones given out)."""
    chosen = parse_mode(mode)
    if subject is not None:
        subject = queries.validate_subject(ctx, subject)
    if chosen is Mode.IMPORT:
        where = f"subject '{subject}'" if subject is not None else "the registry"
        require_admin(principal, f"put {where} in IMPORT mode")

    def transaction(session: Session) -> Mode:
        row = _writable_row(session, principal, subject, "change the mode of")
        if chosen is Mode.IMPORT and not force:
            statement = select(func.count()).select_from(SubjectVersionRow)
            if subject is not None:
                statement = statement.where(col(SubjectVersionRow.subject) == subject)
            if session.exec(statement).one() > 0:
                where = f"subject '{subject}'" if subject is not None else "the registry"
                raise OperationNotPermitted(
                    f"Cannot import since {where} already has schemas; set force=true to do so "
                    "anyway."
                )
        before = _settings(row)
        row.mode = chosen
        session.add(row)
        audit.record(
            session, principal, "set_mode", subject=subject, before=before, after=_settings(row)
        )
        return chosen

    return ctx.db.write(transaction)


def delete_mode(ctx: RegistryContext, principal: Principal, subject: str | None) -> Mode:
    """Forget the subject's (or the global) mode; returns the mode it had."""

    def transaction(session: Session) -> Mode:
        writable = _writable_row(session, principal, subject, "change the mode of")
        before = _settings(writable)
        if isinstance(writable, GlobalConfigRow):
            previous = Mode(writable.mode or Mode.READWRITE)
            writable.mode = None
            session.add(writable)
            audit.record(
                session, principal, "delete_mode", before=before, after=_settings(writable)
            )
            return previous
        subject_row = session.get(SubjectRow, subject)
        if subject_row is None or subject_row.mode is None:
            raise SubjectNotFound(str(subject))
        previous = Mode(subject_row.mode)
        subject_row.mode = None
        session.add(subject_row)
        audit.record(
            session,
            principal,
            "delete_mode",
            subject=subject,
            before=before,
            after=_settings(subject_row),
        )
        return previous

    return ctx.db.write(transaction)
