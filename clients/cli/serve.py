"""`accord serve`: start the registry (the only place clients/ reaches into registry/, lazily)."""

from __future__ import annotations

import argparse
import ipaddress
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

# What `accord serve` imports beyond a client install; each comes with the server extra.
_SERVER_MODULES = ("fastapi", "uvicorn", "sqlmodel", "alembic", "prometheus_client")
# prometheus-client reads this when it is first imported: set, every process (worker) writes its
# metrics to files there and `/metrics` sums them.
MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


def register(commands: Any) -> None:
    parser: argparse.ArgumentParser = commands.add_parser("serve", help="run the registry server")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument(
        "--workers",
        type=_workers,
        default=1,
        metavar="N",
        help="worker processes sharing the port (default: %(default)s); metrics add up across them",
    )
    parser.add_argument(
        "--config",
        default=None,
        metavar="FILE",
        help="a TOML file of settings (keys as in the README's table, e.g. database_url); "
        "ACCORD_* variables override it (default: $ACCORD_CONFIG_FILE)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="SQLAlchemy URL (default: $ACCORD_DATABASE_URL, then sqlite:///accord.db here)",
    )
    parser.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    parser.set_defaults(handler=serve)


def _workers(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 64:
        raise argparse.ArgumentTypeError(f"{text!r} must be a whole number from 1 to 64")
    return int(text)


def serve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run uvicorn on `create_app(Settings)` until interrupted; 2 when the server extra is not
    installed, the settings are invalid or the server cannot start."""
    missing = _missing_server_module()
    if missing is not None:
        err.write(
            f"accord serve: the registry server is not installed here ({missing} is missing); "
            f"install the server extra: pip install '{_distribution()}[server]'\n"
        )
        return 2
    # Worker processes build their settings from the environment again: they find the same file
    # and the same --database-url through these variables.
    passed_on = {
        "ACCORD_CONFIG_FILE": args.config,
        "ACCORD_DATABASE_URL": args.database_url,
        "ACCORD_MIGRATE_ON_START": None,  # set below when the server migrates before its workers
    }
    with _metrics_directory() as directory, _environment(passed_on, directory):
        return _serve(args, out, err)


def _serve(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import uvicorn

    from registry import Settings, create_app
    from registry.observability import log_config
    from registry.settings import SettingsError

    try:
        settings = Settings.from_env(database_url=args.database_url)
    except SettingsError as exc:
        err.write(f"accord serve: invalid settings: {exc}\n")
        return 2
    if not settings.auth_enabled and not _is_loopback(args.host):
        err.write(
            f"accord serve: WARNING: listening on {args.host} with authentication OFF: anyone "
            "who can reach this port may change or delete every schema; set ACCORD_ADMIN_TOKEN\n"
        )
        err.flush()
    workers = f" with {args.workers} workers" if args.workers > 1 else ""
    out.write(
        f"accord serve: http://{args.host}:{args.port}{settings.root_path}{workers} on "
        f"{_redacted(settings.database_url)}\n"
    )
    out.flush()
    if args.workers > 1 and settings.migrate_on_start:
        # Once, here, rather than by every worker at the same moment (SQLite has no lock for it).
        failure = _migrate(settings.database_url)
        if failure is not None:
            err.write(f"accord serve: migrating the database failed: {failure}\n")
            return 2
        os.environ["ACCORD_MIGRATE_ON_START"] = "false"
    # Several workers import the app by name and build it from the environment each.
    app: Any = "registry.app:create_app" if args.workers > 1 else create_app(settings)
    try:
        uvicorn.run(
            app,
            factory=args.workers > 1,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level=args.log_level,
            # One structured line per request comes from registry.observability instead.
            access_log=False,
            log_config=log_config(settings.log_format, args.log_level),
            proxy_headers=True,
            forwarded_allow_ips=settings.trusted_proxies,
            root_path=settings.root_path,
            # Clients see the registry's own Server header, not uvicorn's.
            server_header=False,
            # A worker that does not answer the supervisor's ping in time is killed and replaced;
            # starting one (imports, connecting) takes longer than uvicorn's 5 s on a busy host.
            timeout_worker_healthcheck=60,
        )
    except SystemExit as exc:
        # uvicorn exits 1 when it cannot start (port taken, app failing at start-up) after logging
        # why; 1 means "breaking change" here, so that is 2.
        return 2 if exc.code else 0
    return 0


def _migrate(database_url: str) -> str | None:
    """Bring the database to the newest revision; why not, in one line, or None."""
    from registry.db import create_db_engine, migrate

    engine = create_db_engine(database_url)
    try:
        migrate(engine)
    except Exception as exc:  # any failure stops the start, said in one line
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    finally:
        engine.dispose()
    return None


def _missing_server_module() -> str | None:
    """The first server module this install lacks, or None. prometheus_client is only looked up,
    not imported: it must first be imported after PROMETHEUS_MULTIPROC_DIR is set."""
    from importlib import import_module
    from importlib.util import find_spec

    for name in _SERVER_MODULES:
        try:
            if name == "prometheus_client":
                if find_spec(name) is None:
                    return name
            else:
                import_module(name)
        except ImportError:
            return name
    return None


def _distribution() -> str:
    """The name this install was made from (so the hint stays right if the project is renamed)."""
    from importlib.metadata import packages_distributions

    names = packages_distributions().get("clients") or ["accord"]
    return names[0]


@contextmanager
def _metrics_directory() -> Iterator[Path]:
    """A directory for prometheus-client's per-process files, empty at start: the one named by
    PROMETHEUS_MULTIPROC_DIR (its *.db files from an earlier run removed), else a private
    temporary one removed at exit."""
    given = os.environ.get(MULTIPROC_VARIABLE)
    if given:
        directory = Path(given)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()
        yield directory
        return
    directory = Path(tempfile.mkdtemp(prefix="accord-metrics-"))
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def _environment(passed_on: dict[str, str | None], metrics: Path) -> Iterator[None]:
    """Set the variables worker processes need (None: leave as is) for as long as the server
    runs, then restore all of them (`run` may be called inside a longer-lived process, such as a
    test)."""
    passed_on = {**passed_on, MULTIPROC_VARIABLE: str(metrics)}
    previous = {name: os.environ.get(name) for name in passed_on}
    os.environ.update({name: value for name, value in passed_on.items() if value is not None})
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name other than localhost may resolve to any interface


def _redacted(url: str) -> str:
    """The database URL without its password, for the start-up line."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))
