"""The outbox worker: claims due rows, runs each kind's handler, records success or backs off."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool

from registry.context import RegistryContext
from registry.errors import PubSubFailed
from registry.pubsub import outbox
from registry.pubsub.gateway import PubSubGateway

log = logging.getLogger("accord.pubsub")

# A handler makes Pub/Sub match the registry for one topic, idempotently; raises PubSubFailed.
Handler = Callable[[RegistryContext, PubSubGateway, str], object]
# What one failure does besides backing off (status records it).
FailureRecorder = Callable[[RegistryContext, str, str], None]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one claimed row."""

    kind: str
    topic: str
    error: str | None = None


@dataclass
class OutboxWorker:
    """Delivers the outbox. `handlers` maps a row kind to its handler; the schema sync is
    registered by `registry.pubsub.runtime`, and other parts (the topology) add theirs."""

    ctx: RegistryContext
    gateway: PubSubGateway
    handlers: dict[str, Handler] = field(default_factory=dict)
    on_failure: dict[str, FailureRecorder] = field(default_factory=dict)
    name: str = field(default_factory=lambda: f"worker-{uuid.uuid4().hex[:12]}")
    batch: int = 50

    def run_once(
        self,
        *,
        topics: Iterable[str] | None = None,
        stopping: Callable[[], bool] = lambda: False,
    ) -> list[Outcome]:
        """Claim what is due (of `topics`, or all) and deliver it; rows another worker holds
        are skipped. Returns one outcome per delivered row. Once `stopping()` says so, no more
        rows are claimed (a claimed row is delivered or, if the process dies, its lease ends)."""
        settings = self.ctx.settings
        chosen = None if topics is None else list(topics)
        outcomes: list[Outcome] = []
        while not stopping():
            claims = outbox.claim(
                self.ctx.db,
                self.name,
                lease_seconds=settings.pubsub_lease_seconds,
                limit=self.batch,
                kinds=self.handlers,
                topics=chosen,
            )
            if not claims:
                return outcomes
            claimed_at = time.monotonic()
            for index, held in enumerate(claims):
                # A row is started only while half its lease is left, more than one topic's
                # sync takes: behind a slow Pub/Sub the rest go back rather than being synced
                # after their lease ended (when another replica may already hold them).
                if time.monotonic() - claimed_at > settings.pubsub_lease_seconds / 2:
                    outbox.release(self.ctx.db, claims[index:])
                    break
                outcomes.append(self._deliver(held))
            if chosen is not None:
                return outcomes  # a one-shot run over named topics tries each once
        return outcomes

    def _deliver(self, held: outbox.Claim) -> Outcome:
        handler = self.handlers[held.kind]
        try:
            handler(self.ctx, self.gateway, held.topic)
        except PubSubFailed as failure:
            message = failure.message
        except Exception as exc:  # a bug must not stop the worker; the row is retried
            log.exception("Pub/Sub %s sync of %r failed unexpectedly", held.kind, held.topic)
            message = f"unexpected {type(exc).__name__}: {exc}"
        else:
            outbox.finish(self.ctx.db, held)
            return Outcome(held.kind, held.topic)
        self.ctx.metrics.outbox_delivery_failed(held.kind)
        recorder = self.on_failure.get(held.kind)
        if recorder is not None:
            recorder(self.ctx, held.topic, message)
        outbox.fail(
            self.ctx.db,
            held,
            message,
            max_backoff_seconds=self.ctx.settings.pubsub_max_backoff_seconds,
        )
        log.warning("Pub/Sub %s sync of %r failed: %s", held.kind, held.topic, message)
        return Outcome(held.kind, held.topic, message)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Inside `accord serve`: deliver, then wait the poll interval (or until stopped)."""
        try:
            await run_in_threadpool(outbox.backfill, self.ctx.settings, self.ctx.db)
        except Exception:
            log.exception("Pub/Sub backfill failed; the worker carries on")
        while not stop.is_set():
            try:
                await run_in_threadpool(lambda: self.run_once(stopping=stop.is_set))
            except Exception:  # the database was unreachable: try again next round
                log.exception("Pub/Sub outbox round failed; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.ctx.settings.pubsub_poll_seconds)
