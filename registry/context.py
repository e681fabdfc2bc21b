"""What every use case runs with: settings, the database and the caches of one app instance."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from registry.cache import LruCache, TtlCache
from registry.db import Database
from registry.metrics import RegistryMetrics
from registry.settings import Settings

if TYPE_CHECKING:
    from contracts import ParsedSchema
    from registry.pubsub.runtime import PubSubRuntime
    from registry.usecases.model import ProposedVersion, StoredSchema, SubjectVersion

RegistrationCheck = Callable[["ProposedVersion"], None]


@dataclass(slots=True)
class RegistryContext:
    """Lives on `app.state` for the app's lifetime; two apps in one process never share one."""

    settings: Settings
    db: Database
    metrics: RegistryMetrics
    schemas_by_id: LruCache[int, StoredSchema]
    parsed_by_id: LruCache[int, ParsedSchema]
    # subject -> its versions (live and soft-deleted), newest last; short-lived, see Settings.
    subject_versions: TtlCache[str, tuple[SubjectVersion, ...]]
    # Run in order on a snapshot of the topic, outside the registration's transaction (which then
    # re-verifies the snapshot); each raises a ServiceError to refuse. Assembled by `create_app`.
    registration_checks: list[RegistrationCheck] = field(default_factory=list)
    # The Pub/Sub gateway and outbox worker, set by the app's lifespan when enforcement is on.
    pubsub: PubSubRuntime | None = None

    @classmethod
    def create(
        cls,
        settings: Settings,
        db: Database,
        checks: Iterable[RegistrationCheck] = (),
        metrics: RegistryMetrics | None = None,
    ) -> RegistryContext:
        size = settings.schema_cache_size
        metrics = metrics or RegistryMetrics()
        return cls(
            settings=settings,
            db=db,
            metrics=metrics,
            schemas_by_id=LruCache(size, metrics.cache_counters("schemas_by_id")),
            parsed_by_id=LruCache(min(size, 1000), metrics.cache_counters("parsed_by_id")),
            subject_versions=TtlCache(
                settings.read_cache_ttl_seconds,
                size,
                counters=metrics.cache_counters("subject_versions"),
            ),
            registration_checks=list(checks),
        )
