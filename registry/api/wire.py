"""Wire fidelity at the ASGI edge: raw-path subjects, content types and the request-size limit."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Hashable
from typing import Any
from urllib.parse import unquote, unquote_to_bytes

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from registry.cache import LruCache
from registry.errors import BadRequest, RequestTooLarge, ServiceError, UnsupportedMediaType

V1_JSON = "application/vnd.schemaregistry.v1+json"
VND_JSON = "application/vnd.schemaregistry+json"
JSON = "application/json"
# Bodies Confluent accepts; octet-stream is its "generic request" type and is read as JSON.
ACCEPTED_BODY_TYPES = frozenset({V1_JSON, VND_JSON, JSON, "application/octet-stream"})

# OpenAPI for the routes answering a schema's own text: any JSON value (a record, "string", true…).
RAW_SCHEMA_RESPONSE: dict[str, Any] = {
    "description": "The schema text itself, not wrapped in a JSON string.",
    "content": {V1_JSON: {"schema": {}}},
}

_KEEP_ENCODED = re.compile(r"%(25|2[fF])")


def encode_json(content: Any) -> bytes:
    """Compact like the Java server's output."""
    return json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class RegistryJSONResponse(JSONResponse):
    """Confluent's preferred response type."""

    media_type = V1_JSON

    def render(self, content: Any) -> bytes:
        return encode_json(content)


class EncodedAnswers:
    """JSON bodies memoised by the immutable value they render (a stored schema, a topic version):
    a hot read builds and encodes its answer once, then serves the bytes. The key is the whole
    value, not a name for it, so an entry can never outlive what it says; bounded (LRU)."""

    def __init__(self, capacity: int) -> None:
        self._bodies: LruCache[Hashable, bytes] = LruCache(capacity)

    def response(self, value: Hashable, render: Callable[[], Any]) -> Response:
        body = self._bodies.get(value)
        if body is None:
            body = encode_json(render())
            self._bodies.put(value, body)
        return Response(body, media_type=V1_JSON)


def error_body(error_code: int, message: str) -> dict[str, object]:
    return {"error_code": error_code, "message": message}


def invalid_utf8(raw_path: bytes) -> BadRequest | None:
    """Why the percent-decoded path is not UTF-8, or None. Decoding would turn each bad byte into
    U+FFFD, so `%FF` and `%FE` would name one subject: refuse instead, saying which byte where."""
    decoded = unquote_to_bytes(raw_path)
    try:
        decoded.decode("utf-8")
    except UnicodeDecodeError as exc:
        return BadRequest(
            f"The request path is not valid UTF-8 once percent-decoded: byte 0x{decoded[exc.start]:02X} "
            f"at byte offset {exc.start} ({exc.reason}); percent-encode the UTF-8 bytes of each "
            "character."
        )
    return None


def routing_path(raw_path: bytes) -> str:
    """The path to route on: percent-decoded, except that `%2F` and `%25` stay encoded so that a
    subject such as `team/orders` (sent as `team%2Forders`) remains one path segment. The subject
    dependency decodes the segment afterwards (encode/starlette#826)."""
    raw = raw_path.decode("latin-1")
    return unquote(_KEEP_ENCODED.sub(lambda m: "%25" + m.group(1).upper(), raw))


