"""Server-level routes: `/` liveness, health and readiness, contexts, cluster metadata."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from registry.api.errors import documented
from registry.api.models import ErrorMessage, Health, ServerClusterId, ServerVersion
from registry.api.params import Ctx
from registry.api.wire import RegistryJSONResponse

router = APIRouter(tags=["server"])


def _accord_version() -> str:
    try:
        return package_version("accord")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


@router.get("/", response_model=dict[str, str], description="Confluent's liveness no-op: {}.")
async def root() -> Response:
    return RegistryJSONResponse({})


@router.post("/", response_model=dict[str, str], description="Confluent's no-op: {}.")
async def root_post() -> Response:
    return RegistryJSONResponse({})


@router.get("/healthz", response_model=Health, description="The process is up.")
async def healthz() -> Response:
    return RegistryJSONResponse(Health(status="ok").wire())


@router.get(
    "/readyz",
    response_model=Health,
    responses={
        503: {
            "model": ErrorMessage,
            "description": "The database is unreachable, or its SQLite file was removed or "
            "replaced (error_code 50301)",
        }
    },
    description="The database answers and is the one opened at start; load balancers send "
    "traffic only then.",
)
async def readyz(ctx: Ctx) -> Response:
    await run_in_threadpool(ctx.db.check_ready)
    return RegistryJSONResponse(Health(status="ready").wire())


@router.get("/contexts", response_model=list[str], responses=documented(500))
async def contexts() -> Response:
    return RegistryJSONResponse(["."])


@router.get("/v1/metadata/id", response_model=ServerClusterId)
async def cluster_id(ctx: Ctx) -> Response:
    body = ServerClusterId(scope={"path": [], "clusters": {}}, id=ctx.settings.cluster_id)
    return RegistryJSONResponse(body.wire())


@router.get("/v1/metadata/version", response_model=ServerVersion)
async def server_version() -> Response:
    return RegistryJSONResponse(ServerVersion(version=_accord_version(), commit_id="").wire())
