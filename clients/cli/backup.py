"""`accord export FILE` and `accord import FILE`: a whole registry as one JSON backup document."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any, TextIO

from clients._backup import export_document, import_document
from clients.cli import EXIT_BREAKING, EXIT_OK
from clients.cli._common import (
    UsageError,
    add_common_options,
    emit_data,
    guarded,
    read_json,
    registry,
)
from clients.cli.migrate import progress_bar

# A backup holds every schema of a registry: far beyond one schema file's limit, still bounded.
MAX_BACKUP_BYTES = 1024 * 1024 * 1024


def register(commands: Any) -> None:
    export = commands.add_parser(
        "export",
        help="write the registry's schemas, subjects, configs, modes, owners and "
        "contracts to FILE (a JSON backup)",
    )
    export.add_argument("file", metavar="FILE")
    add_common_options(export)
    export.set_defaults(handler=guarded(export_backup))
    restore = commands.add_parser(
        "import", help="restore a backup FILE, ids and versions kept (needs the admin token)"
    )
    restore.add_argument("file", metavar="FILE")
    add_common_options(restore)
    restore.set_defaults(handler=guarded(import_backup))


def export_backup(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        document = export_document(client)
    path = Path(args.file)
    partial = path.with_name(path.name + ".tmp")
    try:
        partial.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    versions = sum(len(s["versions"]) for s in document["subjects"])
    summary = {
        "subjects": len(document["subjects"]),
        "versions": versions,
        "schemas": len(document["schemas"]),
        "file": str(path),
    }
    emit_data(
        args,
        out,
        summary,
        f"exported {summary['subjects']} subjects, {versions} "
        f"versions, {summary['schemas']} schemas to {path}\n",
    )
    return EXIT_OK


def import_backup(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    document = read_json(args.file, MAX_BACKUP_BYTES)
    with registry(args) as client:
        summary = import_document(document, client, progress=progress_bar(err))
    emit_data(args, out, summary.to_json(), summary.text())
    return EXIT_OK if summary.ok else EXIT_BREAKING
