"""Testing a schema against a topic without registering it (`/compatibility/...`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from contracts import check_compatibility
from registry.context import RegistryContext
from registry.errors import UnprocessableSchema, VersionNotFound
from registry.tables import SubjectRow
from registry.usecases import queries
from registry.usecases.model import SubjectVersion
from registry.usecases.read import LATEST


@dataclass(frozen=True, slots=True)
class Verdict:
    compatible: bool
    messages: tuple[str, ...] = ()


def compatibility_verdict(
    ctx: RegistryContext,
    subject: str,
    schema_type: str | None,
    schema_text: str | None,
    *,
    version: int | None,
    verbose: bool,
    references: int = 0,
) -> Verdict:
    """Would this schema be accepted? `version` None: against every live version under the topic's
    level, exactly as registration checks; a version (or LATEST): against that one version.

    An invalid schema is a 42201, except with `verbose`, where it becomes the verdict's message.
    """
    try:
        parsed = queries.parse_proposed(schema_type, schema_text, references=references)
    except UnprocessableSchema as exc:
        if verbose:
            return Verdict(False, (exc.message,))
        raise

    def query(session: Session) -> Verdict:
        versions = queries.live(queries.versions_of(ctx, session, subject, fresh=True))
        targets: tuple[SubjectVersion, ...]
        if version is None:
            targets = versions
        elif version == LATEST:
            targets = versions[-1:]
        else:
            targets = tuple(v for v in versions if v.version == version)
            if not targets:
                raise VersionNotFound(version, subject)
        config = queries.effective_config(ctx, session, session.get(SubjectRow, subject))
        result = check_compatibility(
            parsed, queries.versioned(ctx, targets), config.level, policy=config.policy
        )
        return Verdict(result.compatible, tuple(result.messages()))

    return ctx.db.read(query)
