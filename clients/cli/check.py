"""`accord check TOPIC FILE [--consumer NAME]`: would this change be accepted, and by whom not?"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from clients.cli import EXIT_USAGE
from clients.cli._common import (
    UsageError,
    add_common_options,
    add_type_option,
    emit_report,
    guarded,
    parse_file,
    read_text,
    registry,
    schema_type_of,
    settle_type,
)
from clients.cli.contract import load_contract, producers_in_scope
from clients.cli.manifest import check_manifest
from contracts.consumers import check_consumer_contract


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "check",
        help="check a producer schema against the topic's level and every consumer contract, "
        "or (with --consumer) a consumer's new contract against the current producer schema",
    )
    parser.add_argument("topic", nargs="?")
    parser.add_argument("file", nargs="?")
    parser.add_argument(
        "--manifest",
        metavar="FILE",
        help="check every topic, schema and contract a TOML manifest declares, in one report "
        "(see examples/scenario/avro/accord.toml)",
    )
    parser.add_argument("--consumer", help="consumer side: FILE is this team's new contract")
    parser.add_argument(
        "--new-topic",
        action="store_true",
        help="TOPIC has no version yet and FILE is meant as its first (otherwise a topic with no "
        "live version is an error, exit 2: usually a typo)",
    )
    parser.add_argument("--example", action="append", default=[], metavar="FILE")
    add_type_option(parser)
    add_common_options(parser)
    parser.set_defaults(handler=guarded(check))


def check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.manifest:
        if args.topic or args.file or args.consumer:
            raise UsageError("--manifest FILE replaces TOPIC FILE and --consumer")
        return check_manifest(args, out, err)
    if not args.file:
        err.write(
            "accord check: the following arguments are required: topic, file "
            "(see 'accord check --help')\n"
        )
        return EXIT_USAGE
    if args.consumer:
        contract, _, _ = load_contract(args)
        with registry(args) as client:
            producers = producers_in_scope(client, args.topic)
        return emit_report(args, out, check_consumer_contract(args.topic, contract, producers))
    text = read_text(args.file)
    kind = schema_type_of(args.file, args.type, text)
    parse_file(kind, text, args.file)  # an invalid file is exit 1 with the parser's reason, at once
    with registry(args) as client:
        kind = settle_type(args, client, kind, text)
        report = client.check_schema(args.topic, text, kind, new_topic=args.new_topic)
    return emit_report(args, out, report)
