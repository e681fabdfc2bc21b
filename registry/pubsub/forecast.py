"""What Pub/Sub will do with a topic's versions, said before it happens (registration answer, check report)."""

from __future__ import annotations

from sqlmodel import Session

from contracts import ParsedSchema, SchemaType
from contracts.pubsub_rules import TopicVersion
from registry.context import RegistryContext
from registry.pubsub.sync import enforceable_problem, plan_of, schema_id, snapshot_in


def forecast_in(
    ctx: RegistryContext, session: Session, topic: str, proposed: ParsedSchema | None = None
) -> list[str]:
    """Sentences for the topic as it is (or with `proposed` as its next version); none while
    Pub/Sub enforcement is off or when Pub/Sub has nothing to refuse."""
    if not ctx.settings.pubsub_enabled:
        return []
    snapshot = snapshot_in(ctx, session, topic)
    extra = None
    if proposed is not None:
        if proposed.schema_type is not SchemaType.AVRO:
            return [
                f"Pub/Sub cannot enforce {proposed.schema_type.value} schemas: producers of "
                f"{topic} are checked by Accord's client only"
            ]
        number = max((v.version for v in snapshot.versions), default=0) + 1
        extra = TopicVersion(number, proposed, live=True)
    elif enforceable_problem(snapshot) is not None:
        return []
    plan = plan_of(ctx, snapshot, extra)
    said = [
        f"Pub/Sub cannot take version {version} as a revision of "
        f"{schema_id(topic, plan.generations[version] - 1)}: {why}; it starts "
        f"{schema_id(topic, plan.generations[version])}"
        for version, why in sorted(plan.why_new_generation.items())
        if plan.generations[version] > 1
    ]
    return said + plan.sentences(topic)


def forecast(ctx: RegistryContext, topic: str) -> list[str]:
    """The topic's forecast as registered (the registration answer carries it)."""

    def query(session: Session) -> list[str]:
        return forecast_in(ctx, session, topic)

    return ctx.db.read(query) if ctx.settings.pubsub_enabled else []
