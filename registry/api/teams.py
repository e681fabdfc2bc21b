"""Accord's team extensions: teams, their tokens, and topic owners."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from registry.api.errors import documented
from registry.api.models import Wire
from registry.api.params import Ctx, CurrentPrincipal, Subject, Team, TokenId
from registry.api.wire import RegistryJSONResponse
from registry.errors import InvalidTeam
from registry.usecases import teams
from registry.usecases.teams import TokenInfo, TopicOwner

router = APIRouter(tags=["teams"])

AUTH_ERRORS = (401, 403)


class TeamRequest(Wire):
    invalid_body = InvalidTeam
    name: str = Field(examples=["crm"])


class TeamResponse(Wire):
    name: str
    created_at: datetime = Field(alias="createdAt")


class NewTokenResponse(Wire):
    id: str
    team: str
    token: str = Field(description="the secret: shown in this answer only, stored hashed")


class TokenResponse(Wire):
    id: str
    team: str
    created_at: datetime = Field(alias="createdAt")
    revoked_at: datetime | None = Field(default=None, alias="revokedAt")
    revoked: bool


class OwnerRequest(Wire):
    invalid_body = InvalidTeam
    team: str = Field(examples=["crm"])


class OwnerResponse(Wire):
    subject: str
    team: str | None = Field(description="null: no owner; only an admin changes the topic")


def _owner(owner: TopicOwner) -> Response:
    # `team` is always present, null for an unowned topic.
    body = OwnerResponse(subject=owner.subject, team=owner.team)
    return RegistryJSONResponse(body.model_dump(by_alias=True, mode="json"))


def _token(info: TokenInfo) -> TokenResponse:
    return TokenResponse(
        id=info.id,
        team=info.team,
        created_at=info.created_at,
        revoked_at=info.revoked_at,
        revoked=info.revoked_at is not None,
    )


@router.post(
    "/teams",
    response_model=TeamResponse,
    responses=documented(400, 401, 403, 409, 415, 422, 500),
    description="Create a team (admin only).",
)
async def create_team(ctx: Ctx, principal: CurrentPrincipal, body: TeamRequest) -> Response:
    team = await run_in_threadpool(teams.create_team, ctx, principal, body.name)
    return RegistryJSONResponse(TeamResponse(name=team.name, created_at=team.created_at).wire())


@router.get("/teams", response_model=list[TeamResponse], responses=documented(401, 422, 500))
async def list_teams(ctx: Ctx) -> Response:
    found = await run_in_threadpool(teams.list_teams, ctx)
    return RegistryJSONResponse(
        [TeamResponse(name=t.name, created_at=t.created_at).wire() for t in found]
    )


@router.post(
    "/teams/{team}/tokens",
    response_model=NewTokenResponse,
    responses=documented(401, 403, 404, 415, 422, 500),
    description="Issue a token to a team (admin only). The answer is the only place its secret "
    "ever appears: the registry keeps a SHA-256 of it.",
)
async def create_token(ctx: Ctx, principal: CurrentPrincipal, team: Team) -> Response:
    issued = await run_in_threadpool(teams.create_token, ctx, principal, team)
    return RegistryJSONResponse(
        NewTokenResponse(id=issued.id, team=issued.team, token=issued.token).wire()
    )


@router.get(
    "/teams/{team}/tokens",
    response_model=list[TokenResponse],
    responses=documented(401, 403, 404, 422, 500),
    description="A team's tokens without their secrets (admin, or the team itself).",
)
async def list_tokens(ctx: Ctx, principal: CurrentPrincipal, team: Team) -> Response:
    found = await run_in_threadpool(teams.list_tokens, ctx, principal, team)
    return RegistryJSONResponse([_token(t).wire() for t in found])


@router.delete(
    "/teams/{team}/tokens/{token_id}",
    response_model=TokenResponse,
    responses=documented(401, 403, 404, 422, 500),
    description="Revoke a token, at once on every replica (admin, or the team itself).",
)
async def revoke_token(
    ctx: Ctx, principal: CurrentPrincipal, team: Team, token_id: TokenId
) -> Response:
    info = await run_in_threadpool(teams.revoke_token, ctx, principal, team, token_id)
    return RegistryJSONResponse(_token(info).wire())


@router.get(
    "/subjects/{subject}/owner",
    response_model=OwnerResponse,
    responses=documented(401, 404, 422, 500),
)
async def get_owner(ctx: Ctx, subject: Subject) -> Response:
    owner = await run_in_threadpool(teams.get_owner, ctx, subject)
    return _owner(owner)


@router.put(
    "/subjects/{subject}/owner",
    response_model=OwnerResponse,
    responses=documented(400, 401, 403, 404, 415, 422, 500),
    description="Give a topic to a team (admin only).",
)
async def assign_owner(
    ctx: Ctx, principal: CurrentPrincipal, subject: Subject, body: OwnerRequest
) -> Response:
    owner = await run_in_threadpool(teams.assign_owner, ctx, principal, subject, body.team)
    return _owner(owner)
