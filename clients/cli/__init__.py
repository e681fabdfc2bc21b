"""The `accord` command line: `run(argv, stdout, stderr)` is testable with string buffers."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from typing import TextIO

DEFAULT_REGISTRY = "http://127.0.0.1:8081"

# Exit codes, as PRODUCT.md promises them.
EXIT_OK = 0
EXIT_BREAKING = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="accord", description="Schema registry and consumer-contract testing for event topics."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # Each command group registers itself; `serve` imports the registry lazily (clients -> registry
    # only through `accord serve`, see ARCHITECTURE.md).
    from clients.cli import audit, check, contract, schema, serve, team, token, validate

    serve.register(commands)
    schema.register(commands)
    contract.register(commands)
    check.register(commands)
    validate.register(commands)
    team.register(commands)
    token.register(commands)
    audit.register(commands)
    return parser


def add_registry_option(parser: argparse.ArgumentParser) -> None:
    """Every client command takes --registry (default ACCORD_REGISTRY_URL, then 127.0.0.1:8081)."""
    parser.add_argument(
        "--registry",
        default=os.environ.get("ACCORD_REGISTRY_URL", DEFAULT_REGISTRY),
        help="registry URL (default: $ACCORD_REGISTRY_URL, then %(default)s)",
    )
    # The secret's default is read here but never shown: argparse's help prints no default for it.
    parser.add_argument(
        "--token",
        default=os.environ.get("ACCORD_TOKEN") or None,
        help="a team token or the admin token, when the registry has auth on (default: "
        "$ACCORD_TOKEN)",
    )


def run(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run the CLI and return its exit code: 0 ok, 1 breaking or invalid, 2 usage or connection error."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    parser = build_parser()
    try:
        # argparse prints usage and --help itself: send them to the given streams.
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    handler = args.handler
    code: int = handler(args, out, err)
    return code


def main() -> None:
    sys.exit(run())
