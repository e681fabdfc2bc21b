"""The registry's Prometheus metrics: what one app counts, and `/metrics` in the text format."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Mapping

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

# Labels hold only values from closed sets (route templates, methods, statuses, reasons): never a
# topic, team or raw path, so the number of series stays bounded whatever callers send.
UNMATCHED_ROUTE = "(unmatched)"
REGISTRATION_REFUSALS = ("level", "contract", "invalid", "forbidden", "not_permitted")
EXPOSITION_TYPE = CONTENT_TYPE_LATEST
# prometheus-client keeps each process's values in files there when it is set (`accord serve`
# sets it, also for one worker); `/metrics` then sums every worker's files.
_MULTIPROC = "PROMETHEUS_MULTIPROC_DIR"

OutboxDepth = Callable[[], Mapping[str, int]]

log = logging.getLogger("accord.metrics")


class RegistryMetrics:
    """One app's metrics. Two apps in one process each have their own (tests build many)."""

    def __init__(self) -> None:
        self.collectors = CollectorRegistry(auto_describe=True)
        into = self.collectors
        self.requests = Counter(
            "accord_http_requests",
            "HTTP requests answered, by route template, method and status.",
            ["route", "method", "status"],
            registry=into,
        )
        self.request_seconds = Histogram(
            "accord_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by route template.",
            ["route", "method"],
            registry=into,
        )
        self.registrations = Counter(
            "accord_registrations_accepted",
            "Registrations accepted: a new version, or a schema the topic already had.",
            ["outcome"],
            registry=into,
        )
        self.refusals = Counter(
            "accord_registrations_refused",
            "Registrations refused, by reason: level (compatibility), contract (a consumer's), "
            "invalid (schema, name, id or version), forbidden (ownership), not_permitted (mode).",
            ["reason"],
            registry=into,
        )
        self.checks = Counter(
            "accord_checks",
            "Compatibility and contract checks run without registering, by kind and result.",
            ["kind", "result"],
            registry=into,
        )
        self.database_seconds = Histogram(
            "accord_database_transaction_duration_seconds",
            "Time of one use case's transaction, retries included, by operation.",
            ["operation"],
            registry=into,
        )
        self.database_errors = Counter(
            "accord_database_errors",
            "Database errors met by a transaction attempt (retried or not), by operation and kind: "
            "race (a concurrent writer won), lost (connection), refused (storage), other.",
            ["operation", "kind"],
            registry=into,
        )
        self.cache_lookups = Counter(
            "accord_cache_lookups",
            "In-memory cache lookups, by cache and result (hit or miss).",
            ["cache", "result"],
            registry=into,
        )
        self.authentication_failures = Counter(
            "accord_authentication_failures",
            "Requests refused with 401, by reason: missing or invalid credentials.",
            ["reason"],
            registry=into,
        )
        self.outbox_failures = Counter(
            "accord_outbox_delivery_failures",
            "Outbox deliveries that failed (and will be retried), by kind of side effect.",
            ["kind"],
            registry=into,
        )
        self._outbox_depths: list[OutboxDepth] = []
        self._lock = threading.Lock()
        self._outbox = _OutboxCollector(self._outbox_depths)
        into.register(self._outbox)

    # --- what the rest of the registry calls ----------------------------------------------------

    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.request_seconds.labels(route, method).observe(seconds)

    def registration_accepted(self, *, new_version: bool) -> None:
        self.registrations.labels("new_version" if new_version else "existing").inc()

    def registration_refused(self, reason: str) -> None:
        self.refusals.labels(reason).inc()

    def check_run(self, kind: str, *, compatible: bool) -> None:
        self.checks.labels(kind, "compatible" if compatible else "incompatible").inc()

    def database(self, operation: str, seconds: float) -> None:
        self.database_seconds.labels(operation).observe(seconds)

    def database_error(self, operation: str, kind: str) -> None:
        self.database_errors.labels(operation, kind).inc()

    def cache_counters(self, cache: str) -> tuple[Callable[[], None], Callable[[], None]]:
        """(on_hit, on_miss) for a cache named `cache`: bound once, cheap on every lookup."""
        return self.cache_lookups.labels(cache, "hit").inc, self.cache_lookups.labels(
            cache, "miss"
        ).inc

    def authentication_failed(self, reason: str) -> None:
        self.authentication_failures.labels(reason).inc()

    def outbox_delivery_failed(self, kind: str) -> None:
        """For the outbox worker: one failed delivery attempt of a `kind` of side effect."""
        self.outbox_failures.labels(kind).inc()

    def watch_outbox(self, depth: OutboxDepth) -> None:
        """For the outbox: `depth()` answers the undelivered rows by kind, read at each scrape
        (from the database, so every worker reports the same numbers)."""
        with self._lock:
            self._outbox_depths.append(depth)

    # --- the exposition -------------------------------------------------------------------------

    def exposition(self) -> bytes:
        """Every metric in Prometheus' text format; under several workers, all of theirs summed."""
        directory = os.environ.get(_MULTIPROC)
        if not directory:
            return generate_latest(self.collectors)
        merged = CollectorRegistry()
        MultiProcessCollector(merged, path=directory)  # type: ignore[no-untyped-call]
        merged.register(self._outbox)
        return generate_latest(merged)


class _OutboxCollector(Collector):
    """`accord_outbox_depth{kind}`: undelivered outbox rows, asked of the watchers at scrape."""

    def __init__(self, depths: list[OutboxDepth]) -> None:
        self._depths = depths

    def collect(self) -> Iterable[Metric]:
        if not self._depths:
            return []
        family = GaugeMetricFamily(
            "accord_outbox_depth", "Outbox rows not delivered yet, by kind.", labels=["kind"]
        )
        for depth in list(self._depths):
            try:
                counted = depth()
            except Exception:  # the database is down: every other metric is still worth a scrape
                log.warning("the outbox depth could not be read for /metrics", exc_info=True)
                continue
            for kind, rows in sorted(counted.items()):
                family.add_metric([kind], rows)
        return [family]

    def describe(self) -> Iterable[Metric]:
        return []
