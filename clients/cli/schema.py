"""`accord schema register|get|diff|list|versions|delete`: a producer's schema versions."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from clients.cli import EXIT_BREAKING, EXIT_OK
from clients.cli._common import (
    UsageError,
    add_common_options,
    add_data_options,
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
    settle_type,
    table,
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

    listing = actions.add_parser("list", help="every topic with a schema")
    listing.add_argument(
        "--deleted", action="store_true", help="include topics whose versions are all soft-deleted"
    )
    add_data_options(listing)
    listing.set_defaults(handler=guarded(list_topics))

    versions = actions.add_parser("versions", help="the version numbers of TOPIC")
    versions.add_argument("topic")
    versions.add_argument("--deleted", action="store_true", help="include soft-deleted versions")
    add_data_options(versions)
    versions.set_defaults(handler=guarded(list_versions))

    delete = actions.add_parser(
        "delete",
        help="soft-delete TOPIC (or one --version of it); --permanent removes what was "
        "soft-deleted before",
    )
    delete.add_argument("topic")
    delete.add_argument("--version", type=positive_int, help="only this version")
    delete.add_argument(
        "--permanent",
        action="store_true",
        help="hard delete (the topic or version must be soft-deleted first)",
    )
    add_data_options(delete)
    delete.set_defaults(handler=guarded(delete_schema))


def register_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    text = read_text(args.file)
    kind = schema_type_of(args.file, args.type, text)
    parse_file(kind, text, args.file)  # an invalid file is exit 1 with the parser's reason, at once
    with registry(args) as client:
        kind = settle_type(args, client, kind, text)
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
        new_text = read_text(args.file)
        new_kind = schema_type_of(args.file, args.type, new_text)
        new_schema = parse_file(new_kind, new_text, args.file)
        new_label = args.file
    with registry(args) as client:
        if args.file:
            settled = settle_type(args, client, new_kind, new_text)
            if settled is not new_kind:
                new_schema = parse_file(settled, new_text, args.file)
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


def list_topics(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        topics = client.get_subjects(deleted=args.deleted)
    emit_data(args, out, topics, table(("TOPIC",), ((t,) for t in topics), "no topics"))
    return EXIT_OK


def list_versions(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        versions = client.get_versions(args.topic, deleted=args.deleted)
    text = f"{args.topic}: versions {', '.join(str(v) for v in versions)}\n"
    emit_data(args, out, versions, text)
    return EXIT_OK


def delete_schema(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    how = "permanently deleted" if args.permanent else "soft-deleted"
    with registry(args) as client:
        if args.version is not None:
            versions = [client.delete_version(args.topic, args.version, permanent=args.permanent)]
        else:
            versions = client.delete_subject(args.topic, permanent=args.permanent)
    text = f"{how} {args.topic} version{'s' if len(versions) != 1 else ''} " + (
        ", ".join(str(v) for v in versions) + "\n"
    )
    emit_data(
        args, out, {"topic": args.topic, "deleted": versions, "permanent": args.permanent}, text
    )
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
