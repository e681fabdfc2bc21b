"""What every client command shares: options, input files, the registry client, outputs, exit codes."""

from __future__ import annotations

import argparse
import json
import os
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit
from xml.etree import ElementTree as ET

from clients._cache import RegisteredSchema
from clients._registry import RegistryClient
from clients._schema_type import registered_type, schema_type_for
from clients.cli import EXIT_AUTH, EXIT_BREAKING, EXIT_OK, EXIT_USAGE, add_registry_option
from clients.errors import (
    AccordError,
    IncompatibleSchema,
    InvalidSchemaError,
    NotAuthorized,
    RegistryError,
    RegistryUnavailable,
    SchemaNotFound,
)
from contracts import ContractsError, ParsedSchema, SchemaType, parse_schema
from contracts.report import REPORT_FORMATS, CheckReport, ReportFormat, render

Handler = Callable[[argparse.Namespace, TextIO, TextIO], int]

# Input files are read whole: beyond this they are refused rather than filling the memory (a
# schema or a message this large is a wrong file, not a real input).
MAX_INPUT_BYTES = 16 * 1024 * 1024
# One stderr line stays readable whatever the registry sends back.
MAX_LINE_CHARS = 2000
# The registry's "invalid schema" code: the data was refused (exit 1), not the request (exit 2).
INVALID_SCHEMA_CODE = 42201


class UsageError(Exception):
    """A problem with the command line, its files or the registry's answers: exit 2."""


class InvalidInput(Exception):
    """An input file read fine but is not a valid schema or contract: exit 1, like a refusal."""


def add_common_options(parser: argparse.ArgumentParser) -> None:
    add_registry_option(parser)
    parser.add_argument("--format", choices=REPORT_FORMATS, default="text", help="output format")
    parser.add_argument(
        "--output",
        metavar="FILE",
        help="write the output to FILE (written on failure too, with the error)",
    )


def add_data_options(parser: argparse.ArgumentParser) -> None:
    """Commands that print data, not a check report: text (a table or a line) or JSON."""
    add_registry_option(parser)
    parser.add_argument("--format", choices=["text", "json"], default="text", help="output format")
    parser.add_argument(
        "--output",
        metavar="FILE",
        help="write the output to FILE (written on failure too, with the error)",
    )


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], empty: str) -> str:
    """Rows under their headers in aligned columns (the last column is not padded); `empty` when
    there are no rows."""
    cells = [[one_line(str(cell)) for cell in row] for row in rows]
    if not cells:
        return empty.rstrip("\n") + "\n"
    lines = [list(headers), *cells]
    widths = [max(len(line[i]) for line in lines) for i in range(len(headers) - 1)]
    return "".join(
        "  ".join([*(c.ljust(w) for c, w in zip(line, widths, strict=False)), line[-1]]).rstrip()
        + "\n"
        for line in lines
    )


def add_type_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--type",
        choices=["avro", "json"],
        help="schema type (default: the topic's registered type, else the file's content, else "
        "its name: .avsc is Avro)",
    )


def positive_int(text: str) -> int:
    """argparse type of versions and limits: 1 or more (0 is not "latest")."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def schema_type_of(path: str, given: str | None, text: str) -> SchemaType:
    """--type, else the file's own content, then its extension (the registry is not asked yet)."""
    if given:
        return SchemaType.parse(given)
    return schema_type_for(path, text)


def settle_type(
    args: argparse.Namespace, client: RegistryClient, kind: SchemaType, text: str
) -> SchemaType:
    """Without --type, the topic's registered type overrides the file's own guess; a file that
    then does not parse is refused like any invalid file."""
    if args.type:
        return kind
    settled = schema_type_for(args.file, text, registered_type(client, args.topic))
    if settled is not kind:
        parse_file(settled, text, args.file)
    return settled


def read_text(path: str, limit: int = MAX_INPUT_BYTES) -> str:
    """A UTF-8 text file, at most `limit` bytes; every way it can fail is a UsageError."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise UsageError(f"{path} is larger than {limit // (1024 * 1024)} MiB")
    if not data.strip():
        raise UsageError(f"{path} is empty")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{path} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None


def read_json(path: str, limit: int = MAX_INPUT_BYTES) -> Any:
    text = read_text(path, limit)
    try:
        return json.loads(text)
    except ValueError as exc:  # a JSONDecodeError, or an integer past Python's 4,300 digits
        raise UsageError(f"{path} is not JSON: {exc}") from exc
    except RecursionError:
        raise UsageError(f"{path} is nested too deeply to read") from None


def parse_file(kind: SchemaType, text: str, path: str) -> ParsedSchema:
    """A schema or contract file, parsed: InvalidInput (exit 1) says why it is not valid."""
    try:
        return parse_schema(kind, text)
    except ContractsError as exc:
        raise InvalidInput(f"{path} is not a valid {kind.value} schema: {exc}") from exc
    except RecursionError:
        raise UsageError(f"{path} is nested too deeply to read") from None


def parsed_from_registry(found: RegisteredSchema, url: str) -> ParsedSchema:
    """A schema the registry sent: one that does not parse is the registry's fault (exit 2)."""
    try:
        return found.parsed
    except (ContractsError, RecursionError) as exc:
        raise UsageError(
            f"registry {url} sent a schema for {found.topic} version {found.version} that does "
            f"not parse: {exc}"
        ) from None


def _registry_url(text: str) -> str:
    """The --registry value, checked before any request: http(s)://HOST[:PORT][/PATH]."""
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - reading it is what checks the port
    except ValueError as exc:
        raise UsageError(f"--registry {text!r} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--registry {text!r} is not an http:// or https:// URL with a host")
    if any(c.isspace() or not c.isprintable() for c in text):
        raise UsageError(f"--registry {text!r} contains spaces or control characters")
    return text


