"""`/config`: compatibility level and JSON Schema policy, global and per subject."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from registry.api.errors import documented
from registry.api.models import ConfigResponse, ConfigUpdateRequest, ConfigUpdateResponse
from registry.api.params import Ctx, CurrentPrincipal, Flag, Subject
from registry.api.wire import RegistryJSONResponse
from registry.usecases import config
from registry.usecases.config import ConfigChange, ConfigView

router = APIRouter(tags=["config"])

DefaultToGlobal = Annotated[Flag, Query(alias="defaultToGlobal")]


def _view(view: ConfigView) -> Response:
    return RegistryJSONResponse(
        ConfigResponse(
            compatibility_level=view.level.value,
            compatibility_policy=view.policy.value,
            pubsub_revisions=view.pubsub_revisions,
            pubsub_encoding=view.pubsub_encoding,
            contract_scope=view.contract_scope,
        ).wire()
    )


def _change(body: ConfigUpdateRequest) -> ConfigChange:
    return ConfigChange(
        level=body.compatibility if body.compatibility is not None else body.compatibility_level,
        policy=body.compatibility_policy,
        pubsub_revisions=body.pubsub_revisions,
        pubsub_encoding=body.pubsub_encoding,
        contract_scope=body.contract_scope,
    )


def _echo(change: ConfigChange) -> Response:
    return RegistryJSONResponse(
        ConfigUpdateResponse(
            compatibility=change.level,
            compatibility_policy=change.policy,
            pubsub_revisions=change.pubsub_revisions,
            pubsub_encoding=change.pubsub_encoding,
            contract_scope=change.contract_scope,
        ).wire()
    )


@router.get("/config", response_model=ConfigResponse, responses=documented(400, 500))
async def get_global_config(ctx: Ctx, default_to_global: DefaultToGlobal = False) -> Response:
    return _view(await run_in_threadpool(config.get_config, ctx, None, default_to_global=True))


@router.put(
    "/config", response_model=ConfigUpdateResponse, responses=documented(400, 415, 422, 500)
)
async def set_global_config(
    ctx: Ctx, principal: CurrentPrincipal, body: ConfigUpdateRequest
) -> Response:
    return _echo(await run_in_threadpool(config.set_config, ctx, principal, None, _change(body)))


@router.delete("/config", response_model=ConfigResponse, responses=documented(400, 500))
async def delete_global_config(ctx: Ctx, principal: CurrentPrincipal) -> Response:
    return _view(await run_in_threadpool(config.delete_config, ctx, principal, None))


@router.get(
    "/config/{subject}", response_model=ConfigResponse, responses=documented(400, 404, 422, 500)
)
async def get_subject_config(
    ctx: Ctx, subject: Subject, default_to_global: DefaultToGlobal = False
) -> Response:
    return _view(
        await run_in_threadpool(
            lambda: config.get_config(ctx, subject, default_to_global=default_to_global)
        )
    )


@router.put(
    "/config/{subject}",
    response_model=ConfigUpdateResponse,
    responses=documented(400, 415, 422, 500),
)
async def set_subject_config(
    ctx: Ctx, principal: CurrentPrincipal, subject: Subject, body: ConfigUpdateRequest
) -> Response:
    return _echo(await run_in_threadpool(config.set_config, ctx, principal, subject, _change(body)))


@router.delete(
    "/config/{subject}", response_model=ConfigResponse, responses=documented(400, 404, 422, 500)
)
async def delete_subject_config(
    ctx: Ctx, principal: CurrentPrincipal, subject: Subject
) -> Response:
    return _view(await run_in_threadpool(config.delete_config, ctx, principal, subject))
