"""`/mode`: READWRITE, READONLY, READONLY_OVERRIDE or IMPORT, global and per subject."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from registry.api.errors import documented
from registry.api.models import ModeBody, ModeUpdateRequest
from registry.api.params import Ctx, CurrentPrincipal, Flag, Subject
from registry.api.wire import RegistryJSONResponse
from registry.usecases import config
from registry.usecases.model import Mode

router = APIRouter(tags=["mode"])

DefaultToGlobal = Annotated[Flag, Query(alias="defaultToGlobal")]


def _mode(mode: Mode) -> Response:
    return RegistryJSONResponse(ModeBody(mode=mode).wire())


@router.get("/mode", response_model=ModeBody, responses=documented(400, 500))
async def get_global_mode(ctx: Ctx, default_to_global: DefaultToGlobal = False) -> Response:
    return _mode(await run_in_threadpool(config.get_mode, ctx, None, default_to_global=True))


@router.put("/mode", response_model=ModeBody, responses=documented(400, 415, 422, 500))
async def set_global_mode(
    ctx: Ctx, principal: CurrentPrincipal, body: ModeUpdateRequest, force: Flag = False
) -> Response:
    return _mode(
        await run_in_threadpool(
            lambda: config.set_mode(ctx, principal, None, body.mode, force=force)
        )
    )


@router.delete("/mode", response_model=ModeBody, responses=documented(400, 500))
async def delete_global_mode(ctx: Ctx, principal: CurrentPrincipal) -> Response:
    return _mode(await run_in_threadpool(config.delete_mode, ctx, principal, None))


@router.get("/mode/{subject}", response_model=ModeBody, responses=documented(400, 404, 422, 500))
async def get_subject_mode(
    ctx: Ctx, subject: Subject, default_to_global: DefaultToGlobal = False
) -> Response:
    return _mode(
        await run_in_threadpool(
            lambda: config.get_mode(ctx, subject, default_to_global=default_to_global)
        )
    )


@router.put("/mode/{subject}", response_model=ModeBody, responses=documented(400, 415, 422, 500))
async def set_subject_mode(
    ctx: Ctx,
    principal: CurrentPrincipal,
    subject: Subject,
    body: ModeUpdateRequest,
    force: Flag = False,
) -> Response:
    return _mode(
        await run_in_threadpool(
            lambda: config.set_mode(ctx, principal, subject, body.mode, force=force)
        )
    )


@router.delete("/mode/{subject}", response_model=ModeBody, responses=documented(400, 404, 422, 500))
async def delete_subject_mode(ctx: Ctx, principal: CurrentPrincipal, subject: Subject) -> Response:
    return _mode(await run_in_threadpool(config.delete_mode, ctx, principal, subject))
