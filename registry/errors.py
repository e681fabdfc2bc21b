"""The registry's one exception tree; each error carries its Confluent (HTTP status, error_code)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from contracts.report import CheckReport


class ServiceError(Exception):
    """Base of every error the registry turns into an HTTP answer `{"error_code", "message"}`.

    Subclasses only choose a row of the Confluent error table below; the one exception handler in
    `registry.api.errors` renders them.
    """

    http_status: ClassVar[int] = 500
    error_code: ClassVar[int] = 50001

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)

    @property
    def code(self) -> int:
        return self.error_code


# The Confluent error table (reference §1.4), one class per row that Accord produces.
class BadRequest(ServiceError):
    http_status, error_code = 400, 400


class Unauthorized(ServiceError):
    """Missing or invalid credentials; the answer carries a WWW-Authenticate challenge. The message
    never repeats what the caller sent."""

    http_status, error_code = 401, 40101
    headers: ClassVar[dict[str, str]] = {
        "WWW-Authenticate": 'Bearer realm="accord", Basic realm="accord", charset="UTF-8"'
    }


class Forbidden(ServiceError):
    """Authenticated, but the caller's team does not own what it tries to change."""

    http_status, error_code = 403, 40301


class SubjectNotFound(ServiceError):
    http_status, error_code = 404, 40401

    def __init__(self, subject: str, hint: str = "") -> None:
        super().__init__(f"Subject '{subject}' not found." + (f" {hint}" if hint else ""))


class VersionNotFound(ServiceError):
    http_status, error_code = 404, 40402

    def __init__(self, version: object, subject: str | None = None) -> None:
        where = f" of subject '{subject}'" if subject is not None else ""
        super().__init__(f"Version {version}{where} not found.")


class SchemaIdNotFound(ServiceError):
    http_status, error_code = 404, 40403


class SubjectSoftDeleted(ServiceError):
    http_status, error_code = 404, 40404


class SubjectNotSoftDeleted(ServiceError):
    http_status, error_code = 404, 40405


class VersionSoftDeleted(ServiceError):
    http_status, error_code = 404, 40406


class VersionNotSoftDeleted(ServiceError):
    http_status, error_code = 404, 40407


class SubjectConfigNotFound(ServiceError):
    http_status, error_code = 404, 40408


class SubjectModeNotFound(ServiceError):
    http_status, error_code = 404, 40409


class NotFound(ServiceError):
    """An unknown route, as Jersey answers it inside Confluent."""

    http_status, error_code = 404, 404


class MethodNotAllowed(ServiceError):
    http_status, error_code = 405, 405


class CompatibilityRefusal(ServiceError):
    """The error_code is a setting (409 or 40901), so the handler asks the instance, not the class."""

    http_status, error_code = 409, 409

    def __init__(self, message: str, *, error_code: int = 409) -> None:
        super().__init__(message)
        self._code = error_code

    @property
    def code(self) -> int:
        return self._code


class ContractRefused(CompatibilityRefusal):
    """A refusal that carries the decision's report; the error body adds it as `report`."""

    def __init__(self, message: str, report: CheckReport, *, error_code: int = 409) -> None:
        super().__init__(message, error_code=error_code)
        self.report = report
        self.details: dict[str, Any] = {"report": report.to_dict()}


class UnsupportedMediaType(ServiceError):
    http_status, error_code = 415, 415


class UnprocessableSchema(ServiceError):
    http_status, error_code = 422, 42201


class InvalidVersion(ServiceError):
    http_status, error_code = 422, 42202

    def __init__(self, version: str) -> None:
        super().__init__(
            f"The specified version '{version}' is not a valid version id. Allowed values are "
            'between [1, 2^31-1] and the string "latest"'
        )


class InvalidCompatibilityLevel(ServiceError):
    http_status, error_code = 422, 42203


class InvalidMode(ServiceError):
    http_status, error_code = 422, 42204


class OperationNotPermitted(ServiceError):
    http_status, error_code = 422, 42205


class IdMismatch(ServiceError):
    http_status, error_code = 422, 42207


class InvalidSubject(ServiceError):
    http_status, error_code = 422, 42208


class RequestTooLarge(ServiceError):
    """The request body exceeds the setting max_request_bytes."""

    http_status, error_code = 422, 42209


class StoreError(ServiceError):
    http_status, error_code = 500, 50001


class ServiceUnavailable(ServiceError):
    """The store cannot serve the request now: unreachable, connection lost, SQLite file removed,
    storage full or read-only. The message says plainly what happened to the request (a write
    whose COMMIT lost its connection may have been stored); driver details go to the log only."""

    http_status, error_code = 503, 50301
    # Seconds a client should wait before trying again.
    headers: ClassVar[dict[str, str]] = {"Retry-After": "1"}


# Accord's extensions (consumer contracts, teams): codes in Confluent's style, outside its ranges.
class ContractNotFound(ServiceError):
    http_status, error_code = 404, 40450

    def __init__(self, subject: str, consumer: str) -> None:
        super().__init__(f"Consumer '{consumer}' has no contract on subject '{subject}'.")


class InvalidConsumer(ServiceError):
    http_status, error_code = 422, 42250


class InvalidTeam(ServiceError):
    http_status, error_code = 422, 42270


class InvalidTokenId(ServiceError):
    http_status, error_code = 422, 42271


class InvalidTimestamp(ServiceError):
    http_status, error_code = 422, 42272


class TeamNotFound(ServiceError):
    http_status, error_code = 404, 40470

    def __init__(self, team: str) -> None:
        super().__init__(f"Team '{team}' not found.")


class TokenNotFound(ServiceError):
    http_status, error_code = 404, 40471

    def __init__(self, team: str, token_id: str) -> None:
        super().__init__(f"Team '{team}' has no token '{token_id}'.")


class TeamExists(ServiceError):
    http_status, error_code = 409, 40970

    def __init__(self, team: str, existing: str) -> None:
        same = (
            ""
            if team == existing
            else f" as '{existing}' (team names are unique without regard to case)"
        )
        super().__init__(f"Team '{team}' already exists{same}.")


# Pub/Sub enforcement (registry/pubsub): the integration is off, or Pub/Sub refused or failed.
class PubSubNotConfigured(ServiceError):
    http_status, error_code = 422, 42280


class InvalidPubSubSetting(ServiceError):
    """A `pubsubRevisions` or `pubsubEncoding` value that is not one of the allowed ones."""

    http_status, error_code = 422, 42281


class RevisionNotFound(ServiceError):
    """A Pub/Sub schema revision the registry never synced (or whose version is gone for good)."""

    http_status, error_code = 404, 40480


class NothingToCutOver(ServiceError):
    http_status, error_code = 409, 40980


class PubSubFailed(ServiceError):
    """Pub/Sub refused or could not answer an admin call. 424 (a dependency failed), not 5xx:
    retrying the same request at once rarely helps, and clients retry 5xx by themselves.
    `retryable` says whether a later attempt may succeed (unavailable) or not (no permission)."""

    http_status, error_code = 424, 42480

    def __init__(self, message: str, *, retryable: bool, status: str = "") -> None:
        super().__init__(message)
        self.retryable = retryable
        self.status = status
