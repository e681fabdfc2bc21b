"""`accord validate TOPIC MESSAGE_FILE [--version N]`: is this message valid for the topic?"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from clients.cli import EXIT_BREAKING, EXIT_OK
from clients.cli._common import (
    add_common_options,
    emit_data,
    guarded,
    parsed_from_registry,
    positive_int,
    read_json,
    registry,
)
from contracts.report import finding_to_dict


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "validate", help="validate a JSON message against a version of TOPIC's schema"
    )
    parser.add_argument("topic")
    parser.add_argument("message_file")
    parser.add_argument("--version", type=positive_int, help="default: the latest version")
    add_common_options(parser)
    parser.set_defaults(handler=guarded(validate))


def validate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    message = read_json(args.message_file)
    with registry(args) as client:
        found = (
            client.get_version(args.topic, args.version)
            if args.version is not None
            else client.get_latest_version(args.topic)
        )
        schema = parsed_from_registry(found, client.url)
    findings = schema.validate(message)
    data = {
        "topic": args.topic,
        "version": found.version,
        "valid": not findings,
        "findings": [finding_to_dict(f) for f in findings],
    }
    lines = [
        f"{args.message_file} is {'valid' if not findings else 'INVALID'} for {args.topic} "
        f"version {found.version}"
    ]
    lines += [f"  - {f.where}: {f.message}" for f in findings]
    emit_data(args, out, data, "\n".join(lines) + "\n")
    return EXIT_OK if not findings else EXIT_BREAKING
