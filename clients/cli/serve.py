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
    parser.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    parser.set_defaults(handler=serve)


def serve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run uvicorn on `create_app(Settings)` until interrupted; 2 when the settings are invalid."""
    import uvicorn
    from pydantic import ValidationError

    from registry import Settings, create_app

    try:
        settings = Settings.from_env(database_url=args.database_url)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in e['loc']) or 'settings'}: {e['msg']}"
            for e in exc.errors()
        )
        err.write(f"accord serve: invalid settings: {problems}\n")
        return 2
    out.write(
        f"accord serve: http://{args.host}:{args.port} on {_redacted(settings.database_url)}\n"
    )
    out.flush()
    try:
        uvicorn.run(
            create_app(settings),
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            # Clients see the registry's own Server header, not uvicorn's.
            server_header=False,
        )
    except SystemExit as exc:
        # uvicorn exits 1 when it cannot start (port taken, app failing at start-up) after logging
        # why; 1 means "breaking change" here, so that is 2.
        return 2 if exc.code else 0
    return 0


def _redacted(url: str) -> str:
    """The database URL without its password, for the start-up line."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))
