"""`accord audit`: who changed what and when, newest first."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from clients.cli import EXIT_OK
from clients.cli._common import add_common_options, emit_data, guarded, registry


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser("audit", help="the audit log of writes")
    parser.add_argument("--topic", help="only writes to this topic")
    parser.add_argument("--team", help="only writes by this team (or admin, anonymous)")
    parser.add_argument("--since", help="only writes at or after this ISO 8601 time (UTC if naive)")
    parser.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    add_common_options(parser)
    parser.set_defaults(handler=guarded(show_audit))


def _line(entry: dict[str, Any]) -> str:
    about = " ".join(str(x) for x in (entry.get("subject"), entry.get("target")) if x)
    change = f"{json.dumps(entry.get('before'))} -> {json.dumps(entry.get('after'))}"
    return f"{entry['at']}  {entry['actor']}  {entry['action']}  {about}  {change}\n"


def show_audit(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    params = {"limit": str(args.limit)}
    for name in ("topic", "team", "since"):
        value = getattr(args, name)
        if value:
            params[name] = value
    with registry(args) as client:
        entries = client.request("GET", "/audit", params=params)
    emit_data(args, out, entries, "".join(_line(e) for e in entries))
    return EXIT_OK
