"""The one exception tree of clients/: every failure a producer or consumer can catch, from AccordError."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from contracts import Finding
from contracts.report import CheckReport


class AccordError(Exception):
    """Base of every error raised by clients/. No raw httpx or JSON error ever reaches the caller.

    Tree::

        AccordError
        ├── RegistryUnavailable      the registry could not be reached (after retries)
        ├── RegistryError            the registry answered with an error (status, error_code, message)
        │   ├── NotAuthorized        401/403: credentials missing or invalid, or not the owner
        │   ├── SchemaNotFound       404: unknown topic, version or schema id
        │   ├── IncompatibleSchema   409: a registration the topic's compatibility rule refuses
        │   └── InvalidSchemaError   422: a schema the registry cannot parse
        ├── InvalidArgument          refused before any network call: a topic, version, id or
        │                            attribute the registry or Pub/Sub cannot take
        ├── UnknownTopic             the publisher has no usable schema for a topic
        ├── InvalidMessage           a message its schema refuses; nothing was published
        ├── PublishFailed            the Pub/Sub client refused to queue a validated message
        └── DecodeError              a received message that cannot be decoded
            └── ContractViolation    decoded, but the consumer's contract refuses it
    """


class RegistryUnavailable(AccordError):
    """The registry could not be reached: connection refused, timeout, or 429/5xx after every retry.

    `status` is the last HTTP status when the registry answered at all (429, 503…), else None.
    Publishers treat this as an outage and carry on from their cache.
    """

    def __init__(self, message: str, *, status: int | None = None) -> None:
        self.status = status
        super().__init__(message)


class RegistryError(AccordError):
    """The registry answered with an error body `{"error_code": int, "message": str}`.

    `error_code` is Confluent's (40401 subject not found, 40403 schema not found, 409/40901
    incompatible…); it is -1 when the body was not such a JSON object. `details` keeps every other
    field of the error body (Accord's 409s add the check `report`), empty when there is none.
    """

    def __init__(
        self,
        status: int,
        error_code: int,
        message: str,
        *,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        self.status = status
        self.error_code = error_code
        self.message = message
        self.details: dict[str, Any] = dict(details or {})
        super().__init__(f"registry answered {status} (error {error_code}): {message}")


class NotAuthorized(RegistryError):
    """401: credentials missing, invalid or revoked (40101); 403: the caller's team may not make
    this change, e.g. a topic another team owns (40301). Retrying with the same token cannot help."""


class SchemaNotFound(RegistryError):
    """404: the topic, the version or the schema id does not exist (40401, 40402, 40403)."""


class IncompatibleSchema(RegistryError):
    """409: the topic's compatibility rule (or a consumer contract) refuses the schema.

    `report` is the check report Accord sends with a refusal by consumer contracts (a producer
    version breaking a contract, a contract the producer schema does not satisfy); None when the
    refusal came without one (the compatibility level alone, or a plain Confluent registry).
    """

    @property
    def report(self) -> CheckReport | None:
        body = self.details.get("report")
        if not isinstance(body, dict):
            return None
        try:
            return CheckReport.from_dict(body)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None


class InvalidSchemaError(RegistryError):
    """422: the registry refused the request as invalid (error codes 422xx, e.g. 42201)."""


class InvalidArgument(AccordError, ValueError):
    """An argument the client refuses before any network call, saying which and why: a topic named
    '.' or '..' (a URL would collapse it), a version or schema id that is not a positive integer, an
    attribute Pub/Sub cannot carry or whose name is reserved, text that is not valid UTF-8."""


class PublishFailed(AccordError):
    """The google-cloud-pubsub client refused to queue a message that was validated and encoded
    (a stopped publisher, an ordering key without message ordering, flow control). Failures after
    queueing arrive, as always with Pub/Sub, through the returned future."""


class UnknownTopic(AccordError):
    """The publisher has no schema for this topic: the registry does not know it, or the registry is
    unreachable and the topic was never seen (not in memory, not in the on-disk cache)."""

    def __init__(self, topic: str, reason: str) -> None:
        self.topic = topic
        super().__init__(f"cannot publish to topic {topic!r}: {reason}")


class InvalidMessage(AccordError, ValueError):
    """A message its topic's schema refuses. `findings` lists every problem with its path; nothing
    was sent to Pub/Sub."""

    def __init__(self, topic: str, findings: Sequence[Finding], *, schema_id: int | None = None):
        self.topic = topic
        self.findings = tuple(findings)
        self.schema_id = schema_id
        problems = "\n".join(f"  {f.where}: {f.message}" for f in self.findings)
        which = f" (schema id {schema_id})" if schema_id is not None else ""
        count = len(self.findings)
        plural = "problem" if count == 1 else "problems"
        super().__init__(
            f"message for topic {topic!r} refused by its schema{which}, {count} {plural}:\n"
            f"{problems}"
        )


class DecodeError(AccordError):
    """A received message that cannot be decoded: missing or malformed Accord attributes, an unknown
    schema id, an unknown encoding, or a payload that does not match its writer schema."""


class ContractViolation(DecodeError):
    """The message decoded with its writer schema, but the consumer's contract refuses it."""

    def __init__(self, topic: str, findings: Sequence[Finding]) -> None:
        self.topic = topic
        self.findings = tuple(findings)
        problems = "; ".join(f"{f.where}: {f.message}" for f in self.findings)
        super().__init__(f"message on topic {topic!r} does not satisfy the contract: {problems}")
