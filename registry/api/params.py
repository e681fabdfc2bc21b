"""Dependencies and parameter types shared by the routers, each named once."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import Depends, Path, Query, Request
from pydantic import AfterValidator, BeforeValidator, PlainValidator
from starlette.concurrency import run_in_threadpool

from registry import names
from registry.api.wire import EncodedAnswers
from registry.auth import parse_authorization
from registry.context import RegistryContext
from registry.errors import InvalidTimestamp, InvalidVersion, SchemaIdNotFound, Unauthorized
from registry.observability import identified, refused
from registry.principal import ANONYMOUS_ADMIN, Principal
from registry.usecases import teams
from registry.usecases.model import MAX_INT
from registry.usecases.read import LATEST, Page

# Versions and ids are ASCII digits only: int() would also take `+1`, `1_0` and other scripts'
# digits, and so give one resource several spellings.
_NUMBER = re.compile(r"[0-9]+", re.ASCII)


def _lenient_bool(value: Any) -> Any:
    """`True`, `true`, `TRUE` are true; any other text is false (Java's Boolean.valueOf)."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return value


LenientBool = Annotated[bool, BeforeValidator(_lenient_bool)]


def query_flag(request: Request, name: str) -> bool:
    """A `Flag` query parameter read by a hot read itself: FastAPI's own parsing of one query
    parameter costs about as much as the rest of that handler. Declare it with `flags_openapi`."""
    return bool(_lenient_bool(request.query_params.get(name, "")))


def flags_openapi(*names: str) -> dict[str, Any]:
    """`openapi_extra` documenting `query_flag` parameters exactly as a `Flag` would be."""
    return {
        "parameters": [
            {
                "name": name,
                "in": "query",
                "required": False,
                "schema": {"type": "boolean", "default": False, "title": name.title()},
            }
            for name in names
        ]
    }


def context_of(request: Request) -> RegistryContext:
    """The app's context. The hot reads call this with their `Request` rather than depending on
    `Ctx`: one dependency fewer for FastAPI to resolve on each of their requests."""
    context: RegistryContext = request.app.state.registry
    return context


def answers_of(request: Request) -> EncodedAnswers:
    """The app's memo of encoded hot-read answers (registry.api.wire.EncodedAnswers)."""
    answers: EncodedAnswers = request.app.state.answers
    return answers


async def registry_context(request: Request) -> RegistryContext:
    return context_of(request)


# The schemes `current_principal` accepts, for the OpenAPI document (registry.app adds them once
# rather than as security dependencies that FastAPI would resolve, for nothing, on every request).
SECURITY_SCHEMES: dict[str, dict[str, str]] = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "a team token or the admin token",
    },
    "basic": {"type": "http", "scheme": "basic", "description": "team name and team token"},
}


async def current_principal(request: Request) -> Principal:
    """Who is calling: the anonymous admin while auth is off; else the team whose token (Bearer,
    or basic auth as team name + token) the request carries, or the admin (401 otherwise). Only a
    team token costs a database read, and every request does it: revocation is immediate."""
    ctx: RegistryContext = request.app.state.registry
    if not ctx.settings.auth_enabled:
        principal = ANONYMOUS_ADMIN
    else:
        header = request.headers.get("authorization")
        try:
            credentials = parse_authorization(header)
            known = teams.authenticate_admin(ctx, credentials)
            if known is None:
                known = await run_in_threadpool(teams.authenticate, ctx, credentials)
            principal = known
        except Unauthorized as exc:
            reason = "missing" if header is None or not header.strip() else "invalid"
            ctx.metrics.authentication_failed(reason)
            refused(f"authentication_{reason}", exc)
            raise
    identified(request.scope, principal.name)
    return principal


def subject_name(subject: str) -> str:
    """The subject of a path segment, decoded and in NFC; InvalidSubject (42208) for a name no
    subject can have (registry.names), before any query, on reads too."""
    # The routing path kept %2F and %25 encoded (registry.api.wire.routing_path); decode now.
    return names.subject(unquote(subject))


def consumer_name(consumer: str) -> str:
    """The consumer team of a path segment, decoded and in NFC; InvalidConsumer (42250)."""
    return names.consumer(unquote(consumer))


def team_name(team: str) -> str:
    """The team of a path segment; InvalidTeam (42270) for a name no team can have."""
    return names.team(unquote(team))


def token_id(token: str) -> str:
    return names.token_id(unquote(token))


def optional_subject(subject: str | None) -> str | None:
    return None if subject is None else names.subject(subject)


def optional_team(team: str | None) -> str | None:
    return None if team is None else names.team(team)


def moment_in_utc(moment: datetime | None) -> datetime | None:
    """`since` in UTC (naive means UTC); InvalidTimestamp (42272) for a moment that has no UTC
    equivalent (0001-01-01T00:00:00+14:00 is before year 1 in UTC)."""
    if moment is None:
        return None
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:
        raise InvalidTimestamp(
            f"The query parameter 'since' ({moment.isoformat()}) is outside the range of "
            "timestamps in UTC (years 1 to 9999)."
        ) from None


def subject_prefix(prefix: str) -> str:
    return names.subject_prefix(prefix)


def parse_version(text: str) -> int:
    """`latest` (any case) or -1 mean the latest version; else ASCII digits making an integer in
    [1, 2^31-1] (42202). Spaces around it are ignored."""
    cleaned = text.strip(" ")
    if cleaned.lower() == "latest" or cleaned == "-1":
        return LATEST
    if _NUMBER.fullmatch(cleaned) is None or not 1 <= int(cleaned) <= MAX_INT:
        raise InvalidVersion(text)
    return int(cleaned)


def parse_schema_id(text: str) -> int:
    """A global schema id: ASCII digits making an integer in [1, 2^31-1]; anything else names no
    schema (40403, as Confluent answers)."""
    if _NUMBER.fullmatch(text) is None or not 1 <= int(text) <= MAX_INT:
        raise SchemaIdNotFound(f"Schema {text} not found")
    return int(text)


async def page(offset: int = 0, limit: int = -1) -> Page:
    return Page(offset=offset, limit=limit)


Ctx = Annotated[RegistryContext, Depends(registry_context)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
# Subject and version are parsed as path parameters, not as dependencies of their own (each
# dependency costs FastAPI a resolution per request). Pydantic lets a validator's non-ValueError
# exceptions through, so InvalidSubject/InvalidVersion reach the registry's error handler as is.
Subject = Annotated[
    str,
    Path(description="the subject (topic); URL-encode `/` as %2F"),
    AfterValidator(subject_name),
]
Version = Annotated[
    int,
    Path(description="a version number, `latest` or -1"),
    PlainValidator(parse_version, json_schema_input_type=str),
]
SchemaId = Annotated[
    int,
    Path(description="a global schema id"),
    PlainValidator(parse_schema_id, json_schema_input_type=str),
]
Consumer = Annotated[
    str,
    Path(description="the consumer team; URL-encode `/` as %2F"),
    AfterValidator(consumer_name),
]
Team = Annotated[str, Path(description="the team name"), AfterValidator(team_name)]
TokenId = Annotated[str, Path(description="a token id"), AfterValidator(token_id)]
# Query filters naming a subject or a team obey the same rules as the names themselves.
SubjectFilter = Annotated[str | None, AfterValidator(optional_subject)]
TeamFilter = Annotated[str | None, AfterValidator(optional_team)]
SubjectPrefix = Annotated[str, AfterValidator(subject_prefix)]
Since = Annotated[datetime | None, AfterValidator(moment_in_utc)]
Paging = Annotated[Page, Depends(page)]
Flag = Annotated[LenientBool, Query()]
