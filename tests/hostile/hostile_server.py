"""A TEST FAKE: a tiny HTTP server that answers every request with one scripted (wrong) answer."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class HostileRegistry:
    """Every request gets `status`, `body` and `content_type` (or, for a method named in
    `by_method`, that method's own answer), after waiting `delay` seconds (cut short when the
    server stops). `requests` records (method, raw path) in arrival order."""

    url: str = ""
    status: int = 200
    body: bytes = b"{}"
    content_type: str = "application/json"
    delay: float = 0.0
    by_method: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    received: threading.Event = field(default_factory=threading.Event)
    stopping: threading.Event = field(default_factory=threading.Event)

    def answer(
        self, status: int, body: bytes | str, content_type: str = "application/json"
    ) -> None:
        self.status = status
        self.body = body.encode() if isinstance(body, str) else body
        self.content_type = content_type


@contextmanager
def running_hostile_registry() -> Iterator[HostileRegistry]:
    state = HostileRegistry()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            state.requests.append((self.command, self.path))
            state.received.set()
            if state.delay:
                state.stopping.wait(state.delay)
            status, body = state.by_method.get(self.command, (state.status, state.body))
            self.send_response(status)
            self.send_header("Content-Type", state.content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = _answer

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    # A short poll keeps shutdown (every test's teardown) quick.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
