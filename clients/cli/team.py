"""`accord team create|list`: the teams that own topics and hold contracts (admin creates)."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from clients.cli import EXIT_OK
from clients.cli._common import add_common_options, emit_data, guarded, registry


def register(commands: Any) -> None:
    group: argparse.ArgumentParser = commands.add_parser("team", help="teams (admin)")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create team NAME (needs the admin token)")
    create.add_argument("name")
    add_common_options(create)
    create.set_defaults(handler=guarded(create_team))
    listing = actions.add_parser("list", help="list the teams")
    add_common_options(listing)
    listing.set_defaults(handler=guarded(list_teams))


def create_team(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        created = client.create_team(args.name)
    emit_data(args, out, created.to_json(), f"team {created.name} created\n")
    return EXIT_OK


def list_teams(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        teams = client.list_teams()
    emit_data(args, out, [t.to_json() for t in teams], "".join(f"{t.name}\n" for t in teams))
    return EXIT_OK
