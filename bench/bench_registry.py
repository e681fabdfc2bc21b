"""Registry reads against a bare FastAPI endpoint on the same uvicorn, and registrations per second on PostgreSQL."""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
V1 = "application/vnd.schemaregistry.v1+json"
SUBJECT = "orders-value"
SCHEMA = {
    "type": "record",
    "name": "Order",
    "namespace": "accord.bench",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "customer", "type": "string"},
        {"name": "total", "type": "double"},
        {"name": "note", "type": ["null", "string"], "default": None},
    ],
}
# The same uvicorn settings for both servers: one process, no access log, no Server header.
UVICORN_OPTIONS = {"log_level": "warning", "server_header": False}
ROUNDS = 3
DURATION_S = 5
CONNECTIONS = 32
PYTHON_LOAD_REQUESTS = 3000  # per measurement, when wrk is not installed
WRITERS = 8
REGISTRATIONS = 200  # per phase


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def serve_baseline(port: int, body: dict[str, object]) -> None:
    """The baseline: a FastAPI app with one route returning a constant JSON of the same size."""
    import uvicorn
    from fastapi import FastAPI

    app = FastAPI()

    @app.get("/baseline")
    async def baseline() -> dict[str, object]:
        return body

    uvicorn.run(app, host="127.0.0.1", port=port, **UVICORN_OPTIONS)  # type: ignore[arg-type]


@contextmanager
def running(command: list[str], port: int) -> Iterator[str]:
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACCORD_")}
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{command} exited: {process.stderr.read().decode()}")  # type: ignore[union-attr]
            try:
                httpx.get(f"{url}/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def accord_serve(database_url: str) -> tuple[list[str], int]:
    port = _free_port()
    command = [sys.executable, "-c", "from clients.cli import main; main()", "serve"]
    command += ["--port", str(port), "--database-url", database_url, "--log-level", "warning"]
    return command, port


@dataclass(frozen=True)
class Load:
    requests_per_s: float
    p99_ms: float
    tool: str


_UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def wrk(url: str) -> Load:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{DURATION_S}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} non-2xx answers under load")
    return Load(rate, float(value) * _UNITS_MS[unit], "wrk")


def python_load(url: str) -> Load:
    """Fallback without wrk: CONNECTIONS threads with keep-alive clients, a bounded request count."""
    latencies: list[float] = []
    lock = threading.Lock()
    per_thread = PYTHON_LOAD_REQUESTS // CONNECTIONS

    def worker() -> None:
        mine: list[float] = []
        with httpx.Client(timeout=30) as client:
            for _ in range(per_thread):
                start = time.perf_counter()
                client.get(url).raise_for_status()
                mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    start = time.perf_counter()
    with ThreadPoolExecutor(CONNECTIONS) as pool:
        for future in [pool.submit(worker) for _ in range(CONNECTIONS)]:
            future.result()
    elapsed = time.perf_counter() - start
    p99 = statistics.quantiles(latencies, n=100)[98] * 1000
    return Load(len(latencies) / elapsed, p99, "python threads")


def measure(url: str) -> Load:
    return wrk(url) if shutil.which("wrk") else python_load(url)


