"""Copying a Confluent-compatible registry into Accord: ids, versions, configs and modes kept."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from clients._registry import RegistryClient, _segment
from clients.errors import AccordError, RegistryError, SchemaNotFound
from contracts import ContractsError, SchemaType, parse_schema

STATE_FORMAT = "accord-migrate-state/1"
IMPORT = "IMPORT"
READWRITE = "READWRITE"


class MigrationError(AccordError):
    """The migration cannot go on (e.g. a state file of another migration); nothing is half-done."""


@dataclass
class MigrationState:
    """What a run has finished, saved after every subject so an interrupted run continues.

    Only finished subjects are recorded: a subject cut off mid-way is copied again, and the
    versions that already arrived are skipped because they are found on the target."""

    path: Path | None
    source: str
    target: str
    done: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path | None, source: str, target: str) -> MigrationState:
        if path is None or not path.exists():
            return cls(path, source, target)
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise MigrationError(f"cannot read the state file {path}: {exc}") from None
        if not isinstance(body, dict) or body.get("format") != STATE_FORMAT:
            raise MigrationError(f"{path} is not an accord migrate state file ({STATE_FORMAT})")
        if (body.get("source"), body.get("target")) != (source, target):
            raise MigrationError(
                f"{path} records a migration from {body.get('source')} to {body.get('target')}, "
                f"not from {source} to {target}: pass another --state file"
            )
        done = body.get("done")
        if not isinstance(done, list) or not all(isinstance(s, str) for s in done):
            raise MigrationError(f"{path}: 'done' is not a list of subject names")
        return cls(path, source, target, list(done))

    def finish(self, subject: str) -> None:
        self.done.append(subject)
        self.save()

    def save(self) -> None:
        if self.path is None:
            return
        body = {"format": STATE_FORMAT, "source": self.source, "target": self.target}
        # Written beside and renamed over: a run killed while saving leaves the previous state.
        partial = self.path.with_name(self.path.name + ".tmp")
        partial.write_text(json.dumps({**body, "done": self.done}, indent=2), encoding="utf-8")
        os.replace(partial, self.path)


@dataclass
class MigrationSummary:
    """What a run did: subjects and versions copied, ids carried over, what was skipped or failed."""

    subjects: int = 0
    versions: int = 0
    ids: set[int] = field(default_factory=set)
    skipped_subjects: int = 0
    skipped_versions: int = 0
    failed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "subjects": self.subjects,
            "versions": self.versions,
            "ids": len(self.ids),
            "skippedSubjects": self.skipped_subjects,
            "skippedVersions": self.skipped_versions,
            "failed": list(self.failed),
        }

    def text(self) -> str:
        lines = [
            f"subjects copied: {self.subjects}, versions copied: {self.versions}, "
            f"schema ids: {len(self.ids)}",
            f"skipped (already on the target): {self.skipped_subjects} subjects, "
            f"{self.skipped_versions} versions",
            f"failed: {len(self.failed)}",
        ]
        lines += [f"  {reason}" for reason in self.failed]
        return "\n".join(lines) + "\n"


Progress = Callable[[int, int, str], None]


def _nothing(done: int, total: int, subject: str) -> None:
    return None


def _own(read: Callable[[], Any]) -> Any:
    """A subject's own config or mode, or None when it follows the global one (404)."""
    try:
        return read()
    except SchemaNotFound:
        return None


def _text(body: Any, name: str, where: str) -> str:
    value = body.get(name) if isinstance(body, dict) else None
    if not isinstance(value, str):
        raise RegistryError(200, -1, f"the source's answer for {where} has no string {name!r}")
    return value


def _int(body: Any, name: str, where: str) -> int:
    value = body.get(name) if isinstance(body, dict) else None
    if type(value) is not int:
        raise RegistryError(200, -1, f"the source's answer for {where} has no integer {name!r}")
    return value


@dataclass(frozen=True, slots=True)
class SourceVersion:
    """One version to copy: its number, schema id and schema, and whether it is soft-deleted."""

    version: int
    schema_id: int
    schema: str
    schema_type: str
    deleted: bool
    references: bool = False

    def body(self) -> dict[str, Any]:
        return {"schema": self.schema, "schemaType": self.schema_type}


class Source(Protocol):
    """Where a migration reads from: a live registry, or a backup file."""

    def level(self, subject: str | None) -> str | None: ...
    def mode(self, subject: str | None) -> str | None: ...
    def subjects(self) -> list[str]: ...
    def versions(self, subject: str) -> list[int]: ...
    def version(self, subject: str, version: int) -> SourceVersion: ...


class RegistrySource:
    """A running registry, read through the Confluent REST API only."""

    def __init__(self, client: RegistryClient) -> None:
        self.client = client
        self._live: dict[str, set[int]] = {}

    def level(self, subject: str | None) -> str | None:
        if subject is None:
            body = self.client.request("GET", "/config")
        else:
            body = _own(
                lambda: self.client.request(
                    "GET", f"/config/{_segment(subject)}", params={"defaultToGlobal": "false"}
                )
            )
        if body is None:
            return None
        return _text(body, "compatibilityLevel", f"the config of {subject or 'the registry'}")

    def mode(self, subject: str | None) -> str | None:
        if subject is None:
            return _text(self.client.request("GET", "/mode"), "mode", "the global mode")
        body = _own(
            lambda: self.client.request(
                "GET", f"/mode/{_segment(subject)}", params={"defaultToGlobal": "false"}
            )
        )
        return None if body is None else _text(body, "mode", f"the mode of {subject}")

    def subjects(self) -> list[str]:
        body = self.client.request("GET", "/subjects", params={"deleted": "true"})
        if not isinstance(body, list) or not all(isinstance(s, str) for s in body):
            raise RegistryError(200, -1, "the source's subject list is not a list of names")
        return body

    def versions(self, subject: str) -> list[int]:
        self._live[subject] = set(_versions(self.client, subject, deleted=False))
        return _versions(self.client, subject, deleted=True)

    def version(self, subject: str, version: int) -> SourceVersion:
        where = f"{subject} version {version}"
        body = self.client.request(
            "GET", f"/subjects/{_segment(subject)}/versions/{version}", params={"deleted": "true"}
        )
        return SourceVersion(
            version=version,
            schema_id=_int(body, "id", where),
            schema=_text(body, "schema", where),
            schema_type=body.get("schemaType") or "AVRO",
            deleted=version not in self._live.get(subject, set()),
            references=bool(body.get("references")),
        )


