"""Backups of a registry as one versioned JSON document, restored through the migration's path."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

from clients._migrate import (
    Migration,
    MigrationError,
    MigrationState,
    MigrationSummary,
    Progress,
    RegistrySource,
    SourceVersion,
    _nothing,
    _own,
    _reason,
)
from clients._registry import RegistryClient
from clients.errors import RegistryError

FORMAT = "accord-backup"
FORMAT_VERSION = 1


def export_document(client: RegistryClient) -> dict[str, Any]:
    """Everything `import_document` restores: schemas by id, subjects with their versions,
    configs, modes, owners and consumer contracts (the current version of each)."""
    source = RegistrySource(client)
    schemas: dict[str, dict[str, str]] = {}
    subjects = []
    for name in sorted(source.subjects()):
        versions = []
        for number in source.versions(name):
            version = source.version(name, number)
            if version.references:
                raise MigrationError(f"{name} version {number} has schema references")
            schemas[str(version.schema_id)] = version.body()
            versions.append(
                {"version": number, "id": version.schema_id, "deleted": version.deleted}
            )
        level = source.level(name)
        owner = _own(functools.partial(client.get_owner, name))
        subjects.append(
            {
                "name": name,
                "versions": versions,
                "config": None if level is None else {"compatibilityLevel": level},
                "mode": source.mode(name),
                "owner": None if owner is None else owner.team,
                "contracts": [
                    {
                        "consumer": c.consumer,
                        "schemaType": c.schema_type.value,
                        "schema": c.text,
                        "examples": list(c.examples),
                    }
                    for c in client.list_contracts(name)
                ],
            }
        )
    return {
        "format": FORMAT,
        "formatVersion": FORMAT_VERSION,
        "exportedFrom": client.url,
        "exportedAt": datetime.now(UTC).isoformat(),
        "config": {"compatibilityLevel": source.level(None)},
        "mode": source.mode(None),
        "schemas": schemas,
        "subjects": subjects,
    }


def _fail(where: str, what: str) -> MigrationError:
    return MigrationError(f"backup: {where} {what}")


def _typed(body: Any, name: str, kind: type, where: str, *, optional: bool = False) -> Any:
    if not isinstance(body, dict):
        raise _fail(where, "is not an object")
    value = body.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _fail(f"{where}.{name}", f"is not {'a' if kind is not int else 'an'} {kind.__name__}")
    return value


def _level(body: Any, where: str) -> str | None:
    if body is None:
        return None
    level: str = _typed(body, "compatibilityLevel", str, where)
    return level


class BackupSource:
    """A backup document as a migration source; every field is checked before anything is
    written, and a problem names its place (`subjects[2].versions[0].id is not an int`)."""

    def __init__(self, document: Any) -> None:
        if _typed(document, "format", str, "document") != FORMAT:
            raise _fail("document.format", f"is not {FORMAT!r}")
        if _typed(document, "formatVersion", int, "document") != FORMAT_VERSION:
            raise _fail("document.formatVersion", f"is not {FORMAT_VERSION} (unknown version)")
        self.global_level = _level(document.get("config"), "config")
        self.global_mode: str | None = _typed(document, "mode", str, "document", optional=True)
        schemas: dict[str, Any] = _typed(document, "schemas", dict, "document")
        self.schemas: dict[int, tuple[str, str]] = {}
        for key, body in schemas.items():
            if not key.isascii() or not key.isdigit():
                raise _fail(f"schemas[{key!r}]", "is not keyed by a schema id")
            where = f"schemas[{key}]"
            self.schemas[int(key)] = (
                _typed(body, "schema", str, where),
                _typed(body, "schemaType", str, where, optional=True) or "AVRO",
            )
        self.entries: dict[str, dict[str, Any]] = {}
        for i, entry in enumerate(_typed(document, "subjects", list, "document")):
            where = f"subjects[{i}]"
            name = _typed(entry, "name", str, where)
            for j, version in enumerate(_typed(entry, "versions", list, where)):
                at = f"{where}.versions[{j}]"
                _typed(version, "version", int, at)
                if _typed(version, "id", int, at) not in self.schemas:
                    raise _fail(f"{at}.id", "names no schema of 'schemas'")
                _typed(version, "deleted", bool, at, optional=True)
            _level(entry.get("config"), f"{where}.config")
            _typed(entry, "mode", str, where, optional=True)
            _typed(entry, "owner", str, where, optional=True)
            for j, contract in enumerate(
                _typed(entry, "contracts", list, where, optional=True) or []
            ):
                at = f"{where}.contracts[{j}]"
                _typed(contract, "consumer", str, at)
                _typed(contract, "schema", str, at)
                _typed(contract, "schemaType", str, at, optional=True)
                _typed(contract, "examples", list, at, optional=True)
            self.entries[name] = entry

    def level(self, subject: str | None) -> str | None:
        if subject is None:
            return self.global_level
        return _level(self.entries[subject].get("config"), subject)

    def mode(self, subject: str | None) -> str | None:
        if subject is None:
            return self.global_mode
        mode: str | None = self.entries[subject].get("mode")
        return mode

    def subjects(self) -> list[str]:
        return list(self.entries)

    def versions(self, subject: str) -> list[int]:
        return sorted(v["version"] for v in self.entries[subject]["versions"])

    def version(self, subject: str, version: int) -> SourceVersion:
        for entry in self.entries[subject]["versions"]:
            if entry["version"] == version:
                schema, schema_type = self.schemas[entry["id"]]
                return SourceVersion(
                    version, entry["id"], schema, schema_type, bool(entry.get("deleted"))
                )
        raise KeyError(version)


def import_document(
    document: Any, target: RegistryClient, *, progress: Progress = _nothing
) -> MigrationSummary:
    """Restore a backup into `target` (the admin token): subjects, versions, ids, configs and
    modes through the migration's path, then the teams that own topics or hold contracts, the
    owners, and the contracts."""
    source = BackupSource(document)
    migration = Migration(source, target, MigrationState(None, "", ""), progress=progress)
    summary = migration.run(global_mode=False)
    teams = {t.name for t in target.list_teams()}
    for name, entry in source.entries.items():
        wanted = [entry.get("owner")] + [c["consumer"] for c in entry.get("contracts") or []]
        for team in wanted:
            if team is not None and team not in teams:
                target.create_team(team)
                teams.add(team)
        try:
            if entry.get("owner") is not None:
                target.set_owner(name, entry["owner"])
            for contract in entry.get("contracts") or []:
                target.register_contract(
                    name,
                    contract["consumer"],
                    contract["schema"],
                    contract.get("schemaType") or "AVRO",
                    examples=contract.get("examples") or [],
                )
        except RegistryError as exc:
            summary.failed.append(f"{name}: {_reason(exc)}")
    migration.restore_global_mode()  # last: a READONLY registry refuses owners and contracts
    return summary