def _token(args: argparse.Namespace) -> str | None:
    token: str | None = getattr(args, "token", None) or os.environ.get("ACCORD_TOKEN") or None
    if token is not None and not (token.isascii() and token.isprintable()):
        # Never echo the secret, even a malformed one.
        raise UsageError("--token (or $ACCORD_TOKEN) contains characters a token cannot have")
    return token


@contextmanager
def registry(args: argparse.Namespace) -> Iterator[RegistryClient]:
    # One quick retry: a CI job should learn at once that the registry is down (exit 2).
    client = RegistryClient(
        _registry_url(args.registry),
        token=_token(args),
        max_retries=1,
        timeout=args.timeout,
    )
    try:
        yield client
    except RecursionError:
        # json.loads of an absurdly nested answer; nothing else in these blocks recurses so deep.
        raise UsageError(
            f"registry {client.url} sent an answer nested too deeply to read"
        ) from None
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
        _write_output(args.output, text)
    else:
        out.write(text)


def _write_output(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc


def emit_report(args: argparse.Namespace, out: TextIO, report: CheckReport) -> int:
    fmt: ReportFormat = args.format
    emit(args, out, render(report, fmt, colour=use_colour(args, out)))
    if args.output:
        out.write(report.summary() + "\n")
    return EXIT_OK if report.ok else EXIT_BREAKING


def emit_data(args: argparse.Namespace, out: TextIO, data: object, text: str) -> None:
    """Data commands: JSON for --format json, else `text` (JUnit does not apply to them)."""
    emit(args, out, json.dumps(data, indent=2) + "\n" if args.format == "json" else text)


def one_line(text: str) -> str:
    """`text` as one printable line: line breaks and control characters become spaces (a
    registry's message must not forge further lines or terminal escapes), cut at MAX_LINE_CHARS."""
    flat = "".join(" " if unicodedata.category(c)[0] in "CZ" and c != " " else c for c in text)
    flat = " ".join(flat.split())
    return flat if len(flat) <= MAX_LINE_CHARS else flat[: MAX_LINE_CHARS - 1] + "…"


def failure_output(fmt: str, message: str, code: int) -> str:
    """What --output FILE holds when the command failed: the error, in the requested format."""
    if fmt == "json":
        return json.dumps({"ok": False, "error": message, "exitCode": code}, indent=2) + "\n"
    if fmt == "junit":
        suites = ET.Element("testsuites", name="accord", tests="1", failures="0", errors="1")
        suite = ET.SubElement(
            suites, "testsuite", name="accord", tests="1", failures="0", errors="1"
        )
        case = ET.SubElement(suite, "testcase", name="accord", classname="accord")
        ET.SubElement(case, "error", message=message, type=f"exit {code}").text = message
        return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
    return f"accord: {message}\n"


def explain(exc: BaseException, registry_url: str) -> tuple[int, str]:
    """The exit code and the one-line reason of a failed command (see README, CLI exit codes)."""
    where = f"registry {registry_url}"
    if isinstance(exc, UsageError):
        return EXIT_USAGE, str(exc)
    if isinstance(exc, InvalidInput):
        return EXIT_BREAKING, f"invalid: {exc}"
    if isinstance(exc, RegistryUnavailable):
        return EXIT_USAGE, f"registry unreachable: {exc}"
    if isinstance(exc, NotAuthorized):
        return EXIT_AUTH, f"{where} refused the credentials ({exc.status}): {exc.message}"
    if isinstance(exc, IncompatibleSchema):
        return EXIT_BREAKING, f"refused: {exc.message}"
    if isinstance(exc, InvalidSchemaError) and exc.error_code == INVALID_SCHEMA_CODE:
        return EXIT_BREAKING, f"invalid: {exc.message}"
    if isinstance(exc, SchemaNotFound):
        return EXIT_USAGE, f"not found in {where}: {exc.message}"
    if isinstance(exc, RegistryError):
        if 200 <= exc.status < 300:
            return EXIT_USAGE, f"{where} sent an answer the CLI cannot use: {exc.message}"
        return EXIT_USAGE, f"{where} answered {exc.status} (error {exc.error_code}): {exc.message}"
    if isinstance(exc, AccordError):  # InvalidArgument: a topic or version no URL can carry
        return EXIT_USAGE, str(exc)
    if isinstance(exc, ContractsError):
        return EXIT_BREAKING, f"invalid: {exc}"
    if isinstance(exc, KeyboardInterrupt):
        return EXIT_USAGE, "interrupted"
    if isinstance(exc, RecursionError):
        return EXIT_USAGE, "an input or answer is nested too deeply to handle"
    if isinstance(exc, OSError):
        return EXIT_USAGE, f"{exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else "")
    # Anything else is a defect of the CLI; it still gets one line, not a traceback.
    return EXIT_USAGE, f"unexpected error ({type(exc).__name__}): {exc}"


def guarded(handler: Handler) -> Handler:
    """Turn every failure into an exit code and one line on stderr: 1 for a refusal or invalid
    data, 3 for refused credentials, 2 for everything else. With --output, the file is written
    on failure too (the error in the requested format)."""

    def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
        try:
            return handler(args, out, err)
        except (Exception, KeyboardInterrupt) as exc:
            code, message = explain(exc, getattr(args, "registry", ""))
            message = one_line(message)
            output = getattr(args, "output", None)
            if output:
                try:
                    _write_output(output, failure_output(args.format, message, code))
                except UsageError as write_error:
                    message = one_line(f"{message}; and {write_error}")
            err.write(f"accord: {message}\n")
            return code

    return run
