"""Truncated request bodies are refused before any use case runs, on a real server and at the edge."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from registry.api.wire import WireMiddleware
from tests.e2e.conftest import RunningServer, running_accord

pytestmark = pytest.mark.slow

V1 = "application/vnd.schemaregistry.v1+json"
# A complete, valid registration: were the server to run it, the subject would exist.
BODY = json.dumps({"schema": json.dumps({"type": "string"})}).encode()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[RunningServer]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'accord.db'}"
    else:
        url = request.getfixturevalue("empty_postgres_database")
    with running_accord(url, tmp_path) as running:
        yield running


@pytest.fixture
def http(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def _send_truncated(
    server: RunningServer, path: str, declared: int, sent: bytes, *, half_close: bool = True
) -> bytes:
    """POST `sent` while declaring `declared` bytes, half-close, and return whatever comes back."""
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {V1}\r\n"
            f"Content-Length: {declared}\r\nConnection: close\r\n\r\n"
        ).encode()
        sock.sendall(head + sent)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def _settle(http: httpx.Client, subject: str) -> None:
    """A complete write on another subject: on SQLite it queues behind any write already started
    (BEGIN IMMEDIATE), on PostgreSQL it follows it on the server's loop; either way a registration
    started by the truncated request would have been committed by the time this one answers."""
    answer = http.post(f"/subjects/{subject}/versions", content=BODY, headers={"Content-Type": V1})
    assert answer.status_code == 200, answer.text


def test_a_body_shorter_than_its_content_length_is_never_registered(
    server: RunningServer, http: httpx.Client
) -> None:
    # The JSON that arrives is complete and valid; only the declared length says more was due.
    answer = _send_truncated(server, "/subjects/cut-short/versions", len(BODY) + 16, BODY)
    assert not answer.startswith(b"HTTP/1.1 2"), answer
    # A half-closed client may read the refusal, or the server may close at once: both are fine.
    assert answer == b"" or answer.startswith(b"HTTP/1.1 400"), answer
    _settle(http, "after-the-cut")
    assert http.get("/subjects/cut-short/versions").status_code == 404
    assert http.get("/subjects").json() == ["after-the-cut"]


def test_the_same_request_complete_is_registered(server: RunningServer, http: httpx.Client) -> None:
    """The control: the bytes above, sent whole with their true length, do register. (The client
    keeps its side open: the server treats a half-close as the client leaving.)"""
    answer = _send_truncated(server, "/subjects/whole/versions", len(BODY), BODY, half_close=False)
    assert answer.startswith(b"HTTP/1.1 200"), answer
    assert http.get("/subjects").json() == ["whole"]


# --- At the ASGI edge, where the answer can be read: the inner app must never be called. ---


async def _through_wire(messages: list[Message], headers: list[tuple[bytes, bytes]]) -> Message:
    called: list[bool] = []

    async def inner(_scope: Scope, _receive: Receive, _send: Send) -> None:
        called.append(True)

    pending = list(messages)

    async def receive() -> Message:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope: Scope = {
        "type": "http",
        "method": "POST",
        "path": "/subjects/t/versions",
        "raw_path": b"/subjects/t/versions",
        "headers": [(b"content-type", V1.encode()), *headers],
    }
    await WireMiddleware(inner, max_request_bytes=1024 * 1024)(scope, receive, send)
    assert not called, "the use case ran on an incomplete body"
    start, body = sent[0], sent[1]
    return {**start, "body": body["body"]}


@pytest.mark.parametrize(
    ("why", "messages", "headers"),
    [
        (
            "the server reports the disconnect after a first chunk",
            [
                {"type": "http.request", "body": BODY[:10], "more_body": True},
                {"type": "http.disconnect"},
            ],
            [(b"content-length", str(len(BODY)).encode())],
        ),
        (
            "a chunked body whose client goes away, with no length to compare",
            [
                {"type": "http.request", "body": BODY, "more_body": True},
                {"type": "http.disconnect"},
            ],
            [(b"transfer-encoding", b"chunked")],
        ),
        (
            "the server ends the body early without saying the client left",
            [{"type": "http.request", "body": BODY, "more_body": False}],
            [(b"content-length", str(len(BODY) + 1).encode())],
        ),
    ],
)
def test_the_wire_refuses_an_incomplete_body_with_400(
    why: str, messages: list[Message], headers: list[tuple[bytes, bytes]]
) -> None:
    answer = asyncio.run(_through_wire(messages, headers))
    assert answer["status"] == 400, why
    body = json.loads(answer["body"])
    assert body["error_code"] == 400
    assert "incomplete" in body["message"], body
