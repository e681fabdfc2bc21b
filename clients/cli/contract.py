"""`accord contract register|get`: what a consumer team relies on in a topic."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from clients._registry import RegistryClient
from clients.cli import EXIT_BREAKING, EXIT_OK
from clients.cli._common import (
    add_common_options,
    add_type_option,
    emit_data,
    emit_report,
    guarded,
    read_json,
    read_text,
    registry,
    schema_type_of,
    segment,
)
from clients.errors import SchemaNotFound
from contracts import ParsedSchema, SchemaType, parse_schema
from contracts.consumers import ConsumerContract, check_consumer_contract


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


def current_producer(client: RegistryClient, topic: str) -> ParsedSchema | None:
    """The topic's latest producer schema; None when the topic has none yet."""
    try:
        return client.get_latest_version(topic).parsed
    except SchemaNotFound:
        return None


def load_contract(args: argparse.Namespace) -> tuple[ConsumerContract, SchemaType, str]:
    kind = schema_type_of(args.file, args.type)
    text = read_text(args.file)
    examples = tuple(read_json(path) for path in getattr(args, "example", []) or [])
    return ConsumerContract(args.consumer, parse_schema(kind, text), examples), kind, text


def register_contract(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    contract, kind, text = load_contract(args)
    with registry(args) as client:
        # The check the registry will run, first here, so a refusal comes with the full report.
        report = check_consumer_contract(args.topic, contract, current_producer(client, args.topic))
        if not report.ok:
            err.write(f"accord: refused: {report.summary()}\n")
            emit_report(args, out, report)
            return EXIT_BREAKING
        body = client.request(
            "PUT",
            f"/subjects/{segment(args.topic)}/consumers/{segment(args.consumer)}",
            json={"schemaType": kind.value, "schema": text, "examples": list(contract.examples)},
        )
    emit_data(
        args,
        out,
        body,
        f"registered the contract of {args.consumer} on {args.topic}, version {body['version']}\n",
    )
    return EXIT_OK


def get_contract(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        body = client.request(
            "GET", f"/subjects/{segment(args.topic)}/consumers/{segment(args.consumer)}"
        )
    emit_data(args, out, body, str(body["schema"]).rstrip("\n") + "\n")
    return EXIT_OK
