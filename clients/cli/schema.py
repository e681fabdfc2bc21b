"""`accord schema register|get|diff`: a producer's schema versions."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from clients.cli import EXIT_BREAKING, EXIT_OK
from clients.cli._common import (
    UsageError,
    add_common_options,
    add_type_option,
    emit_data,
    emit_report,
    guarded,
    one_line,
    parse_file,
    parsed_from_registry,
    positive_int,
    read_text,
    registry,
    schema_type_of,
)
from clients.errors import IncompatibleSchema
from contracts import ParsedSchema, check_pair
from contracts.fields import field_paths


def register(commands: Any) -> None:
    group: argparse.ArgumentParser = commands.add_parser("schema", help="producer schema versions")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")

    reg = actions.add_parser("register", help="register FILE as the next version of TOPIC")
    reg.add_argument("topic")
    reg.add_argument("file")
    add_type_option(reg)
    add_common_options(reg)
    reg.set_defaults(handler=guarded(register_schema))

    get = actions.add_parser("get", help="print a version of TOPIC's schema (default: latest)")
    get.add_argument("topic")
    get.add_argument("--version", type=positive_int)
    add_common_options(get)
    get.set_defaults(handler=guarded(get_schema))

    diff = actions.add_parser("diff", help="field-level differences between two schemas")
    diff.add_argument("topic")
    diff.add_argument("file", nargs="?", help="a proposed schema file (instead of --to)")
    diff.add_argument(
        "--from", dest="from_version", type=positive_int, help="default: latest version"
    )
    diff.add_argument("--to", dest="to_version", type=positive_int)
    add_type_option(diff)
    add_common_options(diff)
    diff.set_defaults(handler=guarded(diff_schema))


def register_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    text = read_text(args.file)
    kind = schema_type_of(args.file, args.type)
    parse_file(kind, text, args.file)  # an invalid file is exit 1 with the parser's reason, at once
    with registry(args) as client:
        try:
            registered = client.register_schema(args.topic, text, kind)
        except IncompatibleSchema as exc:
            report = exc.report
            if report is None:
                raise  # refused by the level alone: the registry's message says why
            # Who breaks and why: the report the registry sent with its refusal.
            err.write(f"accord: refused: {one_line(exc.message)}\n")
            emit_report(args, out, report)
            return EXIT_BREAKING
    data = {"topic": args.topic, "version": registered.version, "id": registered.schema_id}
    emit_data(
        args,
        out,
        data,
        f"registered {args.topic} version {registered.version} (schema id {registered.schema_id})\n",
    )
    return EXIT_OK


def get_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        found = (
            client.get_version(args.topic, args.version)
            if args.version is not None
            else client.get_latest_version(args.topic)
        )
    data = {
        "topic": args.topic,
        "version": found.version,
        "id": found.schema_id,
        "schemaType": found.schema_type.value,
        "schema": found.text,
    }
    emit_data(args, out, data, found.text.rstrip("\n") + "\n")
    return EXIT_OK


def diff_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.file and args.to_version is not None:
        raise UsageError("give either --to M or FILE, not both")
    new_schema: ParsedSchema | None = None
    if args.file:  # the file first: a bad file is reported before any call
        new_schema = parse_file(
            schema_type_of(args.file, args.type), read_text(args.file), args.file
        )
        new_label = args.file
    with registry(args) as client:
        old = (
            client.get_version(args.topic, args.from_version)
            if args.from_version is not None
            else client.get_latest_version(args.topic)
        )
        old_schema = parsed_from_registry(old, client.url)
        if new_schema is None:
            new = (
                client.get_version(args.topic, args.to_version)
                if args.to_version is not None
                else client.get_latest_version(args.topic)
            )
            new_schema, new_label = parsed_from_registry(new, client.url), f"version {new.version}"
    changes = field_changes(old_schema, new_schema)
    readable_old = not check_pair(old_schema, new_schema).findings
    readable_new = not check_pair(new_schema, old_schema).findings
    data = {
        "from": f"version {old.version}",
        "to": new_label,
        "changes": changes,
        "newReadsOld": readable_new,
        "oldReadsNew": readable_old,
    }
    lines = [f"{args.topic}: version {old.version} -> {new_label}"]
    lines += [f"  {c['change']:<8} {c['path']}: {c['detail']}" for c in changes] or [
        "  no field changes"
    ]
    lines.append(
        f"  the new schema {'can' if readable_new else 'cannot'} read data of the old (BACKWARD)"
    )
    lines.append(
        f"  the old schema {'can' if readable_old else 'cannot'} read data of the new (FORWARD)"
    )
    emit_data(args, out, data, "\n".join(lines) + "\n")
    return EXIT_OK


def field_changes(old: ParsedSchema, new: ParsedSchema) -> list[dict[str, str]]:
    """Fields added, removed, or whose type or optionality changed."""
    before = {f.path: f for f in field_paths(old)}
    after = {f.path: f for f in field_paths(new)}
    changes = []
    for path, field in after.items():
        if path not in before:
            changes.append({"change": "added", "path": path, "detail": field.type})
        elif before[path].type != field.type or before[path].required != field.required:
            was, now = before[path], field
            changes.append(
                {
                    "change": "changed",
                    "path": path,
                    "detail": f"{_describe(was.type, was.required)} -> {_describe(now.type, now.required)}",
                }
            )
    changes.extend(
        {"change": "removed", "path": path, "detail": field.type}
        for path, field in before.items()
        if path not in after
    )
    return changes


def _describe(type_name: str, required: bool) -> str:
    return type_name if required else f"{type_name} (may be omitted)"
