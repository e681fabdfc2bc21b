"""The owner's cutover: move a topic to its newest Pub/Sub schema generation, refusing older versions' messages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from registry.auth import topic_owner_after_write
from registry.context import RegistryContext
from registry.errors import NothingToCutOver, SubjectNotFound
from registry.principal import Principal
from registry.pubsub.outbox import enqueue
from registry.pubsub.runtime import runtime_of
from registry.pubsub.sync import enforceable_problem, plan_of, snapshot_in
from registry.pubsub.tables import TopicSyncRow
from registry.tables import SubjectRow
from registry.usecases import audit, queries


@dataclass(frozen=True, slots=True)
class Cutover:
    """What the cutover will do once the worker applies it."""

    topic: str
    from_generation: int | None
    to_generation: int
    accepted: tuple[int, ...]  # live versions Pub/Sub will accept
    refused: tuple[int, ...]  # live versions whose messages Pub/Sub will refuse


def cut_over(ctx: RegistryContext, principal: Principal, topic: str) -> Cutover:
    """Record the owner's decision and owe the sync that applies it, in one transaction."""
    runtime_of(ctx)
    topic = queries.validate_subject(ctx, topic)

    def transaction(session: Session) -> Cutover:
        subject = session.get(SubjectRow, topic)
        snapshot = snapshot_in(ctx, session, topic)
        if subject is None or not snapshot.versions:
            raise SubjectNotFound(topic)
        topic_owner_after_write(
            principal, topic, subject.owner, has_versions=True, action="cut over"
        )
        problem = enforceable_problem(snapshot)
        if problem is not None:
            raise NothingToCutOver(f"Topic '{topic}' has nothing to cut over: {problem}.")
        plan = plan_of(ctx, snapshot)
        newest = plan.newest
        if not plan.pending or newest is None:
            raise NothingToCutOver(
                f"Topic '{topic}' has no version waiting for a cutover: Pub/Sub accepts every "
                "version it may (see accord pubsub status)."
            )
        state = session.get(TopicSyncRow, topic) or TopicSyncRow(topic=topic)
        state.cutover_to = newest
        session.add(state)
        enqueue(ctx.settings, session, topic, "cutover")
        live = plan.accepted + plan.pending + plan.refused
        answer = Cutover(
            topic=topic,
            from_generation=plan.active,
            to_generation=newest,
            accepted=tuple(sorted(v for v in live if plan.generations[v] == newest)),
            refused=tuple(sorted(v for v in live if plan.generations[v] != newest)),
        )
        audit.record(
            session,
            principal,
            "pubsub_cutover",
            subject=topic,
            before={"generation": plan.active},
            after={"generation": newest, "refused": list(answer.refused)},
        )
        return answer

    return ctx.db.write(transaction)
