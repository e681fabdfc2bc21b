"""Teams and their tokens, authentication of a request, and topic owners."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, func, select

from registry import names
from registry.auth import (
    INVALID,
    MISSING,
    Credentials,
    is_admin_token,
    issue_token,
    require_admin,
    secret_matches,
    split_token,
)
from registry.context import RegistryContext
from registry.errors import (
    SubjectNotFound,
    TeamExists,
    TeamNotFound,
    TokenNotFound,
    Unauthorized,
)
from registry.principal import ADMIN, ANONYMOUS_ADMIN, Principal
from registry.tables import SubjectRow
from registry.team_tables import TeamRow, TeamTokenRow
from registry.usecases import audit, queries


@dataclass(frozen=True, slots=True)
class Team:
    name: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A token as listed: never its secret."""

    id: str
    team: str
    created_at: datetime
    revoked_at: datetime | None


@dataclass(frozen=True, slots=True)
class NewToken:
    """The one answer that carries a token's secret (`token`); it is stored only hashed."""

    id: str
    team: str
    token: str


@dataclass(frozen=True, slots=True)
class TopicOwner:
    subject: str
    team: str | None


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _info(row: TeamTokenRow) -> TokenInfo:
    return TokenInfo(
        id=row.id,
        team=row.team,
        created_at=_utc(row.created_at),
        revoked_at=None if row.revoked_at is None else _utc(row.revoked_at),
    )


def _team_row(session: Session, team: str) -> TeamRow:
    row = session.get(TeamRow, names.team(team))
    if row is None:
        raise TeamNotFound(team)
    return row


# --- authentication --------------------------------------------------------------------------


def authenticate_admin(ctx: RegistryContext, credentials: Credentials | None) -> Principal | None:
    """The answer that needs no database: auth off, no credentials, or the admin token."""
    admin_token = ctx.settings.admin_token
    if admin_token is None:
        return ANONYMOUS_ADMIN
    if credentials is None:
        raise Unauthorized(MISSING)
    if credentials.username in (None, "admin") and is_admin_token(
        credentials.token, admin_token.get_secret_value()
    ):
        return ADMIN
    return None


def authenticate(ctx: RegistryContext, credentials: Credentials | None) -> Principal:
    """Who presented these credentials. Every call reads the token's row: nothing is cached, so a
    revoked token is refused by every replica from the moment the revocation commits."""
    known = authenticate_admin(ctx, credentials)
    if known is not None:
        return known
    assert credentials is not None
    parts = split_token(credentials.token)
    if parts is None:
        raise Unauthorized(INVALID)
    token_id, secret = parts
    row = ctx.db.read(lambda session: session.get(TeamTokenRow, token_id))
    if (
        row is None
        or not secret_matches(secret, row.secret_sha256)
        or row.revoked_at is not None
        or (credentials.username is not None and credentials.username != row.team)
    ):
        raise Unauthorized(INVALID)
    return Principal.of_team(row.team)


# --- teams and tokens ------------------------------------------------------------------------


def create_team(ctx: RegistryContext, principal: Principal, name: str) -> Team:
    require_admin(principal, "create teams")
    name = names.new_team(name)

    def transaction(session: Session) -> Team:
        # Unique without regard to case (so is the index `ux_teams_name_lower`): `CRM` beside
        # `crm` would be two teams that read as one in the audit log.
        existing = session.exec(
            select(TeamRow.name).where(func.lower(TeamRow.name) == name.lower())
        ).first()
        if existing is not None:
            raise TeamExists(name, existing)
        row = TeamRow(name=name)
        session.add(row)
        audit.record(session, principal, "create_team", target=name, after={"team": name})
        return Team(name=row.name, created_at=_utc(row.created_at))

    return ctx.db.write(transaction)


def list_teams(ctx: RegistryContext) -> list[Team]:
    def query(session: Session) -> list[Team]:
        rows = session.exec(select(TeamRow).order_by(col(TeamRow.name))).all()
        return [Team(name=r.name, created_at=_utc(r.created_at)) for r in rows]

    return ctx.db.read(query)


def create_token(ctx: RegistryContext, principal: Principal, team: str) -> NewToken:
    require_admin(principal, "issue tokens")
    issued = issue_token()

    def transaction(session: Session) -> NewToken:
        _team_row(session, team)
        session.add(TeamTokenRow(id=issued.id, team=team, secret_sha256=issued.secret_sha256))
        audit.record(session, principal, "create_token", target=team, after={"token_id": issued.id})
        return NewToken(id=issued.id, team=team, token=issued.token)

    return ctx.db.write(transaction)


def _require_admin_or_team(principal: Principal, team: str, action: str) -> None:
    if not principal.is_admin and team not in principal.teams:
        require_admin(principal, f"{action} of team '{team}'")


def list_tokens(ctx: RegistryContext, principal: Principal, team: str) -> list[TokenInfo]:
    """A team's tokens, revoked ones included, without secrets: for an admin or the team."""
    _require_admin_or_team(principal, team, "list the tokens")

    def query(session: Session) -> list[TokenInfo]:
        _team_row(session, team)
        rows = session.exec(
            select(TeamTokenRow)
            .where(TeamTokenRow.team == team)
            .order_by(col(TeamTokenRow.created_at), col(TeamTokenRow.id))
        ).all()
        return [_info(r) for r in rows]

    return ctx.db.read(query)


def revoke_token(ctx: RegistryContext, principal: Principal, team: str, token_id: str) -> TokenInfo:
    """Revoke at once: authentication reads the row on every request. An admin or the team itself
    may revoke (a team that leaked a token should not have to wait for an admin)."""
    _require_admin_or_team(principal, team, "revoke the tokens")
    token_id = names.token_id(token_id)

    def transaction(session: Session) -> TokenInfo:
        _team_row(session, team)
        row = session.get(TeamTokenRow, token_id)
        if row is None or row.team != team:
            raise TokenNotFound(team, token_id)
        before = {"token_id": token_id, "revoked": row.revoked_at is not None}
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)
            session.add(row)
            audit.record(
                session,
                principal,
                "revoke_token",
                target=team,
                before=before,
                after={"token_id": token_id, "revoked": True},
            )
        return _info(row)

    return ctx.db.write(transaction)


# --- topic owners ----------------------------------------------------------------------------


def get_owner(ctx: RegistryContext, subject: str) -> TopicOwner:
    def query(session: Session) -> TopicOwner:
        row = session.get(SubjectRow, subject)
        if row is None:
            raise SubjectNotFound(subject)
        return TopicOwner(subject=subject, team=row.owner)

    return ctx.db.read(query)


def assign_owner(ctx: RegistryContext, principal: Principal, subject: str, team: str) -> TopicOwner:
    """An admin gives a topic to a team (a new topic, one written before auth, a hand-over)."""
    require_admin(principal, "assign topic owners")
    subject = queries.validate_subject(ctx, subject)

    def transaction(session: Session) -> TopicOwner:
        _team_row(session, team)
        row = session.get(SubjectRow, subject) or SubjectRow(name=subject)
        previous = row.owner
        row.owner = team
        session.add(row)
        audit.record(
            session,
            principal,
            "assign_owner",
            subject=subject,
            target=team,
            before={"owner": previous},
            after={"owner": team},
        )
        return TopicOwner(subject=subject, team=team)

    return ctx.db.write(transaction)
