"""Accord's Pub/Sub extensions: status and drift, a one-shot sync (or repair), the owner's cutover, a revision's version."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from registry.api.errors import documented
from registry.api.models import Wire
from registry.api.params import Ctx, CurrentPrincipal, Flag, Subject
from registry.api.wire import RegistryJSONResponse
from registry.pubsub import cutover, revisions, runtime, status
from registry.pubsub.status import TopicStatus

router = APIRouter(tags=["pubsub"])


class RevisionBody(Wire):
    version: int
    generation: int
    schema_: str = Field(alias="schema", description="the Pub/Sub schema holding the revision")
    revision_id: str = Field(alias="revisionId")
    pruned: bool = Field(description="deleted from Pub/Sub (outside the accepted range)")


class PendingBody(Wire):
    reason: str
    attempts: int
    next_attempt: datetime | None = Field(default=None, alias="nextAttempt")
    error: str | None = None


class TopicStatusBody(Wire):
    topic: str
    schema_type: str | None = Field(default=None, alias="schemaType")
    enforceable: bool
    note: str | None = None
    revisions_policy: str = Field(alias="pubsubRevisions")
    encoding: str = Field(alias="pubsubEncoding")
    schema_: str | None = Field(default=None, alias="schema")
    generation: int | None = None
    accepted_versions: list[int] = Field(alias="acceptedVersions")
    first_version: int | None = Field(default=None, alias="firstVersion")
    last_version: int | None = Field(default=None, alias="lastVersion")
    first_revision_id: str | None = Field(default=None, alias="firstRevisionId")
    last_revision_id: str | None = Field(default=None, alias="lastRevisionId")
    revisions: list[RevisionBody]
    last_sync: datetime | None = Field(default=None, alias="lastSync")
    pending: PendingBody | None = None
    pending_cutover: list[int] = Field(alias="pendingCutover")
    refused_versions: list[int] = Field(alias="refusedVersions")
    forecast: list[str]
    error: str | None = None
    drift: list[str]


class StatusBody(Wire):
    enabled: bool
    project: str | None = None
    drift_checked: bool = Field(alias="driftChecked")
    pubsub_error: str | None = Field(default=None, alias="pubsubError")
    topics: list[TopicStatusBody]


class SyncBody(Wire):
    synced: list[str]
    failed: list[dict[str, str]]
    repaired: list[str]
    waiting: list[str]


class CutoverBody(Wire):
    topic: str
    from_generation: int | None = Field(default=None, alias="fromGeneration")
    to_generation: int = Field(alias="toGeneration")
    accepted_versions: list[int] = Field(alias="acceptedVersions")
    refused_versions: list[int] = Field(alias="refusedVersions")


def _topic(found: TopicStatus) -> TopicStatusBody:
    pending = found.pending
    return TopicStatusBody(
        topic=found.topic,
        schema_type=found.schema_type,
        enforceable=found.enforceable,
        note=found.note,
        revisions_policy=found.policy.value,
        encoding=found.encoding.value,
        schema_=found.schema,
        generation=found.generation,
        accepted_versions=list(found.accepted),
        first_version=found.first_version,
        last_version=found.last_version,
        first_revision_id=found.first_revision_id,
        last_revision_id=found.last_revision_id,
        revisions=[
            RevisionBody(
                version=r.version,
                generation=r.generation,
                schema_=r.schema,
                revision_id=r.revision_id,
                pruned=r.pruned,
            )
            for r in found.revisions
        ],
        last_sync=found.last_sync,
        pending=PendingBody(
            reason=pending.reason,
            attempts=pending.attempts,
            next_attempt=pending.next_attempt,
            error=pending.error,
        )
        if pending
        else None,
        pending_cutover=list(found.pending_cutover),
        refused_versions=list(found.refused),
        forecast=list(found.forecast),
        error=found.error,
        drift=list(found.drift),
    )


@router.get("/pubsub/status", response_model=StatusBody, responses=documented(401, 500))
async def get_status(ctx: Ctx) -> Response:
    found = await run_in_threadpool(status.pubsub_status, ctx)
    body = StatusBody(
        enabled=found.enabled,
        project=found.project,
        drift_checked=found.drift_checked,
        pubsub_error=found.pubsub_error,
        topics=[_topic(t) for t in found.topics],
    )
    return RegistryJSONResponse(body.model_dump(by_alias=True, mode="json"))


@router.post("/pubsub/sync", response_model=SyncBody, responses=documented(401, 403, 422, 424, 500))
async def post_sync(ctx: Ctx, principal: CurrentPrincipal, repair: Flag = False) -> Response:
    report = await run_in_threadpool(lambda: runtime.sync_now(ctx, principal, repair=repair))
    body = SyncBody(
        synced=list(report.synced),
        failed=[{"topic": topic, "error": error} for topic, error in report.failed],
        repaired=list(report.repaired),
        waiting=list(report.waiting),
    )
    return RegistryJSONResponse(body.wire())


@router.post(
    "/pubsub/topics/{subject}/cutover",
    response_model=CutoverBody,
    responses=documented(401, 403, 404, 409, 422, 500),
)
async def post_cutover(ctx: Ctx, principal: CurrentPrincipal, subject: Subject) -> Response:
    done = await run_in_threadpool(cutover.cut_over, ctx, principal, subject)
    body = CutoverBody(
        topic=done.topic,
        from_generation=done.from_generation,
        to_generation=done.to_generation,
        accepted_versions=list(done.accepted),
        refused_versions=list(done.refused),
    )
    return RegistryJSONResponse(body.wire())


class RevisionVersionBody(Wire):
    """The registry version a Pub/Sub revision holds, in the shape of a Confluent schema."""

    subject: str
    version: int
    id: int = Field(description="the schema id")
    schema_type: str = Field(alias="schemaType")
    schema_: str = Field(alias="schema")
    pubsub_schema: str = Field(alias="pubsubSchema")
    revision_id: str = Field(alias="revisionId")


@router.get(
    "/pubsub/revisions/{revision_id}",
    response_model=RevisionVersionBody,
    responses=documented(400, 401, 404, 500),
    description="The topic version that a Pub/Sub schema revision holds: how a consumer decodes "
    "a message identified only by Pub/Sub's googclient_schemaname and "
    "googclient_schemarevisionid attributes.",
)
async def get_revision(
    ctx: Ctx,
    revision_id: Annotated[str, Path(max_length=128)],
    schema: Annotated[
        str,
        Query(
            min_length=1,
            max_length=1000,
            description="the Pub/Sub schema's full name (googclient_schemaname)",
        ),
    ],
) -> Response:
    found = await run_in_threadpool(revisions.version_of_revision, ctx, schema, revision_id)
    body = RevisionVersionBody(
        subject=found.subject,
        version=found.version,
        id=found.schema.id,
        schema_type=found.schema.schema_type,
        schema_=found.schema.text,
        pubsub_schema=schema,
        revision_id=revision_id,
    )
    return RegistryJSONResponse(body.wire())
