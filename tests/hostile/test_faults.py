"""Database faults under a running registry: connections killed or refused, the SQLite file removed
or replaced, storage full or read-only. Each answers a plain 503 and never acknowledges a lost write."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy import event

from registry import Settings, create_app
from tests.e2e.conftest import RunningServer, running_accord
from tests.support.ports import free_port

with warnings.catch_warnings():
    # Starlette deprecates driving its TestClient with httpx; see tests/registry/conftest.py.
    from starlette.exceptions import StarletteDeprecationWarning

    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

pytestmark = pytest.mark.slow

V1 = "application/vnd.schemaregistry.v1+json"
# What a driver error would reveal; none of it may reach a client.
DRIVER_TEXT = ("psycopg", "OperationalError", "sqlite3", "Traceback", "SQLSTATE", "127.0.0.1")
WAIT_SECONDS = 60  # an upper bound for the server to reach a state, never an asserted duration


def _schema(n: int) -> str:
    return json.dumps({"type": "record", "name": f"R{n}", "fields": [{"name": "f", "type": "int"}]})


def _register(http: httpx.Client, subject: str, n: int = 0) -> httpx.Response:
    return http.post(
        f"/subjects/{subject}/versions",
        content=json.dumps({"schema": _schema(n)}),
        headers={"Content-Type": V1},
    )


def _assert_plain_503(answer: httpx.Response, *secrets: str) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"].isdigit()
    body = answer.json()
    assert body["error_code"] == 50301
    for text in (*DRIVER_TEXT, *secrets):
        assert text not in answer.text, f"{text!r} leaked: {answer.text}"


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.02)


# --- PostgreSQL: connections terminated by an administrator, and a server refusing connections ---


class PgServer:
    """A real `accord serve` on its own PostgreSQL schema whose connections carry a unique
    application_name, so that this test kills its own server's backends and nobody else's."""

    def __init__(self, server: RunningServer, url: str, admin_url: str, tag: str) -> None:
        self.server, self.url, self.admin_url, self.tag = server, url, admin_url, tag
        self.admin = psycopg.connect(admin_url, autocommit=True)

    def backends(self, *, waiting_on_lock: bool = False) -> list[int]:
        query = "SELECT pid FROM pg_stat_activity WHERE application_name = %s"
        if waiting_on_lock:
            query += " AND wait_event_type = 'Lock'"
        return [row[0] for row in self.admin.execute(query, (self.tag,)).fetchall()]

    def terminate(self, pids: list[int]) -> int:
        rows = self.admin.execute(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM unnest(%s::int[]) pid",
            (pids,),
        ).fetchone()
        return int(rows[0]) if rows else 0


@pytest.fixture
def pg(empty_postgres_database: str, postgres_url: str, tmp_path: Path) -> Iterator[PgServer]:
    tag = f"accord_fault_{uuid.uuid4().hex[:10]}"
    url = f"{empty_postgres_database}&application_name={tag}"
    with running_accord(url, tmp_path) as server:
        fixture = PgServer(server, empty_postgres_database, postgres_url, tag)
        try:
            yield fixture
        finally:
            fixture.admin.close()


class _Locked:
    """Holds ACCESS EXCLUSIVE on subject_versions, which every registration and the subject list
    touch: the server's transaction then waits inside its BEGIN, where the test kills it."""

    def __init__(self, url: str) -> None:
        self.connection = psycopg.connect(url)
        self.connection.execute("LOCK TABLE subject_versions IN ACCESS EXCLUSIVE MODE")

    def release(self) -> None:
        self.connection.commit()
        self.connection.close()


def _in_background(call: Callable[[], httpx.Response]) -> tuple[threading.Thread, list[Any]]:
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(call()))
    thread.start()
    return thread, result


@pytest.mark.postgres
@pytest.mark.parametrize("request_kind", ["write", "read"])
def test_a_transaction_killed_before_commit_is_run_again(pg: PgServer, request_kind: str) -> None:
    with httpx.Client(base_url=pg.server.url, timeout=WAIT_SECONDS) as http:
        assert _register(http, "already-there").status_code == 200
        lock = _Locked(pg.url)
        try:
            if request_kind == "write":
                thread, result = _in_background(lambda: _register(http, "killed-once", 1))
            else:
                thread, result = _in_background(lambda: http.get("/subjects"))
            _wait_for(lambda: bool(pg.backends(waiting_on_lock=True)), "the server to wait")
            assert pg.terminate(pg.backends(waiting_on_lock=True)) == 1
            # The server opens a new connection and runs the transaction again from the start.
            _wait_for(lambda: bool(pg.backends(waiting_on_lock=True)), "the retry to wait")
        finally:
            lock.release()
        thread.join(WAIT_SECONDS)
        answer = result[0]
        assert answer.status_code == 200, answer.text
        expected = (
            ["already-there", "killed-once"] if request_kind == "write" else ["already-there"]
        )
        assert http.get("/subjects").json() == expected


