"""What every client command shares: options, the registry client, outputs and exit codes."""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from clients._registry import RegistryClient
from clients.cli import EXIT_BREAKING, EXIT_OK, EXIT_USAGE, add_registry_option
from clients.errors import (
    IncompatibleSchema,
    InvalidSchemaError,
    RegistryError,
    RegistryUnavailable,
)
from contracts import ContractsError, SchemaType
from contracts.report import REPORT_FORMATS, CheckReport, ReportFormat, render

Handler = Callable[[argparse.Namespace, TextIO, TextIO], int]


class UsageError(Exception):
    """A problem with the command line or its files: exit 2 with a one-line reason."""


def add_common_options(parser: argparse.ArgumentParser) -> None:
    add_registry_option(parser)
    parser.add_argument("--format", choices=REPORT_FORMATS, default="text", help="output format")
    parser.add_argument("--output", metavar="FILE", help="write the output to FILE")


def add_type_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--type",
        choices=["avro", "json"],
        help="schema type (default: from the file name, .avsc is Avro, else JSON Schema)",
    )


def schema_type_of(path: str, given: str | None) -> SchemaType:
    if given:
        return SchemaType.parse(given)
    return SchemaType.AVRO if path.endswith((".avsc", ".avro")) else SchemaType.JSON


def segment(name: str) -> str:
    """A topic or consumer name as one URL path segment."""
    return quote(name, safe="")


def read_text(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc


def read_json(path: str) -> Any:
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not JSON: {exc}") from exc


@contextmanager
def registry(args: argparse.Namespace) -> Iterator[RegistryClient]:
    # One quick retry: a CI job should learn at once that the registry is down (exit 2).
    client = RegistryClient(
        args.registry,
        token=getattr(args, "token", None) or os.environ.get("ACCORD_TOKEN") or None,
        max_retries=1,
        timeout=30,
    )
    try:
        yield client
    finally:
        client.close()


def use_colour(args: argparse.Namespace, out: TextIO) -> bool:
    """Colour only for text on a terminal, and never when NO_COLOR is set."""
    isatty = getattr(out, "isatty", None)
    return (
        args.format == "text"
        and not args.output
        and "NO_COLOR" not in os.environ
        and callable(isatty)
        and bool(isatty())
    )


def emit(args: argparse.Namespace, out: TextIO, text: str) -> None:
    """Write the command's output to --output, or to stdout."""
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    else:
        out.write(text)


def emit_report(args: argparse.Namespace, out: TextIO, report: CheckReport) -> int:
    fmt: ReportFormat = args.format
    emit(args, out, render(report, fmt, colour=use_colour(args, out)))
    if args.output:
        out.write(report.summary() + "\n")
    return EXIT_OK if report.ok else EXIT_BREAKING


def emit_data(args: argparse.Namespace, out: TextIO, data: object, text: str) -> None:
    """Data commands: JSON for --format json, else `text` (JUnit does not apply to them)."""
    emit(args, out, json.dumps(data, indent=2) + "\n" if args.format == "json" else text)


def guarded(handler: Handler) -> Handler:
    """Turn failures into exit codes with a one-line reason on stderr: 1 for a refusal or invalid
    input the registry or engine rejected, 2 for usage problems and an unreachable registry."""

    def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
        try:
            return handler(args, out, err)
        except UsageError as exc:
            err.write(f"accord: {exc}\n")
            return EXIT_USAGE
        except RegistryUnavailable as exc:
            err.write(f"accord: registry unreachable: {exc}\n")
            return EXIT_USAGE
        except (IncompatibleSchema, InvalidSchemaError) as exc:
            err.write(f"accord: refused: {exc.message}\n")
            return EXIT_BREAKING
        except RegistryError as exc:
            err.write(f"accord: {exc}\n")
            return EXIT_USAGE
        except ContractsError as exc:
            err.write(f"accord: invalid: {exc}\n")
            return EXIT_BREAKING

    return run
