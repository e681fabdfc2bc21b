"""`/schemas`: schemas by global id, and the list of registered schemas."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from registry.api.errors import documented
from registry.api.models import SchemaEntry, SchemaString, SubjectVersionEntry
from registry.api.params import (
    Ctx,
    Flag,
    Paging,
    SchemaId,
    SubjectFilter,
    SubjectPrefix,
    answers_of,
    context_of,
)
from registry.api.wire import RAW_SCHEMA_RESPONSE, RegistryJSONResponse
from registry.context import RegistryContext
from registry.usecases import read
from registry.usecases.model import StoredSchema, SubjectVersion

router = APIRouter(tags=["schemas"])
# The hot read alone, so that the app can route to it before anything else (registry.app).
reads = APIRouter(tags=["schemas"])


def schema_entry(found: SubjectVersion, *, with_deleted: bool = False) -> SchemaEntry:
    return SchemaEntry(
        subject=found.subject,
        version=found.version,
        id=found.schema.id,
        schema_type=found.schema.schema_type,
        schema_=found.schema.text,
        deleted=True if with_deleted and found.deleted else None,
    )


async def _schema(ctx: RegistryContext, schema_id: int) -> StoredSchema:
    # Ids are immutable: a process that has served one answers from memory, off the threadpool.
    cached = read.cached_schema(ctx, schema_id)
    if cached is not None:
        return cached
    return await run_in_threadpool(read.get_schema, ctx, schema_id)


@reads.get("/schemas/ids/{id}", response_model=SchemaString, responses=documented(400, 404, 500))
async def get_schema_by_id(request: Request, id: SchemaId) -> Response:
    schema = await _schema(context_of(request), id)
    return answers_of(request).response(
        schema, lambda: SchemaString(schema_=schema.text, schema_type=schema.schema_type).wire()
    )


@router.get("/schemas", response_model=list[SchemaEntry], responses=documented(400, 422, 500))
async def list_schemas(
    ctx: Ctx,
    paging: Paging,
    deleted: Flag = False,
    subject_prefix: Annotated[SubjectPrefix, Query(alias="subjectPrefix")] = "",
    latest_only: Annotated[Flag, Query(alias="latestOnly")] = False,
) -> Response:
    found = await run_in_threadpool(
        lambda: read.list_schemas(
            ctx, prefix=subject_prefix, deleted=deleted, latest_only=latest_only, page=paging
        )
    )
    return RegistryJSONResponse([schema_entry(f, with_deleted=True).wire() for f in found])


@router.get("/schemas/types", response_model=list[str])
async def schema_types() -> Response:
    return RegistryJSONResponse(["JSON", "AVRO"])


@router.get(
    "/schemas/ids/{id}/schema",
    response_model=None,
    response_class=RegistryJSONResponse,
    responses={200: RAW_SCHEMA_RESPONSE, **documented(400, 404, 500)},
    description="The schema text itself, not wrapped in JSON.",
)
async def get_schema_text_by_id(request: Request, id: SchemaId) -> Response:
    schema = await _schema(context_of(request), id)
    return Response(schema.text, media_type=RegistryJSONResponse.media_type)


@router.get(
    "/schemas/ids/{id}/subjects", response_model=list[str], responses=documented(400, 404, 422, 500)
)
async def get_subjects_by_schema_id(
    ctx: Ctx,
    id: SchemaId,
    paging: Paging,
    deleted: Flag = False,
    subject: Annotated[SubjectFilter, Query()] = None,
) -> Response:
    found = await run_in_threadpool(
        lambda: read.subject_versions_of_schema(ctx, id, subject=subject, deleted=deleted)
    )
    subjects = list(dict.fromkeys(f.subject for f in found))
    return RegistryJSONResponse(paging.apply(subjects))


@router.get(
    "/schemas/ids/{id}/versions",
    response_model=list[SubjectVersionEntry],
    responses=documented(400, 404, 422, 500),
)
async def get_versions_by_schema_id(
    ctx: Ctx,
    id: SchemaId,
    paging: Paging,
    deleted: Flag = False,
    subject: Annotated[SubjectFilter, Query()] = None,
) -> Response:
    found = await run_in_threadpool(
        lambda: read.subject_versions_of_schema(ctx, id, subject=subject, deleted=deleted)
    )
    entries = [SubjectVersionEntry(subject=f.subject, version=f.version).wire() for f in found]
    return RegistryJSONResponse(paging.apply(entries))
