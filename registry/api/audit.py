"""`GET /audit`: who changed what, when, with before and after."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from registry.api.errors import documented
from registry.api.models import Wire
from registry.api.params import Ctx, Since, SubjectFilter, TeamFilter
from registry.api.wire import RegistryJSONResponse
from registry.usecases import audit
from registry.usecases.audit import MAX_ENTRIES

router = APIRouter(tags=["audit"])


class AuditEntryResponse(Wire):
    id: int
    at: datetime
    actor: str = Field(description="the team, `admin`, or `anonymous` while auth is off")
    action: str = Field(examples=["register", "delete_subject", "put_contract", "create_token"])
    subject: str | None = None
    target: str | None = Field(default=None, description="a consumer, team or token id")
    before: Any = None
    after: Any = None


@router.get(
    "/audit",
    response_model=list[AuditEntryResponse],
    responses=documented(400, 401, 422, 500),
    description="Every write, newest first: filter by topic, by acting team, and by time.",
)
async def list_audit(
    ctx: Ctx,
    topic: Annotated[SubjectFilter, Query()] = None,
    team: Annotated[TeamFilter, Query(description="a team, `admin` or `anonymous`")] = None,
    since: Annotated[Since, Query(description="ISO 8601; naive means UTC")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_ENTRIES)] = 100,
) -> Response:
    found = await run_in_threadpool(
        lambda: audit.list_entries(ctx, subject=topic, team=team, since=since, limit=limit)
    )
    return RegistryJSONResponse(
        [
            AuditEntryResponse(
                id=e.id,
                at=e.at,
                actor=e.actor,
                action=e.action,
                subject=e.subject,
                target=e.target,
                before=e.before,
                after=e.after,
            ).model_dump(by_alias=True, mode="json")
            for e in found
        ]
    )
