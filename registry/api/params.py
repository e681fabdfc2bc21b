"""Dependencies and parameter types shared by the routers, each named once."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import unquote

from fastapi import Depends, Path, Query, Request
from pydantic import AfterValidator, BeforeValidator, PlainValidator
from starlette.concurrency import run_in_threadpool

from registry.api.wire import EncodedAnswers
from registry.auth import parse_authorization
from registry.context import RegistryContext
from registry.errors import InvalidSubject, InvalidVersion
from registry.principal import ANONYMOUS_ADMIN, Principal
from registry.usecases import teams
from registry.usecases.read import LATEST, Page

MAX_VERSION = 2**31 - 1
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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
        return ANONYMOUS_ADMIN
    credentials = parse_authorization(request.headers.get("authorization"))
    known = teams.authenticate_admin(ctx, credentials)
    if known is not None:
        return known
    return await run_in_threadpool(teams.authenticate, ctx, credentials)


def subject_name(subject: str) -> str:
    """The subject of a path segment, decoded; InvalidSubject (42208) for a control character."""
    # The routing path kept %2F and %25 encoded (registry.api.wire.routing_path); decode now.
    name = unquote(subject)
    # No topic has a control character in its name (registration refuses them), and PostgreSQL
    # cannot even compare a text holding NUL: refuse before any query, on reads too.
    bad = _CONTROL.search(name)
    if bad is not None:
        raise InvalidSubject(
            f"The subject name contains the control character U+{ord(bad.group()):04X}; "
            "subject names must be printable."
        )
    return name


def parse_version(text: str) -> int:
    """`latest` (any case) or -1 mean the latest version; else an integer in [1, 2^31-1] (42202)."""
    cleaned = text.strip()
    if cleaned.lower() == "latest":
        return LATEST
    try:
        number = int(cleaned)
    except ValueError:
        raise InvalidVersion(text) from None
    if number == LATEST or 1 <= number <= MAX_VERSION:
        return number
    raise InvalidVersion(text)


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
Paging = Annotated[Page, Depends(page)]
Flag = Annotated[LenientBool, Query()]
