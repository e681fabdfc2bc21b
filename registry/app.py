"""`create_app(settings)`: the registry's FastAPI application, with no import-time state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from registry.api import audit, consumers, errors, metrics, pubsub, pubsub_topology, teams
from registry.api.confluent import compatibility, config, mode, schemas, server, subjects
from registry.api.params import SECURITY_SCHEMES, current_principal
from registry.api.wire import EncodedAnswers, RegistryJSONResponse, WireMiddleware
from registry.context import RegistryContext
from registry.db import Database, create_db_engine, migrate
from registry.metrics import RegistryMetrics
from registry.observability import RequestObservation, RouteTemplate
from registry.pubsub import outbox
from registry.pubsub import runtime as pubsub_runtime
from registry.settings import Settings
from registry.usecases.compatibility import refuse_unless_accepted


def create_app(settings: Settings | None = None) -> FastAPI:
    """A registry app. The engine, migrations and caches are set up by its lifespan, so creating
    an app is cheap and two apps with different settings live side by side in one process."""
    settings = settings or Settings.from_env()
    collected = RegistryMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_db_engine(settings.database_url)
        try:
            if settings.migrate_on_start:
                await run_in_threadpool(migrate, engine)
            db = Database(engine, write_retries=settings.write_retries, metrics=collected)
            # The registry's checks of a registration: the one decision (level and contracts).
            app.state.registry = context = RegistryContext.create(
                settings, db, checks=[refuse_unless_accepted], metrics=collected
            )
            collected.watch_outbox(lambda: outbox.depth(db))
            async with pubsub_runtime.running(context, background=settings.pubsub_worker):
                yield
        finally:
            engine.dispose()

    app = FastAPI(
        title="Accord registry",
        summary="A schema registry speaking the Confluent Schema Registry REST API.",
        version="1",
        lifespan=lifespan,
        default_response_class=RegistryJSONResponse,
        # No redirects: a trailing-slash redirect is built from the request's Host header before
        # authentication. `/subjects/` answers 404 saying to drop the slash (registry.api.errors).
        redirect_slashes=False,
    )
    errors.install(app)
    # Liveness, health and cluster metadata answer anyone; every other route needs credentials once
    # auth is on (an admin token is set). FastAPI caches the dependency per request: a write resolves it once.
    # Routing tries routes in order, a few microseconds each: the hot reads (a schema by id, a
    # topic's version) come first.
    authenticated = [Depends(current_principal)]
    for hot in (schemas.reads, subjects.reads):
        app.include_router(hot, dependencies=authenticated)
    app.include_router(server.router)
    public = [*server.router.routes]
    if settings.metrics_public:
        app.include_router(metrics.router)
        public += metrics.router.routes
    else:
        app.include_router(metrics.router, dependencies=authenticated)
    for resource in (schemas, subjects, compatibility, config, mode):
        app.include_router(resource.router, dependencies=authenticated)
    # Accord's extensions beside the Confluent API (consumer contracts, the check, fields).
    app.include_router(consumers.router, dependencies=authenticated)
    # Teams, tokens, topic owners and the audit log: who may write what, and who did.
    app.include_router(teams.router, dependencies=authenticated)
    app.include_router(audit.router, dependencies=authenticated)
    # Pub/Sub enforcement: status, one-shot sync, cutover (off until a project is configured).
    app.include_router(pubsub.router, dependencies=authenticated)
    # Pub/Sub: the topology of topics and subscriptions Accord keeps.
    app.include_router(pubsub_topology.router, dependencies=authenticated)
    # Innermost to outermost: the route template is noted once routed; the request id, log line
    # and request metrics wrap everything, the wire's own refusals included.
    app.add_middleware(RouteTemplate)
    app.add_middleware(WireMiddleware, max_request_bytes=settings.max_request_bytes)
    app.add_middleware(RequestObservation, metrics=collected)
    _document_security(app, public=public)
    app.state.settings = settings
    app.state.metrics = collected
    app.state.answers = EncodedAnswers(settings.schema_cache_size)
    return app


def _document_security(app: FastAPI, public: list[Any]) -> None:
    """OpenAPI: every operation but the `public` ones accepts a team token (Bearer) or basic auth."""
    open_operations = {
        (route.path, method.lower())
        for route in public
        if isinstance(route, APIRoute)
        for method in route.methods or ()
    }
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = generate()
            spec.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
            for path, path_item in spec.get("paths", {}).items():
                for method, operation in path_item.items():
                    if (path, method) not in open_operations:
                        operation["security"] = [{name: []} for name in SECURITY_SCHEMES]
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