class WireMiddleware:
    """Raw-path routing, request content types (415), the body-size limit (42209), incomplete
    bodies (400) and response content-type negotiation, before FastAPI sees the request."""

    def __init__(self, app: ASGIApp, *, max_request_bytes: int) -> None:
        self.app = app
        self.max_request_bytes = max_request_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path = scope.get("raw_path")
        if raw_path:
            path = raw_path.split(b"?", 1)[0]
            invalid = invalid_utf8(path)
            if invalid is not None:
                await _refusal(invalid)(scope, receive, send)
                return
            if b"%" in path:
                scope = dict(scope)
                scope["path"] = routing_path(path)
        headers = dict(scope.get("headers") or [])
        if scope["method"] in {"POST", "PUT", "PATCH"}:
            refusal, scope, receive = await self._check_body(scope, receive, headers)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        accept = headers.get(b"accept", b"").decode("latin-1").lower()
        await self.app(scope, receive, _negotiating(send, accept))

    async def _check_body(
        self, scope: Scope, receive: Receive, headers: dict[bytes, bytes]
    ) -> tuple[JSONResponse | None, Scope, Receive]:
        content_type = headers.get(b"content-type", b"").decode("latin-1")
        media = content_type.split(";", 1)[0].strip().lower()
        if media and media not in ACCEPTED_BODY_TYPES and not media.endswith("+json"):
            return (
                _refusal(
                    UnsupportedMediaType(
                        f"Unsupported request content type {media!r}; send {V1_JSON}, "
                        f"{VND_JSON} or {JSON}."
                    )
                ),
                scope,
                receive,
            )
        limit = self.max_request_bytes
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            return _too_large(int(declared), limit), scope, receive
        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                # The client went away before its body ended (it half-closed or dropped the
                # connection): a partial body must never reach a use case.
                return _incomplete(len(body), declared), scope, receive
            body += message.get("body", b"")
            if len(body) > limit:
                return _too_large(len(body), limit, at_least=True), scope, receive
            more = message.get("more_body", False)
        if declared is not None and declared.isdigit() and int(declared) != len(body):
            # A server that ends the body early without saying so must not pass a stub on either.
            return _incomplete(len(body), declared), scope, receive
        if media in {"", "application/octet-stream"}:
            # FastAPI parses JSON only from a JSON media type; these are JSON bodies too.
            scope = dict(scope)
            scope["headers"] = [
                (k, v) for k, v in scope.get("headers", []) if k != b"content-type"
            ] + [(b"content-type", JSON.encode())]
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        return None, scope, replay


def _refusal(error: ServiceError) -> JSONResponse:
    """An answer from the error table, for refusals made before FastAPI sees the request."""
    return RegistryJSONResponse(
        error_body(error.code, error.message), status_code=error.http_status
    )


def _incomplete(received: int, declared: bytes | None) -> JSONResponse:
    expected = (
        f" of the {int(declared)} declared by Content-Length"
        if declared and declared.isdigit()
        else ""
    )
    return _refusal(
        BadRequest(
            f"The request body is incomplete: {received} byte(s) arrived{expected} before the "
            "client stopped sending; nothing was done."
        )
    )


def _too_large(size: int, limit: int, *, at_least: bool = False) -> JSONResponse:
    more = "more than " if at_least else ""
    return _refusal(
        RequestTooLarge(
            f"The request body is {more}{size} bytes; this registry accepts at most {limit} "
            "bytes (setting max_request_bytes)."
        )
    )


def _negotiating(send: Send, accept: str) -> Send:
    """Answer with the Accept header's type when a client asks for a JSON type other than v1."""
    if not accept or V1_JSON in accept or "*/*" in accept or "application/*" in accept:
        return send
    chosen = VND_JSON if VND_JSON in accept else JSON if JSON in accept else None
    if chosen is None:
        return send

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [
                (
                    k,
                    chosen.encode()
                    if k == b"content-type" and v.startswith(V1_JSON.encode())
                    else v,
                )
                for k, v in message.get("headers", [])
            ]
            message = {**message, "headers": headers}
        await send(message)

    return wrapped


def document_wire(spec: dict[str, Any]) -> dict[str, Any]:
    """Make an OpenAPI document say what the wire does (in place): every JSON body and answer in
    the three Confluent types, and FastAPI's `HTTPValidationError` (never sent: validation errors
    are mapped to `{"error_code", "message"}`) replaced by the ErrorMessage the client receives."""
    error = {"schema": {"$ref": "#/components/schemas/ErrorMessage"}}
    for path_item in spec.get("paths", {}).values():
        for operation in path_item.values():
            body = operation.get("requestBody", {}).get("content", {})
            if JSON in body:
                operation["requestBody"]["content"] = dict.fromkeys(_WIRE_TYPES, body[JSON])
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                media = content.get(V1_JSON) or content.get(JSON)
                if media is None:
                    continue
                if "HTTPValidationError" in json.dumps(media):
                    media = error
                    response["description"] = _UNPROCESSABLE
                response["content"] = dict.fromkeys(_WIRE_TYPES, media)
    schemas = spec.get("components", {}).get("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    return spec


# Answers are negotiated from Accept (see _negotiating); bodies are accepted in all three.
_WIRE_TYPES = (V1_JSON, VND_JSON, JSON)
_UNPROCESSABLE = (
    "Unprocessable: 42201 schema, 42202 version, 42203 level, 42204 mode, 42205 not permitted, "
    "42207 id mismatch, 42208 subject, 42209 too large, 42250 consumer, 42270 team, "
    "42271 token id, 42272 timestamp"
)
