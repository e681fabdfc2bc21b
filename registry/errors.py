"""The registry's one exception tree; each error carries its Confluent (HTTP status, error_code)."""

from __future__ import annotations

from typing import ClassVar


class RegistryError(Exception):
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
class BadRequest(RegistryError):
    http_status, error_code = 400, 400


class Unauthorized(RegistryError):
    """Missing or invalid credentials; the answer carries a WWW-Authenticate challenge. The message
    never repeats what the caller sent."""

    http_status, error_code = 401, 40101
    headers: ClassVar[dict[str, str]] = {
        "WWW-Authenticate": 'Bearer realm="accord", Basic realm="accord", charset="UTF-8"'
    }


class Forbidden(RegistryError):
    """Authenticated, but the caller's team does not own what it tries to change."""

    http_status, error_code = 403, 40301


class SubjectNotFound(RegistryError):
    http_status, error_code = 404, 40401

    def __init__(self, subject: str) -> None:
        super().__init__(f"Subject '{subject}' not found.")


class VersionNotFound(RegistryError):
    http_status, error_code = 404, 40402

    def __init__(self, version: object, subject: str | None = None) -> None:
        where = f" of subject '{subject}'" if subject is not None else ""
        super().__init__(f"Version {version}{where} not found.")


class SchemaNotFound(RegistryError):
    http_status, error_code = 404, 40403


class SubjectSoftDeleted(RegistryError):
    http_status, error_code = 404, 40404


class SubjectNotSoftDeleted(RegistryError):
    http_status, error_code = 404, 40405


class VersionSoftDeleted(RegistryError):
    http_status, error_code = 404, 40406


class VersionNotSoftDeleted(RegistryError):
    http_status, error_code = 404, 40407


class SubjectConfigNotFound(RegistryError):
    http_status, error_code = 404, 40408


class SubjectModeNotFound(RegistryError):
    http_status, error_code = 404, 40409


class NotFound(RegistryError):
    """An unknown route, as Jersey answers it inside Confluent."""

    http_status, error_code = 404, 404


class MethodNotAllowed(RegistryError):
    http_status, error_code = 405, 405


class IncompatibleSchema(RegistryError):
    """The error_code is a setting (409 or 40901), so the handler asks the instance, not the class."""

    http_status, error_code = 409, 409

    def __init__(self, message: str, *, error_code: int = 409) -> None:
        super().__init__(message)
        self._code = error_code

    @property
    def code(self) -> int:
        return self._code


class UnsupportedMediaType(RegistryError):
    http_status, error_code = 415, 415


class InvalidSchemaError(RegistryError):
    http_status, error_code = 422, 42201


class InvalidVersion(RegistryError):
    http_status, error_code = 422, 42202

    def __init__(self, version: str) -> None:
        super().__init__(
            f"The specified version '{version}' is not a valid version id. Allowed values are "
            'between [1, 2^31-1] and the string "latest"'
        )


class InvalidCompatibilityLevel(RegistryError):
    http_status, error_code = 422, 42203


class InvalidMode(RegistryError):
    http_status, error_code = 422, 42204


class OperationNotPermitted(RegistryError):
    http_status, error_code = 422, 42205


class IdMismatch(RegistryError):
    http_status, error_code = 422, 42207


class InvalidSubject(RegistryError):
    http_status, error_code = 422, 42208


class RequestTooLarge(RegistryError):
    """The request body exceeds the setting max_request_bytes."""

    http_status, error_code = 422, 42209


class StoreError(RegistryError):
    http_status, error_code = 500, 50001


# Accord's extensions (consumer contracts, teams): codes in Confluent's style, outside its ranges.
class ContractNotFound(RegistryError):
    http_status, error_code = 404, 40450

    def __init__(self, subject: str, consumer: str) -> None:
        super().__init__(f"Consumer '{consumer}' has no contract on subject '{subject}'.")


class InvalidConsumer(RegistryError):
    http_status, error_code = 422, 42250


class InvalidTeam(RegistryError):
    http_status, error_code = 422, 42270


class InvalidTokenId(RegistryError):
    http_status, error_code = 422, 42271


class InvalidTimestamp(RegistryError):
    http_status, error_code = 422, 42272


class TeamNotFound(RegistryError):
    http_status, error_code = 404, 40470

    def __init__(self, team: str) -> None:
        super().__init__(f"Team '{team}' not found.")


class TokenNotFound(RegistryError):
    http_status, error_code = 404, 40471

    def __init__(self, team: str, token_id: str) -> None:
        super().__init__(f"Team '{team}' has no token '{token_id}'.")


class TeamExists(RegistryError):
    http_status, error_code = 409, 40970

    def __init__(self, team: str, existing: str) -> None:
        same = (
            ""
            if team == existing
            else f" as '{existing}' (team names are unique without regard to case)"
        )
        super().__init__(f"Team '{team}' already exists{same}.")
