"""`accord config get|set [TOPIC]` and `accord mode get|set [TOPIC]`: levels and write modes."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from clients.cli import EXIT_OK
from clients.cli._common import add_data_options, emit_data, guarded, registry
from clients.errors import SchemaNotFound
from contracts.compatibility import CompatibilityLevel

MODES = ("READWRITE", "READONLY", "IMPORT")


def _level(text: str) -> str:
    try:
        return CompatibilityLevel.parse(text).value
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _mode(text: str) -> str:
    if text.strip().upper() not in MODES:
        raise argparse.ArgumentTypeError(
            f"invalid mode {text!r}; valid modes are {', '.join(MODES)}"
        )
    return text.strip().upper()


def register(commands: Any) -> None:
    config: argparse.ArgumentParser = commands.add_parser(
        "config", help="compatibility levels: the global one, or a topic's"
    )
    actions = config.add_subparsers(dest="action", required=True, metavar="ACTION")
    get = actions.add_parser("get", help="the level of TOPIC (or the global level)")
    get.add_argument("topic", nargs="?")
    add_data_options(get)
    get.set_defaults(handler=guarded(get_config))
    put = actions.add_parser("set", help="set the level of TOPIC (or the global level)")
    put.add_argument("topic", nargs="?")
    put.add_argument(
        "level", type=_level, help=", ".join(level.value for level in CompatibilityLevel)
    )
    add_data_options(put)
    put.set_defaults(handler=guarded(set_config))

    mode: argparse.ArgumentParser = commands.add_parser(
        "mode", help="write modes (READWRITE, READONLY, IMPORT): the global one, or a topic's"
    )
    actions = mode.add_subparsers(dest="action", required=True, metavar="ACTION")
    get = actions.add_parser("get", help="the mode of TOPIC (or the global mode)")
    get.add_argument("topic", nargs="?")
    add_data_options(get)
    get.set_defaults(handler=guarded(get_mode))
    put = actions.add_parser("set", help="set the mode of TOPIC (or the global mode)")
    put.add_argument("topic", nargs="?")
    put.add_argument("mode", type=_mode, help=", ".join(MODES))
    add_data_options(put)
    put.set_defaults(handler=guarded(set_mode))


def _where(topic: str | None) -> str:
    return topic if topic is not None else "global"


def get_config(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        try:
            found, inherited = client.get_config(args.topic), False
        except SchemaNotFound:
            if args.topic is None:
                raise
            # A topic without a level of its own follows the global one: say which.
            found, inherited = client.get_config(None), True
    data = {"topic": args.topic, **found.to_json(), "inherited": inherited}
    policy = f" (JSON Schema policy {found.policy})" if found.policy else ""
    text = (
        f"{_where(args.topic)}: {found.level}{policy}"
        + (" (no level of its own: follows the global level)" if inherited else "")
        + "\n"
    )
    emit_data(args, out, data, text)
    return EXIT_OK


def set_config(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        level = client.set_compatibility(args.level, args.topic)
    emit_data(
        args,
        out,
        {"topic": args.topic, "compatibilityLevel": level},
        f"{_where(args.topic)}: compatibility level set to {level}\n",
    )
    return EXIT_OK


def get_mode(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        try:
            found, inherited = client.get_mode(args.topic), False
        except SchemaNotFound:
            if args.topic is None:
                raise
            found, inherited = client.get_mode(None), True
    text = (
        f"{_where(args.topic)}: {found}"
        + (" (no mode of its own: follows the global mode)" if inherited else "")
        + "\n"
    )
    emit_data(args, out, {"topic": args.topic, "mode": found, "inherited": inherited}, text)
    return EXIT_OK


def set_mode(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        mode = client.set_mode(args.mode, args.topic)
    emit_data(
        args,
        out,
        {"topic": args.topic, "mode": mode},
        f"{_where(args.topic)}: mode set to {mode}\n",
    )
    return EXIT_OK
