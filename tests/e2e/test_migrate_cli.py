"""`accord migrate` from one live Accord (speaking the Confluent API) into another: ids, versions,
soft deletes, configs and modes arrive; an interrupted run resumes to completion."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import httpx
import pytest

from clients import RegistryClient
from clients._migrate import Migration, MigrationState
from clients.cli import run
from clients.errors import RegistryUnavailable, SchemaNotFound

SOURCE_ADMIN = "source-admin-0123456789abcdef"
TARGET_ADMIN = "target-admin-0123456789abcdef"


def _record(name: str, *fields: str) -> str:
    return json.dumps(
        {
            "type": "record",
            "name": name,
            "fields": [{"name": f, "type": "string", "default": ""} for f in fields],
        }
    )


def accord(*argv: str, err: io.StringIO | None = None) -> tuple[int, str, str]:
    out, errors = io.StringIO(), err if err is not None else io.StringIO()
    code = run(list(argv), out, errors)
    return code, out.getvalue(), errors.getvalue()


def _fill_source(url: str) -> None:
    """Subjects with chosen (Kafka-era) ids, a shared schema, soft deletes, configs and modes."""
    with RegistryClient(url, token=SOURCE_ADMIN) as client:
        client.request("PUT", "/mode", json={"mode": "IMPORT"})
        chosen = [
            ("orders-value", 1, 1001, _record("Order", "id")),
            ("orders-value", 2, 1002, _record("Order", "id", "total")),
            ("orders-value", 3, 1003, _record("Order", "id", "total", "note")),
            ("payments-value", 1, 2001, _record("Payment", "id")),
            ("payments-value", 2, 1002, _record("Order", "id", "total")),  # a shared id
            ("gone-value", 1, 3001, _record("Gone", "id")),
            ("users-value", 4, 4004, _record("User", "id")),  # versions 1-3 deleted for good
        ]
        for subject, version, schema_id, schema in chosen:
            body = {"schema": schema, "schemaType": "AVRO", "id": schema_id, "version": version}
            client.request("POST", f"/subjects/{subject}/versions", json=body)
        client.request("PUT", "/mode", json={"mode": "READWRITE"})
        client.register_schema("users-value", _record("User", "id", "email"))  # an allocated id
        client.delete_version("orders-value", 2)
        client.delete_subject("gone-value")
        client.set_compatibility("FULL")
        client.set_compatibility("NONE", "payments-value")
        client.set_mode("READONLY", "payments-value")


def _view(url: str, token: str) -> dict[str, Any]:
    """Everything a migration must carry, as the registry's own API reports it."""
    with RegistryClient(url, token=token) as client:
        subjects: dict[str, Any] = {}
        for subject in client.get_subjects(deleted=True):
            live = set(client.get_versions(subject)) if subject != "gone-value" else set()
            versions = []
            for version in client.get_versions(subject, deleted=True):
                body = client.request(
                    "GET", f"/subjects/{subject}/versions/{version}", params={"deleted": "true"}
                )
                versions.append((version, body["id"], body["schema"], version in live))
            try:
                level: str | None = client.get_config(subject).level
            except SchemaNotFound:
                level = None
            try:
                mode: str | None = client.get_mode(subject)
            except SchemaNotFound:
                mode = None
            subjects[subject] = {"versions": versions, "level": level, "mode": mode}
        return {
            "subjects": subjects,
            "level": client.get_config().level,
            "mode": client.get_mode(),
        }


