"""Credentials and access rules: team tokens (issued, hashed, checked in constant time), the admin
token, the Authorization header, and who may change which topic or contract."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from registry.errors import Forbidden, Unauthorized
from registry.principal import Principal

TOKEN_PREFIX = "accord_"  # noqa: S105 - a public marker, not a secret
_TOKEN = re.compile(re.escape(TOKEN_PREFIX) + r"([0-9a-f]{16})_([A-Za-z0-9_-]{20,})")

MISSING = (
    "Authentication required: send a team token as 'Authorization: Bearer <token>', or HTTP "
    "basic auth with the team name and the token."
)
INVALID = "Invalid credentials: the token is unknown, revoked, or not the named team's."


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token: `token` is shown to the caller once; only `secret_sha256` is stored."""

    id: str
    token: str
    secret_sha256: str


@dataclass(frozen=True, slots=True)
class Credentials:
    """What an Authorization header presented: a token, and the team named by basic auth."""

    token: str
    username: str | None = None

    def __repr__(self) -> str:  # a stray log line must not print the secret
        return f"Credentials(username={self.username!r}, token=<hidden>)"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def issue_token() -> IssuedToken:
    """A token `accord_<id>_<secret>`: the id finds the row, the 256-bit secret proves the holder.
    A hash of a high-entropy secret needs no slow KDF: there is nothing to guess."""
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return IssuedToken(
        id=token_id, token=f"{TOKEN_PREFIX}{token_id}_{secret}", secret_sha256=_sha256(secret)
    )


def split_token(token: str) -> tuple[str, str] | None:
    """(id, secret) of a well-formed team token, else None."""
    match = _TOKEN.fullmatch(token)
    return (match.group(1), match.group(2)) if match else None


def secret_matches(secret: str, stored_sha256: str) -> bool:
    """Constant-time: how long this takes says nothing about how much of the secret was right."""
    return hmac.compare_digest(_sha256(secret), stored_sha256)


def is_admin_token(presented: str, admin_token: str) -> bool:
    # Both sides hashed first so that the comparison's length is fixed, whatever was presented.
    return hmac.compare_digest(_sha256(presented), _sha256(admin_token))


def parse_authorization(header: str | None) -> Credentials | None:
    """None when there is no header; Unauthorized when it is not Bearer or Basic, or malformed."""
    if header is None or not header.strip():
        return None
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return Credentials(token=value)
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise Unauthorized(INVALID) from None
        username, colon, password = decoded.partition(":")
        if colon and username and password:
            return Credentials(token=password, username=username)
    raise Unauthorized(INVALID)


# --- who may change what -------------------------------------------------------------------------


def require_admin(principal: Principal, action: str) -> None:
    if not principal.is_admin:
        raise Forbidden(f"Only an admin may {action}; team '{principal.name}' is not one.")


def topic_owner_after_write(
    principal: Principal, subject: str, owner: str | None, *, has_versions: bool, action: str
) -> str | None:
    """Refuse (403) unless `principal` may `action` the topic; return its owner after the write:
    the current owner, or the caller's team when this first write of a new topic claims it.

    A topic without an owner but with versions (written while auth was off, or by an admin) is
    changed only by an admin until one assigns it an owner: no team can take it over by writing.
    """
    if owner is not None:
        if principal.is_admin or owner in principal.teams:
            return owner
        raise Forbidden(
            f"Subject '{subject}' is owned by team '{owner}'; team '{principal.name}' may not "
            f"{action} it (only its owner or an admin may)."
        )
    if principal.team is not None and not has_versions:
        return principal.team
    if principal.is_admin:
        return None
    raise Forbidden(
        f"Subject '{subject}' has no owner team; only an admin may {action} it until an admin "
        f"assigns an owner (PUT /subjects/{subject}/owner)."
    )


def require_consumer(principal: Principal, subject: str, consumer: str, action: str) -> None:
    """Only the consumer team itself (or an admin) changes its contract, on any topic."""
    if principal.is_admin or consumer in principal.teams:
        return
    raise Forbidden(
        f"The contract of consumer '{consumer}' on subject '{subject}' belongs to team "
        f"'{consumer}'; team '{principal.name}' may not {action} it."
    )
