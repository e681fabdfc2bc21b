"""A real `accord serve --workers 2`: metrics summed over both workers, JSON logs on stderr, the
root path and proxy settings in force, and the warning for an open port without auth."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.conftest import ROOT, RunningServer, _stop, _wait_ready
from tests.support.ports import free_port

pytestmark = pytest.mark.slow

V1 = json.dumps({"type": "record", "name": "R", "fields": [{"name": "id", "type": "string"}]})
ROUTE = "/subjects/{subject}/versions/{version}"


@contextmanager
def serving(
    tmp_path: Path, *options: str, env: dict[str, str] | None = None
) -> Iterator[tuple[RunningServer, Path]]:
    """`accord serve` with `options` on a free port; yields the server and its stderr file."""
    port = free_port()
    stdout, stderr = tmp_path / f"out-{port}.log", tmp_path / f"err-{port}.log"
    command = [
        sys.executable,
        "-c",
        "from clients.cli import main; main()",
        "serve",
        "--port",
        str(port),
        "--database-url",
        f"sqlite:///{tmp_path / 'accord.db'}",
        *options,
    ]
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            command,
            cwd=tmp_path,
            stdout=out,
            stderr=err,
            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        )
    server = RunningServer(url=f"http://127.0.0.1:{port}", process=process, log=stdout)
    try:
        if not _wait_ready(server):
            pytest.fail(f"accord serve did not start:\n{stderr.read_text()}{stdout.read_text()}")
        yield server, stderr
    finally:
        _stop(process)


def requests_counted(text: str) -> float:
    """The number of successful reads of ROUTE in one scrape, parsed by prometheus-client."""
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "accord_http_requests_total"
        and sample.labels == {"route": ROUTE, "method": "GET", "status": "200"}
    )


def log_lines(stderr: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stderr.read_text().splitlines() if line.strip()]


def test_two_workers_report_the_sum_of_their_counts(tmp_path: Path) -> None:
    with serving(tmp_path, "--workers", "2", "--log-level", "info") as (server, stderr):
        assert httpx.post(f"{server.url}/subjects/T/versions", json={"schema": V1}).is_success

        def read(_: int) -> str:
            # A new connection each time, so that either worker may accept it.
            answer = httpx.get(f"{server.url}/subjects/T/versions/1", timeout=30)
            assert answer.status_code == 200
            return answer.headers["x-request-id"]

        sent = 0
        with ThreadPoolExecutor(max_workers=8) as pool:
            # Until both workers have answered some (each request's log line names its process).
            for _ in range(20):
                request_ids = set(pool.map(read, range(40)))
                sent += len(request_ids)
                served_by = {
                    line["pid"] for line in log_lines(stderr) if line.get("route") == ROUTE
                }
                if len(served_by) == 2:
                    break
        assert len(served_by) == 2, "one worker answered every request"
        # Every scrape, whichever worker answers it, counts the requests of both.
        for _ in range(6):
            scrape = httpx.get(f"{server.url}/metrics")
            assert scrape.status_code == 200
            assert requests_counted(scrape.text) == sent
    # Every line on stderr is one JSON object (uvicorn's own included); one per request.
    lines = log_lines(stderr)
    reads = [line for line in lines if line.get("event") == "request" and line["route"] == ROUTE]
    assert len(reads) == sent
    assert all(line["status"] == 200 and line["method"] == "GET" for line in reads)
    assert any(line["logger"].startswith("uvicorn") for line in lines)


@pytest.mark.parametrize(
    ("trusted", "client"), [("127.0.0.1", "203.0.113.7"), ("10.9.9.9", "127.0.0.1")]
)
def test_root_path_proxies_and_the_open_port_warning(
    tmp_path: Path, trusted: str, client: str
) -> None:
    env = {"ACCORD_ROOT_PATH": "/registry", "ACCORD_TRUSTED_PROXIES": trusted}
    with serving(tmp_path, "--host", "0.0.0.0", env=env) as (server, stderr):
        # The load balancer removes the prefix before forwarding (uvicorn's root path).
        registered = httpx.post(f"{server.url}/subjects/team%2Fx/versions", json={"schema": V1})
        assert registered.json()["subject"] == "team/x"
        assert httpx.get(f"{server.url}/subjects").json() == ["team/x"]
        spec = httpx.get(f"{server.url}/openapi.json").json()
        assert spec["servers"] == [{"url": "/registry"}]
        forwarded = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
        assert httpx.get(f"{server.url}/healthz", headers=forwarded).status_code == 200
    # Read once the server has stopped: a request's line is written just after its answer.
    warning, *rest = stderr.read_text().splitlines()
    assert warning.startswith("accord serve: WARNING: listening on 0.0.0.0 with authentication OFF")
    # Only a trusted proxy's X-Forwarded-For names the client.
    (health,) = [entry for entry in map(json.loads, rest) if entry.get("route") == "/healthz"]
    assert health["client"] == client


def test_no_warning_on_loopback_or_with_auth(tmp_path: Path) -> None:
    env = {"ACCORD_ADMIN_TOKEN": "a-long-enough-admin-secret"}
    with serving(tmp_path, "--host", "0.0.0.0", "--log-level", "warning", env=env) as (_, err):
        pass
    assert "WARNING" not in err.read_text()