class _FailingAfter(httpx.BaseTransport):
    """The source going away mid-way: after `budget` requests every request fails to connect."""

    def __init__(self, budget: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.budget = budget

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.budget -= 1
        if self.budget < 0:
            raise httpx.ConnectError("source went away", request=request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def test_migrate_keeps_ids_and_resumes_after_the_source_fails(
    accord_server_factory: Callable[..., AbstractContextManager[Any]], tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    with (
        accord_server_factory(
            f"sqlite:///{tmp_path / 'source.db'}", env={"ACCORD_ADMIN_TOKEN": SOURCE_ADMIN}
        ) as source,
        accord_server_factory(
            f"sqlite:///{tmp_path / 'target.db'}", env={"ACCORD_ADMIN_TOKEN": TARGET_ADMIN}
        ) as target,
    ):
        _fill_source(source.url)
        expected = _view(source.url, SOURCE_ADMIN)
        assert expected["subjects"]["orders-value"]["versions"][1][3] is False  # soft deleted

        # First run: the source stops answering part-way through the subjects.
        with (
            httpx.Client(transport=_FailingAfter(20)) as failing,
            RegistryClient(source.url, token=SOURCE_ADMIN, http=failing, max_retries=0) as src,
            RegistryClient(target.url, token=TARGET_ADMIN) as dst,
        ):
            progress = MigrationState(state, src.url, dst.url)
            with pytest.raises(RegistryUnavailable):
                Migration(src, dst, progress).run()
        finished = json.loads(state.read_text())["done"]
        assert 0 < len(finished) < len(expected["subjects"])

        # Second run, from the command line: continues, skips what arrived, completes.
        code, out, err = accord(
            "migrate",
            "--from",
            source.url,
            "--from-token",
            SOURCE_ADMIN,
            "--registry",
            target.url,
            "--token",
            TARGET_ADMIN,
            "--state",
            str(state),
            "--format",
            "json",
        )
        assert code == 0, err
        assert err == ""  # no progress bar when stderr is not a terminal
        summary = json.loads(out)
        assert summary["failed"] == []
        assert summary["skippedSubjects"] == len(finished)
        assert _view(target.url, TARGET_ADMIN) == expected

        # A third run finds everything there: nothing copied, nothing failed.
        code, out, err = accord(
            "migrate",
            "--from",
            source.url,
            "--from-token",
            SOURCE_ADMIN,
            "--registry",
            target.url,
            "--token",
            TARGET_ADMIN,
            "--state",
            str(tmp_path / "fresh-state.json"),
            "--format",
            "json",
        )
        assert code == 0, err
        again = json.loads(out)
        assert (again["versions"], again["subjects"], again["failed"]) == (0, 0, [])
        assert again["skippedVersions"] == sum(
            len(s["versions"]) for s in expected["subjects"].values()
        )
        assert _view(target.url, TARGET_ADMIN) == expected

        # The audit of the target shows the admin importing.
        with RegistryClient(target.url, token=TARGET_ADMIN) as client:
            actions = {e.action for e in client.get_audit(topic="orders-value")}
        assert "import" in actions


def test_migrate_reports_conflicts_and_refuses_a_foreign_state(
    accord_server_factory: Callable[..., AbstractContextManager[Any]], tmp_path: Path
) -> None:
    with (
        accord_server_factory(f"sqlite:///{tmp_path / 'source.db'}") as source,
        accord_server_factory(
            f"sqlite:///{tmp_path / 'target.db'}", env={"ACCORD_ADMIN_TOKEN": TARGET_ADMIN}
        ) as target,
    ):
        with RegistryClient(source.url) as client:
            source_id = client.register_schema("orders-value", _record("Order", "id")).schema_id
        with RegistryClient(target.url, token=TARGET_ADMIN) as client:
            client.register_schema("other-value", _record("Other", "id"))
            client.register_schema("orders-value", _record("Other", "id"))  # version 1, other id
        state = tmp_path / "state.json"

        class Terminal(io.StringIO):
            def isatty(self) -> bool:
                return True

        shown = Terminal()
        migrate = ("migrate", "--from", source.url, "--registry", target.url)
        code, out, err = accord(*migrate, "--token", TARGET_ADMIN, "--state", str(state), err=shown)
        assert code == 1
        assert "orders-value version 1: the target already has it with id 1 (the same id, " in out
        assert f"another schema), the source with id {source_id}" in out
        assert "1/1 subjects" in err  # the progress bar, on a terminal

        code, _, err = accord(*migrate, "--token", "wrong-token-0123456789", "--state", "x.json")
        assert code == 3
        state.write_text(
            json.dumps(
                {"format": "accord-migrate-state/1", "source": "http://a", "target": "http://b"}
            )
        )
        code, _, err = accord(*migrate, "--token", TARGET_ADMIN, "--state", str(state))
        assert code == 2
        assert "records a migration from http://a" in err
        assert err.count("\n") == 1


def test_basic_credentials_reach_the_source_as_httpx_would_send_them() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("Authorization", ""))
        return httpx.Response(200, json=[])

    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as http,
        RegistryClient("http://source", basic_auth=("key", "se:cret"), http=http) as client,
    ):
        assert client.get_subjects() == []
    oracle = httpx.Request("GET", "http://source")
    httpx.BasicAuth("key", "se:cret").auth_flow(oracle).__next__()
    assert seen == [oracle.headers["Authorization"]]

    code, _, err = accord("migrate", "--from", "http://x", "--from-basic-auth", "no-colon")
    assert (code, err) == (2, "accord: --from-basic-auth is USER:PASSWORD\n")
