"""The Pub/Sub admin gateway: clients made once from the settings, every gRPC error one clear message."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from registry.errors import PubSubFailed, PubSubNotConfigured
from registry.settings import Settings

T = TypeVar("T")

# gRPC status -> (retryable, what it means to an operator). Anything else is not retried.
_STATUS: dict[str, tuple[bool, str]] = {
    "UNAVAILABLE": (True, "Pub/Sub is unavailable"),
    "DEADLINE_EXCEEDED": (True, "Pub/Sub did not answer in time"),
    "INTERNAL": (True, "Pub/Sub had an internal error"),
    "RESOURCE_EXHAUSTED": (True, "Pub/Sub's quota is exhausted"),
    "ABORTED": (True, "Pub/Sub aborted the call"),
    "UNKNOWN": (True, "Pub/Sub failed"),
    "PERMISSION_DENIED": (False, "no permission"),
    "UNAUTHENTICATED": (False, "the credentials were refused"),
    "INVALID_ARGUMENT": (False, "Pub/Sub refused the request"),
    "FAILED_PRECONDITION": (False, "Pub/Sub refused the request"),
    "NOT_FOUND": (False, "not found"),
    "ALREADY_EXISTS": (False, "already exists"),
    "UNIMPLEMENTED": (False, "this Pub/Sub server does not support the call"),
}


class PubSubGateway:
    """Pub/Sub's admin clients (SchemaServiceClient, PublisherClient, SubscriberClient) for one
    project, created on first use and shared by the worker and the request handlers.

    Every call goes through `call`, which turns google-api-core's exceptions into `PubSubFailed`
    with a sentence naming the operation, the resource and the cause — never a traceback."""

    def __init__(self, settings: Settings) -> None:
        if settings.pubsub_project is None:
            raise PubSubNotConfigured(
                "Pub/Sub enforcement is off: set ACCORD_PUBSUB_PROJECT to the Google Cloud project"
            )
        self.project: str = settings.pubsub_project
        self.emulator_host = settings.pubsub_emulator_host
        self.timeout = settings.pubsub_call_timeout_seconds
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}

    # -- resource names ------------------------------------------------------------------------
    def topic_path(self, topic: str) -> str:
        return f"projects/{self.project}/topics/{topic}"

    def schema_path(self, schema_id: str) -> str:
        return f"projects/{self.project}/schemas/{schema_id}"

    def subscription_path(self, subscription: str) -> str:
        return f"projects/{self.project}/subscriptions/{subscription}"

    @property
    def project_path(self) -> str:
        return f"projects/{self.project}"

    # -- clients -------------------------------------------------------------------------------
    @property
    def schemas(self) -> Any:
        """google.pubsub_v1.SchemaServiceClient."""
        return self._client("schemas")

    @property
    def publisher(self) -> Any:
        """google.pubsub_v1.PublisherClient (the admin client: topics, not batching publishes)."""
        return self._client("publisher")

    @property
    def subscriber(self) -> Any:
        """google.pubsub_v1.SubscriberClient (the admin client: subscriptions)."""
        return self._client("subscriber")

    def _client(self, kind: str) -> Any:
        with self._lock:
            client = self._clients.get(kind)
            if client is None:
                client = self._clients[kind] = self._create(kind)
            return client

    def _create(self, kind: str) -> Any:
        from google import pubsub_v1
        from google.pubsub_v1.services.publisher.transports import PublisherGrpcTransport
        from google.pubsub_v1.services.schema_service.transports import SchemaServiceGrpcTransport
        from google.pubsub_v1.services.subscriber.transports import SubscriberGrpcTransport

        classes: dict[str, tuple[Any, Any]] = {
            "schemas": (pubsub_v1.SchemaServiceClient, SchemaServiceGrpcTransport),
            "publisher": (pubsub_v1.PublisherClient, PublisherGrpcTransport),
            "subscriber": (pubsub_v1.SubscriberClient, SubscriberGrpcTransport),
        }
        client_class, transport_class = classes[kind]
        try:
            if self.emulator_host:
                import grpc

                channel = grpc.insecure_channel(self.emulator_host)
                return client_class(transport=transport_class(channel=channel))
            return client_class()  # Application Default Credentials
        except Exception as exc:  # google.auth's DefaultCredentialsError and kin
            raise PubSubFailed(
                f"Cannot create the Pub/Sub client for project {self.project!r}: "
                f"{type(exc).__name__}: {_first_line(exc)} (set up Application Default "
                "Credentials, or PUBSUB_EMULATOR_HOST for an emulator)",
                retryable=False,
                status="CREDENTIALS",
            ) from exc

    def close(self) -> None:
        with self._lock:
            clients, self._clients = self._clients, {}
        for client in clients.values():
            client.transport.close()

    # -- calls ---------------------------------------------------------------------------------
    def call(self, what: str, method: Callable[..., T], /, **request: Any) -> T:
        """`method(**request)` with the gateway's timeout and no client-side retry (the outbox
        retries whole topics); a failure becomes PubSubFailed saying `what` failed and why."""
        from google.api_core.exceptions import GoogleAPICallError, RetryError

        try:
            return method(**request, timeout=self.timeout, retry=None)
        except GoogleAPICallError as exc:
            status = _status_name(exc)
            retryable, meaning = _STATUS.get(status, (False, "Pub/Sub refused the call"))
            if status == "NOT_FOUND" and _names_project(exc.message or ""):
                # Kept apart from a missing topic or schema, which callers treat as "create it".
                status = "PROJECT_NOT_FOUND"
                meaning = f"project {self.project!r} does not exist or is not accessible"
            raise PubSubFailed(
                f"{what}: {meaning} ({status}: {_first_line(exc.message or str(exc))})",
                retryable=retryable,
                status=status,
            ) from exc
        except RetryError as exc:
            raise PubSubFailed(
                f"{what}: Pub/Sub did not answer ({_first_line(exc)})",
                retryable=True,
                status="UNAVAILABLE",
            ) from exc


def _names_project(message: str) -> bool:
    """Pub/Sub's NOT_FOUND for a project, rather than for a resource in it."""
    lowered = message.lower()
    return "project not found" in lowered or "(project=" in lowered


def _status_name(exc: Any) -> str:
    code = getattr(exc, "grpc_status_code", None)
    if code is not None:
        return str(code.name)
    return type(exc).__name__.upper()


def _first_line(value: object, limit: int = 300) -> str:
    text = str(value).strip().splitlines()[0] if str(value).strip() else ""
    return text[:limit]


def resource_id_problem(resource_id: str) -> str | None:
    """Why Pub/Sub would refuse `resource_id` as a topic, schema or subscription ID (its documented
    rule), or None: said before any call, so nothing is half-applied."""
    if resource_id.startswith("goog"):
        return 'it must not start with "goog"'
    if not 3 <= len(resource_id) <= 255:
        return "it must be 3 to 255 characters long"
    if not resource_id[0].isascii() or not resource_id[0].isalpha():
        return "it must start with a letter"
    allowed = set("-_.~+%")
    if any(not (c.isascii() and (c.isalnum() or c in allowed)) for c in resource_id):
        return "it may contain only letters, digits and - _ . ~ + %"
    return None
