"""The `accord` command line: `run(argv, stdout, stderr)` is testable with string buffers."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO

DEFAULT_REGISTRY = "http://127.0.0.1:8081"

# Exit codes, as PRODUCT.md promises them and the README's CLI section documents them.
EXIT_OK = 0
EXIT_BREAKING = 1  # the check found a breaking change, or the data is invalid
EXIT_USAGE = 2  # usage, input, connection, or an answer the CLI cannot use
EXIT_AUTH = 3  # the registry refused the credentials or the permission (401, 403)


class _Parser(argparse.ArgumentParser):
    """A usage error is one line on stderr (what is wrong, and where to read more), exit 2; the
    full usage stays in --help. Sub-commands' parsers are of this class too."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="accord", description="Schema registry and consumer-contract testing for event topics."
    )
    from contracts import __version__

    parser.add_argument("--version", action="version", version=f"accord {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # Each command group registers itself; `serve` imports the registry lazily (clients -> registry
    # only through `accord serve`, see ARCHITECTURE.md).
    from clients.cli import (
        audit,
        backup,
        check,
        completion,
        config,
        contract,
        migrate,
        pubsub,
        schema,
        serve,
        team,
        token,
        topic,
        validate,
    )

    serve.register(commands)
    schema.register(commands)
    contract.register(commands)
    check.register(commands)
    validate.register(commands)
    team.register(commands)
    token.register(commands)
    audit.register(commands)
    pubsub.register(commands)
    config.register(commands)
    topic.register(commands)
    completion.register(commands)
    migrate.register(commands)
    backup.register(commands)
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
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=30.0,
        metavar="SECONDS",
        help="give up on a registry that does not answer within this (default: %(default)s)",
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0 and at most 3600")
    return value


def run(
    argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run the CLI and return its exit code: 0 ok, 1 breaking or invalid, 2 usage, input or
    connection error, 3 credentials or permission refused. Failures are one line on `stderr`."""
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
    try:
        code: int = handler(args, out, err)
    except KeyboardInterrupt:
        # Client commands are guarded; this is `accord serve` stopped before uvicorn took over.
        err.write("accord: interrupted\n")
        return EXIT_USAGE
    return code


def main() -> None:
    try:
        code = run()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader of stdout went away (`accord ... | head`): nothing more can be said there.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = EXIT_USAGE
    sys.exit(code)
