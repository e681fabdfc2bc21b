"""`accord consumers TEAM`, `accord fields TOPIC`, `accord owner get|set`: who reads and owns what."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from clients.cli import EXIT_OK
from clients.cli._common import add_data_options, emit_data, guarded, registry, table


def register(commands: Any) -> None:
    consumers: argparse.ArgumentParser = commands.add_parser(
        "consumers", help="the topics TEAM consumes, with its contract version on each"
    )
    consumers.add_argument("team")
    add_data_options(consumers)
    consumers.set_defaults(handler=guarded(list_consumed))

    fields: argparse.ArgumentParser = commands.add_parser(
        "fields", help="every field of TOPIC's latest schema and the consumers that read it"
    )
    fields.add_argument("topic")
    add_data_options(fields)
    fields.set_defaults(handler=guarded(list_fields))

    matrix: argparse.ArgumentParser = commands.add_parser(
        "matrix",
        help="every live producer version of TOPIC against every consumer's current contract",
    )
    matrix.add_argument("topic")
    add_data_options(matrix)
    matrix.set_defaults(handler=guarded(show_matrix))

    owner: argparse.ArgumentParser = commands.add_parser("owner", help="the team that owns a topic")
    actions = owner.add_subparsers(dest="action", required=True, metavar="ACTION")
    get = actions.add_parser("get", help="the team that owns TOPIC")
    get.add_argument("topic")
    add_data_options(get)
    get.set_defaults(handler=guarded(get_owner))
    put = actions.add_parser("set", help="give TOPIC to TEAM (needs the admin token)")
    put.add_argument("topic")
    put.add_argument("team")
    add_data_options(put)
    put.set_defaults(handler=guarded(set_owner))


def list_consumed(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        found = client.contracts_of_consumer(args.team)
    text = table(
        ("TOPIC", "CONTRACT VERSION", "TYPE"),
        ((c.topic, c.version, c.schema_type.value) for c in found),
        f"{args.team} has no contract on any topic",
    )
    emit_data(args, out, [c.to_json() for c in found], text)
    return EXIT_OK


def list_fields(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        found = client.get_fields(args.topic)
    text = table(
        ("FIELD", "TYPE", "REQUIRED", "READ BY"),
        (
            (f.path, f.type, "yes" if f.required else "no", ", ".join(f.consumers) or "-")
            for f in found
        ),
        f"{args.topic} has no fields",
    )
    emit_data(args, out, [f.to_json() for f in found], text)
    return EXIT_OK


def show_matrix(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        cells = client.get_matrix(args.topic)
    consumers = sorted({(c.consumer, c.contract_version) for c in cells})
    versions = sorted({c.version for c in cells})
    by_pair = {(c.version, c.consumer): c for c in cells}

    def verdict(version: int, consumer: str) -> str:
        cell = by_pair[(version, consumer)]
        if cell.ok:
            return "ok"
        return "BROKEN " + ", ".join(sorted({f"{k}({f or '/'})" for k, f in cell.problems}))

    text = table(
        ("VERSION", *(f"{name} (contract v{v})" for name, v in consumers)),
        ((f"v{v}", *(verdict(v, name) for name, _ in consumers)) for v in versions),
        f"{args.topic} has no consumer contract",
    )
    emit_data(args, out, [c.to_json() for c in cells], text)
    return EXIT_OK


def get_owner(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        found = client.get_owner(args.topic)
    text = f"{found.topic}: owned by {found.team}\n" if found.team else f"{found.topic}: no owner\n"
    emit_data(args, out, found.to_json(), text)
    return EXIT_OK


def set_owner(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        found = client.set_owner(args.topic, args.team)
    emit_data(args, out, found.to_json(), f"{found.topic}: now owned by {found.team}\n")
    return EXIT_OK
