"""Pub/Sub's own schema rules, modelled: which revisions a schema may hold and which versions a topic accepts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from contracts.compatibility import check_pair
from contracts.formats import ParsedSchema

# Google documents a limit of 20 revisions per schema; a 21st commit is refused.
MAX_REVISIONS = 20


class RevisionPolicy(StrEnum):
    """Which registry versions a topic's Pub/Sub schema settings accept."""

    ALL_LIVE = "ALL_LIVE"  # every version not soft-deleted: any producer still on an old version
    LATEST = "LATEST"  # only the newest live version


class PubSubEncoding(StrEnum):
    """The encoding Pub/Sub expects on a topic (Avro binary, or Avro's JSON encoding)."""

    BINARY = "BINARY"
    JSON = "JSON"


@dataclass(frozen=True, slots=True)
class TopicVersion:
    """A registry version of a topic, as the rule sees it."""

    version: int
    schema: ParsedSchema
    live: bool


def revision_problem(new: ParsedSchema, revisions: Sequence[TopicVersion]) -> str | None:
    """Why Pub/Sub would refuse `new` as the next revision of a schema holding `revisions`, or None.

    Pub/Sub's rule: a new revision must be compatible with every existing revision in both
    directions (each reads the other's data), and a schema holds at most MAX_REVISIONS."""
    if len(revisions) >= MAX_REVISIONS:
        return f"the Pub/Sub schema already holds {MAX_REVISIONS} revisions, Pub/Sub's limit"
    for older in revisions:
        for reader, writer, direction in (
            (new, older.schema, f"cannot read version {older.version}'s messages"),
            (older.schema, new, f"writes messages version {older.version} cannot read"),
        ):
            result = check_pair(reader, writer)
            if not result.compatible:
                return f"it {direction} ({'; '.join(result.messages()[:3])})"
    return None


def assign_generations(
    versions: Sequence[TopicVersion],
    placed: Mapping[int, int],
    kept: frozenset[int],
) -> tuple[dict[int, int], dict[int, str]]:
    """Every version's generation (its Pub/Sub schema): `placed` ones keep theirs; each other
    version, oldest first, joins the newest generation if Pub/Sub would take it as a revision
    there (judged against the revisions still `kept` in it), else starts the next generation.
    Also returns, for each version that started a generation after the first, why."""
    generations = dict(placed)
    why: dict[int, str] = {}
    by_number = {v.version: v for v in versions}
    for version in sorted(versions, key=lambda v: v.version):
        if version.version in generations:
            continue
        newest = max(generations.values(), default=0)
        if newest == 0:
            generations[version.version] = 1
            continue
        members = [
            by_number[n]
            for n, g in sorted(generations.items())
            if g == newest and n in by_number and (n in kept or n not in placed)
        ]
        problem = revision_problem(version.schema, members)
        if problem is None:
            generations[version.version] = newest
        else:
            generations[version.version] = newest + 1
            why[version.version] = problem
    return generations, why


@dataclass(frozen=True, slots=True)
class TopicPlan:
    """What Pub/Sub should hold for one topic, and what that means for its producers."""

    generations: dict[int, int]  # version -> generation
    active: int | None  # the generation the topic points at; None with no live version
    accepted: tuple[int, ...]  # versions whose messages Pub/Sub accepts
    first: int | None  # the range of revisions, as versions (inclusive)
    last: int | None
    pending: tuple[int, ...]  # live versions in a newer generation, waiting for a cutover
    refused: tuple[int, ...]  # live versions in an older generation, after a cutover
    prune: tuple[int, ...]  # versions whose revisions are deleted from Pub/Sub
    why_new_generation: dict[int, str] = field(default_factory=dict)
    policy: RevisionPolicy = RevisionPolicy.ALL_LIVE

    @property
    def newest(self) -> int | None:
        return max(self.generations.values(), default=None)

    def sentences(self, topic: str) -> list[str]:
        """What will happen, said before it happens (registration answer, check, status)."""
        said: list[str] = []
        if self.pending:
            older = [v for v in self.accepted if v < min(self.pending)]
            said.append(
                f"Pub/Sub will refuse {_versions(self.pending)}'s messages until "
                f"{_versions(older, 'are')} retired or you cut over "
                f"(accord pubsub cutover {topic})"
                if older
                else f"Pub/Sub will refuse {_versions(self.pending)}'s messages until you cut "
                f"over (accord pubsub cutover {topic})"
            )
        if self.refused and self.policy is RevisionPolicy.LATEST:
            said.append(
                f"Pub/Sub accepts only the latest version (pubsubRevisions LATEST): it refuses "
                f"{_versions(self.refused)}'s messages"
            )
        elif self.refused:
            said.append(
                f"Pub/Sub refuses {_versions(self.refused)}'s messages since the cutover; "
                "retire them (soft delete) once no producer sends them"
            )
        return said


def _versions(numbers: Sequence[int], verb: str = "") -> str:
    """`version 3`, `versions 1-2` (an en dash), `versions 1, 3 and 5` (+ a verb in agreement)."""
    ordered = sorted(numbers)
    if not ordered:
        return "no version"
    if len(ordered) == 1:
        text = f"version {ordered[0]}"
        return f"{text} is" if verb == "are" else text
    if ordered == list(range(ordered[0], ordered[-1] + 1)):
        text = f"versions {ordered[0]}\N{EN DASH}{ordered[-1]}"
    else:
        text = f"versions {', '.join(map(str, ordered[:-1]))} and {ordered[-1]}"
    return f"{text} {verb}" if verb else text


def plan_topic(
    versions: Sequence[TopicVersion],
    *,
    placed: Mapping[int, int],
    kept: frozenset[int],
    policy: RevisionPolicy,
    current: int | None,
    cutover_to: int | None,
) -> TopicPlan:
    """The topic's Pub/Sub truth. Pub/Sub points a topic at one schema, so one generation at a
    time: the topic stays on `current` until no live version is left in it (ALL_LIVE), the owner
    cut over to a newer one (`cutover_to`), or (LATEST) the newest live version is elsewhere."""
    generations, why = assign_generations(versions, placed, kept)
    live = sorted(v.version for v in versions if v.live)
    if not live:
        return TopicPlan(generations, current, (), None, None, (), (), (), why, policy)
    accepted: tuple[int, ...]
    if policy is RevisionPolicy.LATEST:
        active = generations[live[-1]]
        accepted = (live[-1],)
    else:
        oldest_live = min(generations[v] for v in live)
        active = max(g for g in (current, cutover_to, oldest_live) if g is not None)
        active = min(active, max(generations.values()))
        accepted = tuple(v for v in live if generations[v] == active)
        if not accepted:  # a cutover target whose versions were all retired since
            active = min(g for g in (generations[v] for v in live) if g >= active)
            accepted = tuple(v for v in live if generations[v] == active)
    first, last = accepted[0], accepted[-1]
    pending = tuple(v for v in live if generations[v] > active)
    refused = tuple(v for v in live if v not in accepted and v not in pending)
    retired = [v.version for v in versions if not v.live and v.version in kept]
    prune = [v for v in retired if generations.get(v) != active or v < first or v > last]
    # Pub/Sub never deletes a schema's last revision: keep the newest of each generation.
    for generation in set(generations.values()):
        alive = [v for v in kept if generations.get(v) == generation]
        if alive and all(v in prune for v in alive):
            prune.remove(max(alive))
    return TopicPlan(
        generations,
        active,
        accepted,
        first,
        last,
        pending,
        refused,
        tuple(sorted(prune)),
        why,
        policy,
    )
