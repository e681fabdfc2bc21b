"""`accord contract register|get|list|delete`: what a consumer team relies on in a topic."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from clients._registry import RegistryClient
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
    read_json,
    read_text,
    registry,
    schema_type_of,
    settle_type,
    table,
)
from clients.errors import IncompatibleSchema, SchemaNotFound
from contracts import SchemaType
from contracts.compatibility import VersionedSchema
from contracts.consumers import ConsumerContract, ContractScope


def register(commands: Any) -> None:
    group: argparse.ArgumentParser = commands.add_parser("contract", help="consumer contracts")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")

    reg = actions.add_parser("register", help="register FILE as CONSUMER's contract on TOPIC")
    reg.add_argument("topic")
    reg.add_argument("file")
    reg.add_argument("--consumer", required=True, help="the consumer team")
    reg.add_argument(
        "--example", action="append", default=[], metavar="FILE", help="an example message (JSON)"
    )
    add_type_option(reg)
    add_common_options(reg)
    reg.set_defaults(handler=guarded(register_contract))

    get = actions.add_parser("get", help="print CONSUMER's current contract on TOPIC")
    get.add_argument("topic")
    get.add_argument("--consumer", required=True)
    add_common_options(get)
    get.set_defaults(handler=guarded(get_contract))

    listing = actions.add_parser(
        "list", help="the current contracts on TOPIC, or (with --consumer) every one of CONSUMER"
    )
    listing.add_argument("topic", nargs="?")
    listing.add_argument("--consumer")
    add_common_options(listing)
    listing.set_defaults(handler=guarded(list_contracts))

    delete = actions.add_parser("delete", help="withdraw CONSUMER's contract on TOPIC")
    delete.add_argument("topic")
    delete.add_argument("--consumer", required=True)
    add_common_options(delete)
    delete.set_defaults(handler=guarded(delete_contract))


def producers_in_scope(client: RegistryClient, topic: str) -> tuple[VersionedSchema, ...]:
    """The producer versions a contract on `topic` must read: every live version, or only the
    latest when the topic's `contractScope` is LATEST. A topic with no live version raises
    SchemaNotFound (exit 2): a contract there protects nothing and the registry refuses it."""
    try:
        scope = ContractScope(client.get_config(topic).contract_scope or ContractScope.ALL_LIVE)
    except (SchemaNotFound, ValueError):  # no setting of its own, or one this CLI predates
        scope = ContractScope.ALL_LIVE
    versions = client.get_versions(topic)
    if scope is ContractScope.LATEST:
        versions = versions[-1:]
    return tuple(
        VersionedSchema(v, parsed_from_registry(client.get_version(topic, v), client.url))
        for v in versions
    )


def load_contract(args: argparse.Namespace) -> tuple[ConsumerContract, SchemaType, str]:
    """The contract file and its --example files, read and parsed before any call."""
    text = read_text(args.file)
    kind = schema_type_of(args.file, args.type, text)
    schema = parse_file(kind, text, args.file)
    examples = tuple(read_json(path) for path in getattr(args, "example", []) or [])
    return ConsumerContract(args.consumer, schema, examples), kind, text


def register_contract(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    contract, kind, text = load_contract(args)
    with registry(args) as client:
        kind = settle_type(args, client, kind, text)
        try:
            stored = client.register_contract(
                args.topic, args.consumer, text, kind, examples=contract.examples
            )
        except IncompatibleSchema as exc:
            report = exc.report
            if report is None:
                raise
            # The registry ran the check and sent its report with the refusal.
            err.write(f"accord: refused: {one_line(report.summary())}\n")
            emit_report(args, out, report)
            return EXIT_BREAKING
    emit_data(
        args,
        out,
        stored.to_json(),
        f"registered the contract of {stored.consumer} on {stored.topic}, version "
        f"{stored.version}\n",
    )
    return EXIT_OK


def get_contract(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        stored = client.get_contract(args.topic, args.consumer)
    emit_data(args, out, stored.to_json(), stored.text.rstrip("\n") + "\n")
    return EXIT_OK


def list_contracts(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if not args.topic and not args.consumer:
        raise UsageError("give TOPIC, --consumer NAME, or both")
    with registry(args) as client:
        if args.consumer:
            found = client.contracts_of_consumer(args.consumer)
            found = [c for c in found if args.topic in (None, c.topic)]
        else:
            found = client.list_contracts(args.topic)
    lines = table(
        ("TOPIC", "CONSUMER", "VERSION"),
        ((c.topic, c.consumer, c.version) for c in found),
        "no contracts",
    )
    emit_data(args, out, [c.to_json() for c in found], lines)
    return EXIT_OK


def delete_contract(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        versions = client.delete_contract(args.topic, args.consumer)
    emit_data(
        args,
        out,
        versions,
        f"withdrew the contract of {args.consumer} on {args.topic} (versions "
        f"{', '.join(str(v) for v in versions)})\n",
    )
    return EXIT_OK