@pytest.mark.postgres
def test_a_write_killed_on_every_attempt_answers_503_and_stores_nothing(pg: PgServer) -> None:
    with httpx.Client(base_url=pg.server.url, timeout=WAIT_SECONDS) as http:
        assert _register(http, "already-there").status_code == 200
        lock = _Locked(pg.url)
        kills = 0
        try:
            thread, result = _in_background(lambda: _register(http, "never-stored", 1))
            while thread.is_alive():
                kills += pg.terminate(pg.backends(waiting_on_lock=True))
                time.sleep(0.02)
        finally:
            lock.release()
        thread.join(WAIT_SECONDS)
        assert kills > 1, "the server gave up without retrying"
        _assert_plain_503(result[0], pg.tag)
        assert "nothing was stored" in result[0].json()["message"]
        assert http.get("/subjects").json() == ["already-there"]
        assert http.get("/readyz").status_code == 200  # the next connections are fine


_COMMIT_GATE = 0x0ACC0DE  # the advisory lock a deferred trigger waits for at COMMIT


@pytest.mark.postgres
def test_a_connection_lost_during_commit_is_not_retried_and_says_so(pg: PgServer) -> None:
    """A deferred constraint trigger makes COMMIT wait for an advisory lock the test holds, so the
    server's backend is killed while it runs COMMIT, the one moment whose outcome the server
    cannot know. It must answer a plain 503 saying so, without running the write again (a rerun
    would wait at the gate again, and the answer arrives while the gate is still closed)."""
    with psycopg.connect(pg.url, autocommit=True) as setup:
        setup.execute(
            f"""CREATE FUNCTION commit_gate() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_advisory_xact_lock({_COMMIT_GATE}); RETURN NULL; END $$"""
        )
        setup.execute(
            "CREATE CONSTRAINT TRIGGER commit_gate AFTER INSERT ON subject_versions "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION commit_gate()"
        )
    gate = psycopg.connect(pg.url)
    gate.execute("SELECT pg_advisory_xact_lock(%s)", (_COMMIT_GATE,))
    try:
        with httpx.Client(base_url=pg.server.url, timeout=WAIT_SECONDS) as http:
            thread, result = _in_background(lambda: _register(http, "at-commit", 1))

            def at_commit() -> list[int]:
                rows = pg.admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = %s "
                    "AND wait_event = 'advisory' AND query ILIKE 'COMMIT%%'",
                    (pg.tag,),
                ).fetchall()
                return [row[0] for row in rows]

            _wait_for(lambda: bool(at_commit()), "the server's COMMIT to wait at the gate")
            assert pg.terminate(at_commit()) == 1
            thread.join(WAIT_SECONDS)
            assert not thread.is_alive(), "the server ran the write again after a lost COMMIT"
            answer = result[0]
            _assert_plain_503(answer, pg.tag)
            assert "may or may not have been stored" in answer.json()["message"]
    finally:
        gate.close()


@pytest.mark.postgres
def test_writes_and_reads_under_killed_connections_answer_200_or_a_plain_503(pg: PgServer) -> None:
    """Writers and readers while an administrator keeps terminating the server's backends: no
    500, no driver text, and every acknowledged registration is stored; every 503 that says
    nothing was stored really stored nothing."""
    stop = threading.Event()
    kills = [0]

    def killer() -> None:
        # One backend at a time, as a flaky network or a failover would: some transactions die,
        # most of their retries get through.
        while not stop.is_set():
            kills[0] += pg.terminate(pg.backends()[:1])
            time.sleep(0.03)

    def writer(worker: int) -> list[tuple[str, httpx.Response]]:
        answers = []
        with httpx.Client(base_url=pg.server.url, timeout=WAIT_SECONDS) as http:
            for n in range(30):
                subject = f"load-{worker}-{n}"
                answers.append((subject, _register(http, subject, n)))
                answers.append(("", http.get("/subjects")))
        return answers

    thread = threading.Thread(target=killer)
    thread.start()
    try:
        with ThreadPoolExecutor(4) as pool:
            answers = [a for batch in pool.map(writer, range(4)) for a in batch]
    finally:
        stop.set()
        thread.join()
    assert kills[0] > 0, "no connection was terminated: the test proved nothing"
    assert any(subject and answer.status_code == 200 for subject, answer in answers)
    for _subject, answer in answers:
        assert answer.status_code in {200, 503}, answer.text
        if answer.status_code == 503:
            _assert_plain_503(answer, pg.tag)
    with httpx.Client(base_url=pg.server.url, timeout=WAIT_SECONDS) as http:
        stored = set(http.get("/subjects").json())
    for subject, answer in answers:
        if subject and answer.status_code == 200:
            assert subject in stored
        if subject and answer.status_code == 503 and "nothing was stored" in answer.text:
            assert subject not in stored


