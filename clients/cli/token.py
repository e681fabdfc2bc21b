"""`accord token create|list|revoke`: a team's tokens. The secret is printed once, at creation."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from clients._extensions import TeamToken
from clients.cli import EXIT_OK
from clients.cli._common import add_common_options, emit_data, guarded, registry


def register(commands: Any) -> None:
    group: argparse.ArgumentParser = commands.add_parser("token", help="team tokens")
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="issue a token to TEAM (admin)")
    create.add_argument("team")
    add_common_options(create)
    create.set_defaults(handler=guarded(create_token))
    listing = actions.add_parser("list", help="TEAM's tokens, without secrets")
    listing.add_argument("team")
    add_common_options(listing)
    listing.set_defaults(handler=guarded(list_tokens))
    revoke = actions.add_parser("revoke", help="revoke token ID of TEAM, at once")
    revoke.add_argument("team")
    revoke.add_argument("id")
    add_common_options(revoke)
    revoke.set_defaults(handler=guarded(revoke_token))


def create_token(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        issued = client.create_token(args.team)
    err.write(f"token {issued.id} of team {issued.team}: store it now, it is shown once\n")
    emit_data(args, out, issued.to_json(), f"{issued.secret}\n")
    return EXIT_OK


def _line(token: TeamToken) -> str:
    state = f"revoked {token.revoked_at.isoformat()}" if token.revoked_at else "active"
    return f"{token.id}  created {token.created_at.isoformat()}  {state}\n"


def list_tokens(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        tokens = client.list_tokens(args.team)
    emit_data(args, out, [t.to_json() for t in tokens], "".join(_line(t) for t in tokens))
    return EXIT_OK


def revoke_token(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        revoked = client.revoke_token(args.team, args.id)
    emit_data(args, out, revoked.to_json(), f"token {revoked.id} of team {revoked.team} revoked\n")
    return EXIT_OK
