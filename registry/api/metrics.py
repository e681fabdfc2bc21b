"""`GET /metrics`: the registry's metrics in Prometheus' text format (registry.metrics)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from registry.metrics import EXPOSITION_TYPE, RegistryMetrics

router = APIRouter(tags=["server"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {EXPOSITION_TYPE: {}}, "description": "Prometheus text format"}},
    description="Requests, registrations, checks, database, caches, outbox and authentication "
    "failures, summed over every worker. Public unless the setting metrics_public is false.",
)
async def metrics(request: Request) -> Response:
    collected: RegistryMetrics = request.app.state.metrics
    # Reading every worker's files (and the outbox depth from the database) blocks: off the loop.
    return Response(await run_in_threadpool(collected.exposition), media_type=EXPOSITION_TYPE)