@pytest.fixture
def refusing_client() -> Iterator[tuple[TestClient, int]]:
    """A registry pointed at a PostgreSQL port nobody listens on (bound, then closed), and the port."""
    port = free_port()
    url = f"postgresql://accord_user@127.0.0.1:{port}/accord_secret_db"
    app = create_app(Settings(database_url=url, migrate_on_start=False))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, port


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/readyz", None),
        ("GET", "/subjects", None),
        ("GET", "/schemas/ids/1", None),
        ("GET", "/subjects/orders/versions/latest", None),
        ("POST", "/subjects/orders/versions", {"schema": '"string"'}),
        ("PUT", "/config/orders", {"compatibility": "FULL"}),
        ("DELETE", "/subjects/orders", None),
    ],
)
def test_a_database_refusing_connections_answers_a_plain_503(
    refusing_client: tuple[TestClient, int], method: str, path: str, body: object
) -> None:
    client, port = refusing_client
    answer = client.request(method, path, json=body)
    _assert_plain_503(answer, str(port), "accord_secret_db", "accord_user")


# --- SQLite: the file removed or replaced under a running server ---


@pytest.fixture
def sqlite_server(tmp_path: Path) -> Iterator[tuple[RunningServer, Path]]:
    path = tmp_path / "store" / "accord.db"
    path.parent.mkdir()
    with running_accord(f"sqlite:///{path}", tmp_path) as server:
        yield server, path


def test_a_removed_sqlite_file_makes_the_server_unready_and_refuse_writes(
    sqlite_server: tuple[RunningServer, Path],
) -> None:
    server, path = sqlite_server
    with httpx.Client(base_url=server.url, timeout=WAIT_SECONDS) as http:
        assert _register(http, "before").status_code == 200
        assert http.get("/readyz").status_code == 200
        path.unlink()
        ready = http.get("/readyz")
        _assert_plain_503(ready, str(path))
        assert "removed or replaced" in ready.json()["message"]
        refused = _register(http, "after", 1)
        _assert_plain_503(refused, str(path))
        assert "removed or replaced" in refused.json()["message"]
        assert "nothing was stored" in refused.json()["message"]


def test_a_replaced_sqlite_file_refuses_writes_that_a_restart_would_lose(
    sqlite_server: tuple[RunningServer, Path], tmp_path: Path
) -> None:
    server, path = sqlite_server
    with httpx.Client(base_url=server.url, timeout=WAIT_SECONDS) as http:
        assert _register(http, "in-the-backup").status_code == 200
        backup = tmp_path / "backup.db"
        # Fold the WAL into the file so that the copy holds the rows.
        connection = sqlite3.connect(path)
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        shutil.copyfile(path, backup)
        os.replace(backup, path)  # an operator restores a backup under the running server
        assert http.get("/readyz").status_code == 503
        _assert_plain_503(_register(http, "refused", 1))
    # The refusal was honest: after a restart on the restored file, the refused write is absent.
    with (
        running_accord(f"sqlite:///{path}", tmp_path) as restarted,
        httpx.Client(base_url=restarted.url, timeout=WAIT_SECONDS) as http,
    ):
        assert http.get("/subjects").json() == ["in-the-backup"]
        assert _register(http, "after-restart", 2).status_code == 200


# --- SQLite: storage full or read-only (real SQLite errors on the running app's own engine) ---


@pytest.fixture
def sqlite_app(sqlite_database: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=sqlite_database))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _reconnect_with(client: TestClient, pragma: Callable[[Any], None]) -> None:
    """Drop the app's pooled connections; every new one runs `pragma` first."""
    engine = client.app.state.registry.db.engine  # type: ignore[attr-defined]
    engine.dispose()
    event.listen(engine, "connect", lambda dbapi_connection, _record: pragma(dbapi_connection))


def _full(connection: Any) -> None:
    # The database may not grow beyond the pages it has: the next page it needs is "disk full".
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")


def _read_only(connection: Any) -> None:
    connection.execute("PRAGMA query_only = ON")


def _big_schema(n: int) -> str:
    fields = [{"name": f"field_{i}_{'x' * 40}", "type": "string"} for i in range(400)]
    return json.dumps({"type": "record", "name": f"Big{n}", "fields": fields})


@pytest.mark.parametrize(("why", "pragma"), [("disk full", _full), ("read-only", _read_only)])
def test_storage_refusing_writes_answers_a_plain_503(
    sqlite_app: TestClient, why: str, pragma: Callable[[Any], None]
) -> None:
    assert sqlite_app.post("/subjects/before/versions", json={"schema": '"int"'}).status_code == 200
    _reconnect_with(sqlite_app, pragma)
    answer = sqlite_app.post("/subjects/refused/versions", json={"schema": _big_schema(1)})
    assert answer.status_code == 503, (why, answer.text)
    assert answer.headers["Retry-After"].isdigit()
    assert answer.json()["error_code"] == 50301
    assert "refuses changes" in answer.json()["message"]
    for text in DRIVER_TEXT:
        assert text not in answer.text
    # Reads still work, and show that nothing was stored.
    assert sqlite_app.get("/subjects").json() == ["before"]
