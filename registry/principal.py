"""Who is calling: the one seam through which authentication (issue 6) reaches the use cases."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of a use case. `teams` will decide what it may change once auth exists; while auth
    is off every caller is `ANONYMOUS_ADMIN`, which may change everything."""

    name: str
    teams: frozenset[str] = field(default_factory=frozenset)
    is_admin: bool = False


ANONYMOUS_ADMIN = Principal(name="anonymous", is_admin=True)