def _versions(client: RegistryClient, subject: str, *, deleted: bool) -> list[int]:
    try:
        return sorted(client.get_versions(subject, deleted=deleted))
    except SchemaNotFound:
        return []


class Migration:
    """Reads `source` and writes `target` (an Accord, with the admin token) in IMPORT mode, one
    subject at a time."""

    def __init__(
        self,
        source: Source | RegistryClient,
        target: RegistryClient,
        state: MigrationState,
        *,
        progress: Progress = _nothing,
    ) -> None:
        self.source = RegistrySource(source) if isinstance(source, RegistryClient) else source
        self.target = target
        self.state = state
        self.progress = progress
        self.summary = MigrationSummary()

    def run(self, *, global_mode: bool = True) -> MigrationSummary:
        """Copy everything; the global mode last (unless `global_mode` is False: a caller with
        more to write, which a READONLY registry would refuse, restores it itself)."""
        level = self.source.level(None)
        if level is not None:
            self.target.set_compatibility(level)
        subjects = sorted(self.source.subjects())
        for number, subject in enumerate(subjects, 1):
            if subject in self.state.done:
                self.summary.skipped_subjects += 1
            elif self._subject(subject):
                self.state.finish(subject)
            self.progress(number, len(subjects), subject)
        if global_mode:
            self.restore_global_mode()
        return self.summary

    def restore_global_mode(self) -> None:
        mode = self.source.mode(None)
        if mode is not None and mode != self.target.get_mode():
            self.target.request("PUT", "/mode", json={"mode": mode}, params={"force": "true"})

    def _subject(self, subject: str) -> bool:
        """Copy one subject; True when every version arrived (a failed one is tried again by the
        next run). The source or target going away raises: the subject stays unfinished."""
        path = f"/subjects/{_segment(subject)}"
        all_versions = self.source.versions(subject)
        level = self.source.level(subject)
        mode = self.source.mode(subject)
        present = set(_versions(self.target, subject, deleted=True))
        target_live = set(_versions(self.target, subject, deleted=False))
        # The subject alone goes into IMPORT; `force` because a resumed run finds it half-filled.
        self.target.request(
            "PUT", f"/mode/{_segment(subject)}", json={"mode": IMPORT}, params={"force": "true"}
        )
        copied, failures = 0, len(self.summary.failed)
        for number in all_versions:
            where = f"{subject} version {number}"
            try:
                version = self.source.version(subject, number)
                if version.references:
                    raise MigrationError("schema references are not supported by Accord")
                if number in present:
                    found = self.target.request(
                        "GET", f"{path}/versions/{number}", params={"deleted": "true"}
                    )
                    found_id = _int(found, "id", where)
                    if found_id != version.schema_id or not _same(version.body(), found):
                        raise MigrationError(
                            f"the target already has it with id {found_id} "
                            f"({'the same id, ' if found_id == version.schema_id else ''}"
                            f"another schema), the source with id {version.schema_id}"
                        )
                    self.summary.skipped_versions += 1
                else:
                    request = {**version.body(), "id": version.schema_id, "version": number}
                    answer = self.target.request("POST", f"{path}/versions", json=request)
                    if _int(answer, "id", where) != version.schema_id:
                        raise MigrationError(f"the target stored id {answer.get('id')}")
                    target_live.add(number)
                    self.summary.versions += 1
                    copied += 1
                self.summary.ids.add(version.schema_id)
                if version.deleted and number in target_live:
                    self.target.delete_version(subject, number)
            except (RegistryError, MigrationError) as exc:
                self.summary.failed.append(f"{where}: {_reason(exc)}")
        if level is not None:
            self.target.set_compatibility(level, subject)
        if mode is None:
            _own(lambda: self.target.delete_mode(subject))
        else:
            self.target.request(
                "PUT", f"/mode/{_segment(subject)}", json={"mode": mode}, params={"force": "true"}
            )
        if copied:
            self.summary.subjects += 1
        else:
            self.summary.skipped_subjects += 1
        return len(self.summary.failed) == failures


def _same(source: Any, target: Any) -> bool:
    """Whether two answers hold the same schema: by fingerprint of the canonical form, since a
    registry may store another spelling of the text it was sent."""
    if source.get("schema") == target.get("schema"):
        return True
    try:
        return bool(_fingerprint(source) == _fingerprint(target))
    except (ContractsError, RecursionError, TypeError):
        return False


def _fingerprint(body: Any) -> object:
    return parse_schema(SchemaType.parse(body.get("schemaType")), body.get("schema")).fingerprint


def _reason(exc: Exception) -> str:
    if isinstance(exc, RegistryError):
        return exc.message or str(exc)
    return str(exc)
