"""`accord serve`: start the registry (the only place clients/ reaches into registry/, lazily)."""

from __future__ import annotations

import argparse
from typing import Any, TextIO


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser("serve", help="run the registry server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL (default: $ACCORD_DATABASE_URL, then sqlite:///accord.db here)",
    )
    parser.set_defaults(handler=serve)


def serve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    err.write("accord serve: the registry is not built yet (see issue: registry/)\n")
    return 2
