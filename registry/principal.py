"""Who is calling: the one seam through which authentication reaches the use cases."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of a use case: a team (its `teams` are what it owns and consumes as), the admin,
    or, while auth is off, `ANONYMOUS_ADMIN`, which may change everything."""

    name: str
    teams: frozenset[str] = field(default_factory=frozenset)
    is_admin: bool = False

    @property
    def team(self) -> str | None:
        """The team a write is done as (and a new topic is owned by); None for an admin."""
        return next(iter(sorted(self.teams)), None)

    @classmethod
    def of_team(cls, team: str) -> Principal:
        return cls(name=team, teams=frozenset({team}))


ANONYMOUS_ADMIN = Principal(name="anonymous", is_admin=True)
ADMIN = Principal(name="admin", is_admin=True)
