"""The Pub/Sub integration's life inside one app: gateway, worker and its task, off when not configured."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlmodel import Session

from registry.auth import require_admin
from registry.context import RegistryContext
from registry.errors import PubSubFailed, PubSubNotConfigured
from registry.principal import Principal
from registry.pubsub.gateway import PubSubGateway
from registry.pubsub.outbox import SCHEMA_SYNC, backfill, enqueue, make_due, waiting
from registry.pubsub.sync import record_failure, sync_topic
from registry.pubsub.worker import OutboxWorker


@dataclass
class PubSubRuntime:
    """What `RegistryContext.pubsub` holds when ACCORD_PUBSUB_PROJECT is set."""

    gateway: PubSubGateway
    worker: OutboxWorker


def create_runtime(ctx: RegistryContext) -> PubSubRuntime:
    gateway = PubSubGateway(ctx.settings)
    worker = OutboxWorker(ctx, gateway)
    worker.handlers[SCHEMA_SYNC] = sync_topic
    worker.on_failure[SCHEMA_SYNC] = record_failure
    return PubSubRuntime(gateway, worker)


@contextlib.asynccontextmanager
async def running(ctx: RegistryContext, *, background: bool = True) -> AsyncIterator[None]:
    """Attach the runtime to `ctx` and run its worker as a task until the app stops. Nothing at
    all when Pub/Sub enforcement is off."""
    if not ctx.settings.pubsub_enabled:
        yield
        return
    runtime = create_runtime(ctx)
    ctx.pubsub = runtime
    stop = asyncio.Event()
    task = asyncio.create_task(runtime.worker.run_forever(stop)) if background else None
    try:
        yield
    finally:
        stop.set()
        if task is not None:
            await task
        runtime.gateway.close()


@dataclass(frozen=True, slots=True)
class SyncReport:
    """What a one-shot sync did: topics synced, topics that failed (and why), topics whose drift
    was repaired, and topics still owed (held by another replica's worker, or failed)."""

    synced: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]
    repaired: tuple[str, ...]
    waiting: tuple[str, ...]


def runtime_of(ctx: RegistryContext) -> PubSubRuntime:
    if ctx.pubsub is None:
        raise PubSubNotConfigured(
            "Pub/Sub enforcement is off on this registry: set ACCORD_PUBSUB_PROJECT (and "
            "Application Default Credentials, or PUBSUB_EMULATOR_HOST) and restart it"
        )
    return ctx.pubsub


def sync_now(ctx: RegistryContext, principal: Principal, *, repair: bool) -> SyncReport:
    """`accord pubsub sync`: owe a sync to every topic never synced (and, with `repair`, to every
    topic that drifted), make all owed work due, and deliver it now. Rows another replica holds
    are left to it (they show as waiting)."""
    from registry.pubsub.status import pubsub_status

    runtime = runtime_of(ctx)
    if repair:  # rewrites Pub/Sub for every drifted topic, whoever owns it
        require_admin(principal, "repair Pub/Sub")
    backfill(ctx.settings, ctx.db)
    repaired: list[str] = []
    if repair:
        status = pubsub_status(ctx)
        if status.pubsub_error is not None:
            raise PubSubFailed(
                f"Cannot repair: {status.pubsub_error}", retryable=True, status="UNAVAILABLE"
            )
        repaired = [t.topic for t in status.topics if t.drift]

        def owe(session: Session) -> None:
            for topic in repaired:
                enqueue(ctx.settings, session, topic, "repair")

        ctx.db.write(owe)
    kinds = list(runtime.worker.handlers)
    make_due(ctx.db, kinds)
    outcomes = runtime.worker.run_once()
    return SyncReport(
        synced=tuple(o.topic for o in outcomes if o.error is None),
        failed=tuple((o.topic, o.error) for o in outcomes if o.error is not None),
        repaired=tuple(t for t in repaired if any(o.topic == t and not o.error for o in outcomes)),
        waiting=tuple(topic for topic, _ in waiting(ctx.db, kinds)),
    )
