"""The one place registry errors become HTTP answers: always `{"error_code", "message"}`."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from registry.api.models import ErrorMessage
from registry.api.wire import RegistryJSONResponse, document_wire, error_body
from registry.errors import BadRequest, MethodNotAllowed, NotFound, ServiceError, StoreError

log = logging.getLogger("accord.registry")


def _answer(status: int, error_code: int, message: str) -> Response:
    return RegistryJSONResponse(error_body(error_code, message), status_code=status)


def _registry_answer(exc: ServiceError) -> Response:
    # Accord's extension errors may add fields beside the two Confluent ones (a contract check's
    # `report`); Confluent clients ignore unknown fields.
    details = getattr(exc, "details", None)
    if isinstance(details, dict):
        body = {**details, **error_body(exc.code, exc.message)}
        return RegistryJSONResponse(body, status_code=exc.http_status)
    answer = _answer(exc.http_status, exc.code, exc.message)
    # A 401 carries its WWW-Authenticate challenge.
    answer.headers.update(getattr(exc, "headers", None) or {})
    return answer


async def registry_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    return _registry_answer(exc)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return _registry_answer(NotFound(_no_route(request.url.path)))
    if exc.status_code == 405:
        return _registry_answer(MethodNotAllowed("HTTP 405 Method Not Allowed"))
    return _answer(exc.status_code, exc.status_code, str(exc.detail))


def _no_route(path: str) -> str:
    # Trailing slashes are not redirected: a redirect would be built from the request's Host
    # header, before authentication, and `/subjects/` is no other resource than `/subjects`.
    if len(path) > 1 and path.endswith("/"):
        return (
            f"HTTP 404 Not Found: no route for {path!r}; this registry does not redirect, "
            f"send the path without its trailing slash ({path.rstrip('/') or '/'!r})."
        )
    return "HTTP 404 Not Found"


def _where(error: dict[str, Any]) -> str:
    return ".".join(str(part) for part in error.get("loc", ())[1:]) or "body"


def _body_error(request: Request) -> type[ServiceError]:
    """The table's row for a malformed body of this route: what its body model says it is."""
    route = request.scope.get("route")
    field = getattr(route, "body_field", None)
    model = getattr(getattr(field, "field_info", None), "annotation", None)
    chosen = getattr(model, "invalid_body", None)
    return chosen if isinstance(chosen, type) and issubclass(chosen, ServiceError) else BadRequest


async def validation_error(request: Request, exc: Exception) -> Response:
    """FastAPI's own 422 (`detail`) never reaches a Confluent client; map it to the error table."""
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    first = errors[0] if errors else {"loc": ("body",), "msg": "invalid request"}
    source = first.get("loc", ("body",))[0]
    if first.get("type") == "json_invalid":
        return _registry_answer(BadRequest(f"Malformed JSON body: {first.get('msg', '')}".strip()))
    detail = "; ".join(f"{_where(e)}: {e.get('msg', '')}" for e in errors[:5])
    if source == "body":
        return _registry_answer(_body_error(request)(f"Invalid request body: {detail}"))
    if source == "path":
        return _registry_answer(NotFound(detail))
    return _registry_answer(BadRequest(f"Invalid {source} parameter: {detail}"))


async def unexpected_error(_request: Request, exc: Exception) -> Response:
    log.exception("unexpected error", exc_info=exc)
    return _registry_answer(StoreError(f"Internal error: {type(exc).__name__}"))


def install(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, registry_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unexpected_error)
    # The OpenAPI document describes these answers, not FastAPI's own `detail` errors.
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_wire(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for the error statuses a route can answer, all as ErrorMessage."""
    descriptions = {
        400: "Malformed JSON or an invalid query parameter (error_code 400)",
        401: "Missing or invalid credentials (error_code 40101)",
        403: "The caller's team does not own what it tries to change (error_code 40301)",
        404: "Not found (40401 subject, 40402 version, 40403 schema, 40404-40409, 40480 Pub/Sub "
        "revision)",
        409: "Incompatible schema (error_code 409, or 40901 by setting); 40980 nothing to cut over",
        415: "Unsupported request content type",
        422: "Unprocessable: 42201 schema, 42202 version, 42203 level, 42204 mode, "
        "42205 not permitted, 42207 id mismatch, 42208 subject, 42209 too large, 42250 consumer, 42270 team, "
        "42271 token id, 42272 timestamp, 42280 Pub/Sub enforcement off, 42281 Pub/Sub setting",
        424: "Pub/Sub refused or could not answer (error_code 42480)",
        500: "Store error (50001)",
    }
    return {
        status: {"model": ErrorMessage, "description": descriptions[status]} for status in statuses
    }
