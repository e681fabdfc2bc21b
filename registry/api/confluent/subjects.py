"""`/subjects`: topics, their versions, registration, lookup and deletes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from registry.api.confluent.schemas import schema_entry
from registry.api.errors import documented
from registry.api.models import RegisterSchemaRequest, RegisterSchemaResponse, SchemaEntry
from registry.api.params import (
    Ctx,
    CurrentPrincipal,
    Flag,
    Paging,
    Subject,
    SubjectPrefix,
    Version,
    answers_of,
    context_of,
    flags_openapi,
    query_flag,
)
from registry.api.wire import RAW_SCHEMA_RESPONSE, RegistryJSONResponse
from registry.context import RegistryContext
from registry.pubsub.forecast import forecast
from registry.usecases import delete, read
from registry.usecases.model import SubjectVersion
from registry.usecases.register import Registration, register_version

router = APIRouter(tags=["subjects"])
# The hot read alone (`versions/latest`), so that the app routes to it first (registry.app).
reads = APIRouter(tags=["subjects"])


async def _version(
    ctx: RegistryContext, subject: str, version: int, deleted: bool
) -> SubjectVersion:
    # A topic's versions are served from memory for a short while (see Settings), off the
    # threadpool; a miss reads the database.
    cached = read.cached_version(ctx, subject, version, deleted=deleted)
    if cached is not None:
        return cached
    return await run_in_threadpool(
        lambda: read.get_version(ctx, subject, version, deleted=deleted, cache_checked=True)
    )


@reads.get(
    "/subjects/{subject}/versions/{version}",
    response_model=SchemaEntry,
    responses=documented(400, 404, 422, 500),
    openapi_extra=flags_openapi("deleted"),
)
async def get_version(request: Request, subject: Subject, version: Version) -> Response:
    deleted = query_flag(request, "deleted")
    found = await _version(context_of(request), subject, version, deleted)
    return answers_of(request).response(
        found, lambda: schema_entry(found, with_deleted=True).wire()
    )


@router.get("/subjects", response_model=list[str], responses=documented(400, 422, 500))
async def list_subjects(
    ctx: Ctx,
    paging: Paging,
    deleted: Flag = False,
    deleted_only: Annotated[Flag, Query(alias="deletedOnly")] = False,
    subject_prefix: Annotated[SubjectPrefix, Query(alias="subjectPrefix")] = ":*:",
) -> Response:
    found = await run_in_threadpool(
        lambda: read.list_subjects(
            ctx, prefix=subject_prefix, deleted=deleted, deleted_only=deleted_only, page=paging
        )
    )
    return RegistryJSONResponse(found)


@router.post(
    "/subjects/{subject}",
    response_model=SchemaEntry,
    responses=documented(400, 404, 415, 422, 500),
    description="Look up which version of the subject holds this schema.",
)
async def lookup_schema(
    ctx: Ctx, subject: Subject, body: RegisterSchemaRequest, deleted: Flag = False
) -> Response:
    found = await run_in_threadpool(
        lambda: read.lookup(
            ctx,
            subject,
            body.schema_type,
            body.schema_,
            deleted=deleted,
            references=len(body.references or ()),
        )
    )
    return RegistryJSONResponse(schema_entry(found).wire())


@router.delete(
    "/subjects/{subject}",
    response_model=list[int],
    responses=documented(400, 404, 422, 500),
    description="Soft delete (default), or permanent delete after a soft one.",
)
async def delete_subject(
    ctx: Ctx, principal: CurrentPrincipal, subject: Subject, permanent: Flag = False
) -> Response:
    deleted = await run_in_threadpool(
        lambda: delete.delete_subject(ctx, principal, subject, permanent=permanent)
    )
    return RegistryJSONResponse(deleted)


@router.get(
    "/subjects/{subject}/versions",
    response_model=list[int],
    responses=documented(400, 404, 422, 500),
)
async def list_versions(
    ctx: Ctx,
    subject: Subject,
    paging: Paging,
    deleted: Flag = False,
    deleted_only: Annotated[Flag, Query(alias="deletedOnly")] = False,
) -> Response:
    found = await run_in_threadpool(
        lambda: read.list_versions(
            ctx, subject, deleted=deleted or deleted_only, deleted_only=deleted_only, page=paging
        )
    )
    return RegistryJSONResponse(found)


@router.post(
    "/subjects/{subject}/versions",
    response_model=RegisterSchemaResponse,
    responses=documented(400, 409, 415, 422, 500),
    description="Register a schema under the subject (returns the existing version if present).",
)
async def register(
    ctx: Ctx, principal: CurrentPrincipal, subject: Subject, body: RegisterSchemaRequest
) -> Response:
    registration = Registration(
        subject=subject,
        schema_type=body.schema_type,
        schema_text=body.schema_,
        schema_id=body.id,
        version=body.version,
        references=len(body.references or ()),
    )
    registered = await run_in_threadpool(register_version, ctx, principal, registration)
    # With Pub/Sub enforcement on: what Pub/Sub will do with this version (registry/pubsub).
    notes = await run_in_threadpool(forecast, ctx, subject) if ctx.pubsub else None
    return RegistryJSONResponse(
        RegisterSchemaResponse(
            id=registered.schema.id,
            version=registered.version,
            subject=registered.subject,
            schema_type=registered.schema.schema_type,
            schema_=registered.schema.text,
            pubsub=notes or None,
        ).wire()
    )


@router.get(
    "/subjects/{subject}/versions/{version}/schema",
    response_model=None,
    response_class=RegistryJSONResponse,
    responses={200: RAW_SCHEMA_RESPONSE, **documented(400, 404, 422, 500)},
    description="The schema text itself, not wrapped in JSON.",
    openapi_extra=flags_openapi("deleted"),
)
async def get_version_schema(request: Request, subject: Subject, version: Version) -> Response:
    deleted = query_flag(request, "deleted")
    found = await _version(context_of(request), subject, version, deleted)
    return Response(found.schema.text, media_type=RegistryJSONResponse.media_type)


@router.get(
    "/subjects/{subject}/versions/{version}/referencedby",
    response_model=list[int],
    responses=documented(400, 404, 422, 500),
    description="Ids of schemas referencing this version: always empty (no references here).",
)
async def referenced_by(ctx: Ctx, subject: Subject, version: Version) -> Response:
    await _version(ctx, subject, version, True)
    return RegistryJSONResponse([])


@router.delete(
    "/subjects/{subject}/versions/{version}",
    response_model=int,
    responses=documented(400, 404, 422, 500),
    description="Soft delete (default), or permanent delete after a soft one.",
)
async def delete_version(
    ctx: Ctx,
    principal: CurrentPrincipal,
    subject: Subject,
    version: Version,
    permanent: Flag = False,
) -> Response:
    deleted = await run_in_threadpool(
        lambda: delete.delete_version(ctx, principal, subject, version, permanent=permanent)
    )
    return RegistryJSONResponse(deleted)
