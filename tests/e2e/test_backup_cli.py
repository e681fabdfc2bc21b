"""`accord export` then `accord import` into an empty registry: the same registry comes back
(ids, versions, soft deletes, configs, modes, owners, contracts); a bad backup writes nothing."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from clients import RegistryClient
from tests.e2e.test_migrate_cli import SOURCE_ADMIN, TARGET_ADMIN, _fill_source, _record, _view
from tests.e2e.test_migrate_cli import accord as accord_cli


def _extras(url: str, token: str) -> dict[str, Any]:
    """What only Accord's extensions show: owners and contracts."""
    with RegistryClient(url, token=token) as client:
        return {
            topic: (
                client.get_owner(topic).team,
                [(c.consumer, c.text) for c in client.list_contracts(topic)],
            )
            for topic in ("orders-value", "users-value")
        }


def test_export_then_import_into_an_empty_registry_round_trips(
    accord_server_factory: Callable[..., AbstractContextManager[Any]], tmp_path: Path
) -> None:
    backup, again = tmp_path / "backup.json", tmp_path / "again.json"
    with (
        accord_server_factory(
            f"sqlite:///{tmp_path / 'source.db'}", env={"ACCORD_ADMIN_TOKEN": SOURCE_ADMIN}
        ) as source,
        accord_server_factory(
            f"sqlite:///{tmp_path / 'target.db'}", env={"ACCORD_ADMIN_TOKEN": TARGET_ADMIN}
        ) as target,
    ):
        _fill_source(source.url)
        with RegistryClient(source.url, token=SOURCE_ADMIN) as client:
            client.create_team("crm")
            client.create_team("marketing")
            client.set_owner("orders-value", "crm")
            client.register_contract("orders-value", "marketing", _record("Order", "id"))
            client.set_mode("READONLY")  # restored last, after the owners and contracts
        src = ("--registry", source.url, "--token", SOURCE_ADMIN)
        code, out, err = accord_cli("export", str(backup), *src)
        assert code == 0, err
        assert "4 subjects, 8 versions" in out
        document = json.loads(backup.read_text())
        assert (document["format"], document["formatVersion"]) == ("accord-backup", 1)

        dst = ("--registry", target.url, "--token", TARGET_ADMIN)
        code, out, err = accord_cli("import", str(backup), *dst, "--format", "json")
        assert code == 0, err
        assert json.loads(out)["failed"] == []
        assert _view(target.url, TARGET_ADMIN) == _view(source.url, SOURCE_ADMIN)
        assert _extras(target.url, TARGET_ADMIN) == _extras(source.url, SOURCE_ADMIN)

        # Exported again, the target gives the same document (but for where and when).
        assert accord_cli("export", str(again), *dst)[0] == 0
        second = json.loads(again.read_text())
        for key in ("exportedFrom", "exportedAt"):
            document.pop(key), second.pop(key)
        assert second == document

        # Importing again changes nothing and fails nothing.
        code, out, err = accord_cli("import", str(backup), *dst, "--format", "json")
        assert code == 0, err
        assert json.loads(out)["versions"] == 0


def test_a_bad_backup_is_refused_with_its_place_and_writes_nothing(
    accord_server_factory: Callable[..., AbstractContextManager[Any]], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    document = {
        "format": "accord-backup",
        "formatVersion": 1,
        "schemas": {"7": {"schema": _record("A", "id"), "schemaType": "AVRO"}},
        "subjects": [
            {"name": "a-value", "versions": [{"version": 1, "id": 7}]},
            {"name": "b-value", "versions": [{"version": 1, "id": "7"}]},
        ],
    }
    bad.write_text(json.dumps(document))
    with accord_server_factory(
        f"sqlite:///{tmp_path / 'target.db'}", env={"ACCORD_ADMIN_TOKEN": TARGET_ADMIN}
    ) as target:
        dst = ("--registry", target.url, "--token", TARGET_ADMIN)
        code, _, err = accord_cli("import", str(bad), *dst)
        assert (code, err) == (2, "accord: backup: subjects[1].versions[0].id is not an int\n")
        document["formatVersion"] = 2
        bad.write_text(json.dumps(document))
        code, _, err = accord_cli("import", str(bad), *dst)
        assert code == 2
        assert "formatVersion is not 1" in err
        with RegistryClient(target.url, token=TARGET_ADMIN) as client:
            assert client.get_subjects(deleted=True) == []
