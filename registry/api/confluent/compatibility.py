"""`/compatibility`: would this schema be accepted? Without registering it."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from registry.api.errors import documented
from registry.api.models import CompatibilityCheckResponse, RegisterSchemaRequest
from registry.api.params import Ctx, CurrentPrincipal, Flag, Subject, Version
from registry.api.wire import RegistryJSONResponse
from registry.usecases.compatibility import Verdict, compatibility_verdict

router = APIRouter(tags=["compatibility"])


def _answer(verdict: Verdict, verbose: bool) -> Response:
    body = CompatibilityCheckResponse(
        is_compatible=verdict.compatible, messages=list(verdict.messages) if verbose else None
    )
    return RegistryJSONResponse(body.wire())


@router.post(
    "/compatibility/subjects/{subject}/versions/{version}",
    response_model=CompatibilityCheckResponse,
    responses=documented(400, 404, 415, 422, 500),
    description="Check against one version (or latest) under the subject's level, and every "
    "consumer contract: false whenever registering the schema would be refused.",
)
async def check_against_version(
    ctx: Ctx,
    principal: CurrentPrincipal,
    *,
    subject: Subject,
    version: Version,
    body: RegisterSchemaRequest,
    verbose: Flag = False,
) -> Response:
    verdict = await run_in_threadpool(
        lambda: compatibility_verdict(
            ctx,
            principal,
            subject,
            body.schema_type,
            body.schema_,
            version=version,
            verbose=verbose,
            references=len(body.references or ()),
        )
    )
    return _answer(verdict, verbose)


@router.post(
    "/compatibility/subjects/{subject}/versions",
    response_model=CompatibilityCheckResponse,
    responses=documented(400, 415, 422, 500),
    description="Check against every live version and every consumer contract, exactly as "
    "registration decides.",
)
async def check_against_all(
    ctx: Ctx,
    principal: CurrentPrincipal,
    subject: Subject,
    body: RegisterSchemaRequest,
    verbose: Flag = False,
) -> Response:
    verdict = await run_in_threadpool(
        lambda: compatibility_verdict(
            ctx,
            principal,
            subject,
            body.schema_type,
            body.schema_,
            version=None,
            verbose=verbose,
            references=len(body.references or ()),
        )
    )
    return _answer(verdict, verbose)