def reads(workdir: Path) -> None:
    database = f"sqlite:///{workdir / 'reads.db'}"
    command, port = accord_serve(database)
    with running(command, port) as registry:
        answer = httpx.post(
            f"{registry}/subjects/{SUBJECT}/versions",
            json={"schema": json.dumps(SCHEMA)},
            headers={"Content-Type": V1},
        )
        answer.raise_for_status()
        schema_id = answer.json()["id"]
        by_id = f"{registry}/schemas/ids/{schema_id}"
        latest = f"{registry}/subjects/{SUBJECT}/versions/latest"
        body = httpx.get(by_id).json()
        baseline_port = _free_port()
        baseline_command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--serve-baseline",
            str(baseline_port),
            json.dumps(body),
        ]
        with running(baseline_command, baseline_port) as bare:
            targets: dict[str, str] = {
                "bare FastAPI constant JSON": f"{bare}/baseline",
                "GET /schemas/ids/{id}": by_id,
                "GET /subjects/{s}/versions/latest": latest,
            }
            for url in targets.values():  # warm-up: caches filled, connections and imports done
                for _ in range(50):
                    httpx.get(url).raise_for_status()
            results: dict[str, list[Load]] = {name: [] for name in targets}
            for _ in range(ROUNDS):  # interleaved, so a load spike from elsewhere hits all three
                for name, url in targets.items():
                    results[name].append(measure(url))
    tool = results["bare FastAPI constant JSON"][0].tool
    print(
        f"reads: {ROUNDS} interleaved rounds of {DURATION_S}s, {CONNECTIONS} connections ({tool})"
    )
    base_rate = statistics.median(r.requests_per_s for r in results["bare FastAPI constant JSON"])
    base_p99 = statistics.median(r.p99_ms for r in results["bare FastAPI constant JSON"])
    for name, loads in results.items():
        rate = statistics.median(r.requests_per_s for r in loads)
        p99 = statistics.median(r.p99_ms for r in loads)
        rounds = ", ".join(f"{r.requests_per_s:.0f}" for r in loads)
        print(
            f"  {name:34} {rate:8.0f} req/s (rounds {rounds})  p99 {p99:6.1f} ms  "
            f"throughput ratio {rate / base_rate:4.2f}x  p99 ratio {p99 / base_p99:4.2f}x"
        )


def _postgres_admin_url() -> str:
    return (
        os.environ.get("ACCORD_TEST_POSTGRES_URL")
        or "postgresql://postgres@127.0.0.1:5432/postgres"
    )


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    import psycopg

    admin_url = _postgres_admin_url()
    name = f"accord_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin_url.rpartition('/')[0]}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _record(name: str, field: str) -> str:
    return json.dumps(
        {
            "type": "record",
            "name": name,
            "fields": [
                {"name": "id", "type": "long"},
                {"name": field, "type": ["null", "string"], "default": None},
            ],
        }
    )


def _register_all(url: str, jobs: list[tuple[str, str]]) -> tuple[float, float]:
    """WRITERS threads register `jobs` (subject, schema); returns (registrations/s, p99 ms)."""
    queue = iter(jobs)
    lock = threading.Lock()
    latencies: list[float] = []

    def writer() -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            while True:
                with lock:
                    job = next(queue, None)
                if job is None:
                    return
                subject, schema = job
                start = time.perf_counter()
                answer = client.post(
                    f"/subjects/{subject}/versions",
                    json={"schema": schema},
                    headers={"Content-Type": V1},
                )
                elapsed = time.perf_counter() - start
                answer.raise_for_status()
                with lock:
                    latencies.append(elapsed)

    start = time.perf_counter()
    with ThreadPoolExecutor(WRITERS) as pool:
        for future in [pool.submit(writer) for _ in range(WRITERS)]:
            future.result()
    total = time.perf_counter() - start
    return len(jobs) / total, statistics.quantiles(latencies, n=100)[98] * 1000


def registrations() -> None:
    with fresh_postgres_database() as database:
        command, port = accord_serve(database)
        with running(command, port) as registry:
            _register_all(registry, [(f"warm-up-{k}", _record("Warm", "x")) for k in range(4)])
            phases: dict[str, list[tuple[str, str]]] = {
                "distinct topics": [
                    (f"topic-{k}-value", _record(f"Event{k}", "note")) for k in range(REGISTRATIONS)
                ],
                "one topic (BACKWARD check each)": [
                    ("hot-value", _record("Hot", f"extra_{k}")) for k in range(REGISTRATIONS)
                ],
            }
            print(
                f"registrations on PostgreSQL: {REGISTRATIONS} per phase, {WRITERS} writer threads"
            )
            for name, jobs in phases.items():
                rate, p99 = _register_all(registry, jobs)
                print(f"  {name:34} {rate:8.1f} registrations/s  p99 {p99:7.1f} ms")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--serve-baseline", nargs=2, metavar=("PORT", "BODY"))
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args(argv)
    if args.serve_baseline:
        port, body = args.serve_baseline
        serve_baseline(int(port), json.loads(body))
        return
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="accord-bench-") as workdir:
        reads(Path(workdir))
    if not args.skip_postgres:
        registrations()
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
