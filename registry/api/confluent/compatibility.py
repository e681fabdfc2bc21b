"""`/compatibility`: would this schema be accepted? Without registering it."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from contracts.report import CheckReport
from registry.api.errors import documented
from registry.api.models import CompatibilityCheckResponse, RegisterSchemaRequest
from registry.api.params import Ctx, CurrentPrincipal, Flag, Subject, Version
from registry.api.wire import RegistryJSONResponse
from registry.errors import UnprocessableSchema
from registry.usecases.compatibility import check_compatibility, confluent_messages

router = APIRouter(tags=["compatibility"])


def _answer(is_compatible: bool, messages: tuple[str, ...], verbose: bool) -> Response:
    body = CompatibilityCheckResponse(
        is_compatible=is_compatible, messages=list(messages) if verbose else None
    )
    return RegistryJSONResponse(body.wire())


async def _respond(decision: Callable[[], CheckReport], verbose: bool) -> Response:
    """The decision as Confluent answers it. An invalid schema is a 42201, except with `verbose`,
    where Confluent answers `is_compatible: false` with the parse error as its message."""
    try:
        report = await run_in_threadpool(decision)
    except UnprocessableSchema as exc:
        if verbose:
            return _answer(False, (exc.message,), verbose)
        raise
    return _answer(report.ok, confluent_messages(report), verbose)


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
    return await _respond(
        lambda: check_compatibility(
            ctx,
            principal,
            subject,
            body.schema_type,
            body.schema_,
            version=version,
            references=len(body.references or ()),
        ),
        verbose,
    )


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
    return await _respond(
        lambda: check_compatibility(
            ctx,
            principal,
            subject,
            body.schema_type,
            body.schema_,
            version=None,
            references=len(body.references or ()),
        ),
        verbose,
    )
