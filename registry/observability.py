"""Request ids, one structured log line per request and per refusal, and request metrics."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.errors import ServiceError
from registry.metrics import UNMATCHED_ROUTE, RegistryMetrics

REQUEST_ID_HEADER = "X-Request-ID"
# A caller's request id is kept only if it is short and plain: it is echoed in a header and
# written to every log line, so it must not carry line breaks, quotes or unbounded text.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# The scope key under which a request's observation travels to the inner layers.
_SCOPE_KEY = "accord.observation"

requests_log = logging.getLogger("accord.requests")
refusals_log = logging.getLogger("accord.refusals")

# The request being answered, for every log line written while it is (threads included: the
# thread pool runs each call in a copy of the request's context).
current_request_id: ContextVar[str | None] = ContextVar("accord_request_id", default=None)


@dataclass(slots=True)
class Observation:
    """What the layers of one request learn about it, reported once it is answered."""

    request_id: str
    route: str = UNMATCHED_ROUTE
    team: str | None = None


def observation(scope: Scope) -> Observation | None:
    found = scope.get(_SCOPE_KEY)
    return found if isinstance(found, Observation) else None


def request_id_of(headers: list[tuple[bytes, bytes]]) -> str:
    """The caller's X-Request-ID when it is plain and short, else a new one."""
    for name, value in headers:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            if _REQUEST_ID.fullmatch(text):
                return text
            break
    return uuid.uuid4().hex


class RequestObservation:
    """The outermost layer: gives each request its id (returned as X-Request-ID), then counts it
    and writes its one log line by route template, status, duration and team."""

    def __init__(self, app: ASGIApp, *, metrics: RegistryMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        seen = Observation(request_id_of(scope.get("headers") or []))
        scope[_SCOPE_KEY] = seen
        token = current_request_id.set(seen.request_id)
        header = (b"x-request-id", seen.request_id.encode("ascii"))
        # An exception escaping every handler is answered 500 by Starlette outside this layer.
        status = 500
        reported = False

        def report() -> None:
            nonlocal reported
            reported = True
            seconds = time.perf_counter() - started
            method = scope["method"]
            client = scope.get("client")
            self.metrics.request(seen.route, method, status, seconds)
            requests_log.info(
                "%s %s %d",
                method,
                seen.route,
                status,
                extra={
                    "fields": {
                        "event": "request",
                        "method": method,
                        "route": seen.route,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 3),
                        "team": seen.team,
                        # The peer, or the client a trusted proxy names (X-Forwarded-For).
                        "client": client[0] if client else None,
                    }
                },
            )

        async def answering(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []), header]}
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                # Counted and logged before the answer's end leaves: a client that has its answer
                # finds it in /metrics and the log.
                report()
            await send(message)

        try:
            await self.app(scope, receive, answering)
        finally:
            if not reported:  # no answer, or Starlette answers an escaped exception outside
                report()
            current_request_id.reset(token)


class RouteTemplate:
    """The innermost layer: once the router has matched, note the route's template (never the
    raw path, which would make one series per topic) on the request's observation."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        def note() -> None:
            seen = observation(scope)
            route = getattr(scope.get("route"), "path", None)
            if seen is not None and isinstance(route, str):
                seen.route = route

        async def answering(message: Message) -> None:
            if message["type"] == "http.response.start":
                note()  # routed by now; known before the outer layer reports the answer
            await send(message)

        try:
            await self.app(scope, receive, answering)
        finally:
            note()


def identified(scope: Scope, team: str) -> None:
    """Note who is calling (a team's name, `admin` or `anonymous`) for the request's log line."""
    seen = observation(scope)
    if seen is not None:
        seen.team = team


def refused(reason: str, error: ServiceError, **fields: object) -> None:
    """The one log line of a refusal: its reason, its error code and its message."""
    refusals_log.info(
        "refused (%s): %s",
        reason,
        error.message,
        extra={
            "fields": {
                "event": "refusal",
                "reason": reason,
                "status": error.http_status,
                "error_code": error.code,
                **fields,
            }
        },
    )


# --- log formats ---------------------------------------------------------------------------------


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, process id, the request id and the
    record's `fields` (passed as `extra={"fields": {...}}`)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            # Which worker process wrote it, when several serve one port.
            "pid": record.process,
        }
        request_id = current_request_id.get()
        if request_id is not None:
            entry["request_id"] = request_id
        entry.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """A line for a person: time, level, logger, message, then `key=value` fields."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = dict(getattr(record, "fields", None) or {})
        fields.pop("event", None)
        request_id = current_request_id.get()
        if request_id is not None:
            fields = {"request_id": request_id, **fields}
        extra = " ".join(f"{key}={value}" for key, value in fields.items() if value is not None)
        return f"{line} [{extra}]" if extra else line


def log_config(log_format: str, level: str) -> dict[str, Any]:
    """`logging.config.dictConfig` for the server (uvicorn applies it in every worker): Accord's
    and uvicorn's own lines in one format on stderr; uvicorn's access log is replaced by
    `accord.requests`."""
    formatter = JsonFormatter if log_format == "json" else TextFormatter
    handler = {
        "class": "logging.StreamHandler",
        "formatter": "accord",
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"accord": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "handlers": {"stderr": handler},
        "loggers": {
            "accord": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
