"""`accord migrate`: copy a Confluent-compatible registry into Accord, ids and versions kept."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from clients._migrate import Migration, MigrationState
from clients._registry import RegistryClient
from clients.cli import EXIT_BREAKING, EXIT_OK
from clients.cli._common import (
    UsageError,
    _registry_url,
    add_common_options,
    emit_data,
    guarded,
    registry,
)

DEFAULT_STATE = "accord-migrate.state.json"


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser(
        "migrate",
        help="copy every subject, version, id, config and mode of a Confluent-compatible "
        "registry into this one (needs the admin token)",
    )
    parser.add_argument("--from", dest="source", required=True, metavar="URL", help="source URL")
    auth = parser.add_mutually_exclusive_group()
    auth.add_argument("--from-token", metavar="TOKEN", help="bearer token of the source")
    auth.add_argument(
        "--from-basic-auth", metavar="USER:PASSWORD", help="basic credentials of the source"
    )
    parser.add_argument(
        "--state",
        default=DEFAULT_STATE,
        metavar="FILE",
        help="progress record; a run interrupted continues from it (default: %(default)s)",
    )
    add_common_options(parser)
    parser.set_defaults(handler=guarded(migrate))


def _source(args: argparse.Namespace) -> RegistryClient:
    url = _registry_url(args.source)
    basic: tuple[str, str] | None = None
    if args.from_basic_auth:
        user, colon, password = args.from_basic_auth.partition(":")
        if not colon or not user:
            raise UsageError("--from-basic-auth is USER:PASSWORD")
        basic = (user, password)
    for name, secret in (
        ("--from-token", args.from_token),
        ("--from-basic-auth", args.from_basic_auth),
    ):
        if secret is not None and not (secret.isascii() and secret.isprintable()):
            # Never echo the secret, even a malformed one.
            raise UsageError(f"{name} contains characters credentials cannot have")
    # A few retries: a long copy should ride out a blip of the source, and stop on an outage.
    return RegistryClient(
        url, token=args.from_token, basic_auth=basic, max_retries=3, timeout=args.timeout
    )


def progress_bar(err: TextIO) -> Any:
    """A progress line on a terminal (stderr), nothing when piped."""
    isatty = getattr(err, "isatty", None)
    if not (callable(isatty) and isatty()):
        return lambda done, total, subject: None

    def show(done: int, total: int, subject: str) -> None:
        width = 30
        filled = width * done // max(total, 1)
        end = "\n" if done == total else ""
        err.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} subjects{end}")
        err.flush()

    return show


def migrate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with _source(args) as source, registry(args) as target:
        state = MigrationState.load(Path(args.state), source.url, target.url)
        summary = Migration(source, target, state, progress=progress_bar(err)).run()
    emit_data(args, out, summary.to_json(), summary.text())
    return EXIT_OK if summary.ok else EXIT_BREAKING
