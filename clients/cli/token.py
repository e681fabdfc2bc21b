"""`accord token create|list|revoke`: a team's tokens. The secret is printed once, at creation."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from clients.cli import EXIT_OK
from clients.cli._common import add_common_options, emit_data, guarded, registry, segment


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
        issued = client.request("POST", f"/teams/{segment(args.team)}/tokens")
    err.write(f"token {issued['id']} of team {issued['team']}: store it now, it is shown once\n")
    emit_data(args, out, issued, f"{issued['token']}\n")
    return EXIT_OK


def _line(token: dict[str, Any]) -> str:
    state = f"revoked {token['revokedAt']}" if token.get("revoked") else "active"
    return f"{token['id']}  created {token['createdAt']}  {state}\n"


def list_tokens(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        tokens = client.request("GET", f"/teams/{segment(args.team)}/tokens")
    emit_data(args, out, tokens, "".join(_line(t) for t in tokens))
    return EXIT_OK


def revoke_token(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with registry(args) as client:
        revoked = client.request("DELETE", f"/teams/{segment(args.team)}/tokens/{segment(args.id)}")
    emit_data(args, out, revoked, f"token {revoked['id']} of team {revoked['team']} revoked\n")
    return EXIT_OK
