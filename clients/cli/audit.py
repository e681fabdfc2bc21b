"""`accord audit`: who changed what and when, newest first."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from clients._extensions import AuditEntry
from clients.cli import EXIT_OK
from clients.cli._common import add_common_options, emit_data, guarded, positive_int, registry


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser("audit", help="the audit log of writes")
    parser.add_argument("--topic", help="only writes to this topic")
    parser.add_argument("--team", help="only writes by this team (or admin, anonymous)")
    parser.add_argument("--since", help="only writes at or after this ISO 8601 time (UTC if naive)")
    parser.add_argument(
        "--limit", type=positive_int, default=100, help="at most this many (default 100)"
    )
    add_common_options(parser)
    parser.set_defaults(handler=guarded(show_audit))


def _line(entry: AuditEntry) -> str:
    about = " ".join(x for x in (entry.topic, entry.target) if x)
    change = f"{json.dumps(entry.before)} -> {json.dumps(entry.after)}"
    return f"{entry.at.isoformat()}  {entry.actor}  {entry.action}  {about}  {change}\n"


def show_audit(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        entries = client.get_audit(
            topic=args.topic, team=args.team, since=args.since, limit=args.limit
        )
    emit_data(args, out, [e.to_json() for e in entries], "".join(_line(e) for e in entries))
    return EXIT_OK
