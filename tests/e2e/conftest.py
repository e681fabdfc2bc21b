"""A real `accord serve` process on a free loopback port, for suites that talk HTTP to it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60  # generous: CI shares two cores between xdist workers and servers


@dataclass(frozen=True)
class RunningServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@contextmanager
def running_accord(
    database_url: str, log_dir: Path, *, env: dict[str, str] | None = None
) -> Iterator[RunningServer]:
    """Start `accord serve` on `database_url`, wait until /readyz answers, stop it afterwards.

    The port is found by binding port 0 and released before the server binds it; if another
    process takes it in between, the server exits and we try another port.
    """
    for attempt in range(3):
        port = free_port()
        log = log_dir / f"accord-serve-{port}.log"
        command = [
            sys.executable,
            "-c",
            "from clients.cli import main; main()",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--database-url",
            database_url,
            "--log-level",
            "warning",
        ]
        with log.open("wb") as sink:
            process = subprocess.Popen(
                command,
                cwd=log_dir,
                stdout=sink,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
            )
        server = RunningServer(url=f"http://127.0.0.1:{port}", process=process, log=log)
        try:
            if _wait_ready(server):
                yield server
                return
        finally:
            _stop(process)
        if attempt == 2 or "address already in use" not in server.output().lower():
            pytest.fail(f"accord serve did not become ready:\n{server.output()}")
    raise AssertionError("unreachable")


def _wait_ready(server: RunningServer) -> bool:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        try:
            if httpx.get(f"{server.url}/readyz", timeout=2).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    return False


@pytest.fixture
def accord_server_factory(tmp_path: Path) -> Callable[..., AbstractContextManager[RunningServer]]:
    """`with accord_server_factory(database_url, env={...}) as server:` for custom set-ups."""

    def factory(
        database_url: str, *, env: dict[str, str] | None = None
    ) -> AbstractContextManager[RunningServer]:
        return running_accord(database_url, tmp_path, env=env)

    return factory


@pytest.fixture
def accord_server(tmp_path: Path) -> Iterator[RunningServer]:
    """`accord serve` on a temporary SQLite file (migrated by the server at start)."""
    with running_accord(f"sqlite:///{tmp_path / 'accord.db'}", tmp_path) as server:
        yield server


@pytest.fixture
def accord_server_postgres(empty_postgres_database: str, tmp_path: Path) -> Iterator[RunningServer]:
    """`accord serve` on a PostgreSQL schema of this test's own (migrated by the server)."""
    with running_accord(empty_postgres_database, tmp_path) as server:
        yield server


@pytest.fixture(scope="module")
def shared_accord_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One SQLite-backed server for a whole module: tests must use subjects of their own."""
    home = tmp_path_factory.mktemp("accord-sqlite")
    with running_accord(f"sqlite:///{home / 'accord.db'}", home) as server:
        yield server


@pytest.fixture(scope="module")
def shared_accord_server_postgres(
    make_postgres_schema: Callable[[], AbstractContextManager[str]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RunningServer]:
    """One PostgreSQL-backed server for a whole module: tests must use subjects of their own."""
    home = tmp_path_factory.mktemp("accord-postgres")
    with make_postgres_schema() as url, running_accord(url, home) as server:
        yield server
