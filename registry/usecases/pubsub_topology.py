"""Pub/Sub topology: plan, apply and the whole picture, from one read of the registry and one of Pub/Sub."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlmodel import Session, col, select

from registry.auth import require_admin
from registry.context import RegistryContext
from registry.contract_tables import ConsumerContractRow
from registry.errors import PubSubFailed
from registry.principal import Principal
from registry.pubsub.gateway import PubSubGateway
from registry.pubsub.runtime import runtime_of
from registry.pubsub.topology import (
    Contract,
    Naming,
    Plan,
    PubSubState,
    RegistryTopic,
    plan,
)
from registry.pubsub.topology_gateway import apply_action, read_state
from registry.pubsub.topology_picture import Topology, topology
from registry.settings import Settings
from registry.tables import SubjectRow, SubjectVersionRow

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ProjectPlan:
    """A plan for one project; from apply, the plan it carried out (every action was made)."""

    project: str
    plan: Plan


def naming(settings: Settings) -> Naming:
    return Naming(
        subscription_template=settings.pubsub_subscription_template,
        dead_letter_template=settings.pubsub_dead_letter_template,
        ack_deadline_seconds=settings.pubsub_ack_deadline_seconds,
        max_delivery_attempts=settings.pubsub_max_delivery_attempts,
    )


def _registry_topics(session: Session) -> list[RegistryTopic]:
    """Every topic (with its owner and live versions) and every current contract."""
    owners = {row.name: row.owner for row in session.exec(select(SubjectRow)).all()}
    live: dict[str, list[int]] = {}
    for subject, version in session.exec(
        select(SubjectVersionRow.subject, SubjectVersionRow.version)
        .where(col(SubjectVersionRow.deleted).is_(False))
        .order_by(col(SubjectVersionRow.subject), col(SubjectVersionRow.version))
    ).all():
        live.setdefault(subject, []).append(version)
    # A contract's current version is its newest row not deleted (withdrawing marks every row).
    contracts: dict[str, dict[str, int]] = {}
    for subject, consumer, version in session.exec(
        select(
            ConsumerContractRow.subject, ConsumerContractRow.consumer, ConsumerContractRow.version
        ).where(col(ConsumerContractRow.deleted).is_(False))
    ).all():
        teams = contracts.setdefault(subject, {})
        teams[consumer] = max(version, teams.get(consumer, 0))
    names = set(owners) | set(live) | set(contracts)
    return [
        RegistryTopic(
            name=name,
            owner=owners.get(name),
            live_versions=tuple(live.get(name, ())),
            contracts=tuple(
                Contract(team, version) for team, version in sorted(contracts.get(name, {}).items())
            ),
        )
        for name in sorted(names)
    ]


def _with_pubsub(ctx: RegistryContext, use: Callable[[PubSubGateway], T]) -> T:
    """`use` the app's Pub/Sub gateway (PubSubNotConfigured without a project)."""
    return use(runtime_of(ctx).gateway)


def _both_sides(
    ctx: RegistryContext, gateway: PubSubGateway
) -> tuple[list[RegistryTopic], PubSubState]:
    return ctx.db.read(_registry_topics), read_state(gateway)


def pubsub_plan(ctx: RegistryContext, *, prune: bool) -> ProjectPlan:
    """What apply would change (nothing is changed)."""
    return _with_pubsub(
        ctx,
        lambda gateway: ProjectPlan(
            gateway.project,
            plan(*_both_sides(ctx, gateway), naming(ctx.settings), prune=prune),
        ),
    )


def pubsub_apply(ctx: RegistryContext, principal: Principal, *, prune: bool) -> ProjectPlan:
    """Make Pub/Sub match the plan, one whole resource at a time, in dependency order (a
    dead-letter topic before the subscription naming it). A failure stops at that change and says
    how many were made; applying again finishes the rest (every change is idempotent)."""
    require_admin(principal, "change Pub/Sub's topics and subscriptions")

    def apply(gateway: PubSubGateway) -> ProjectPlan:
        planned = plan(*_both_sides(ctx, gateway), naming(ctx.settings), prune=prune)
        for done, action in enumerate(planned.actions):
            try:
                apply_action(gateway, action)
            except PubSubFailed as failure:
                raise PubSubFailed(
                    f"{failure.message}. {done} of {len(planned.actions)} planned changes were "
                    "made before it, each one whole; nothing else was changed: apply again to "
                    "finish",
                    retryable=failure.retryable,
                    status=failure.status,
                ) from failure
        return ProjectPlan(gateway.project, planned)

    return _with_pubsub(ctx, apply)


def pubsub_topology(ctx: RegistryContext) -> tuple[str, Topology]:
    """The project and its picture: producer team -> topic -> subscriptions -> consumer teams."""
    return _with_pubsub(
        ctx,
        lambda gateway: (
            gateway.project,
            topology(*_both_sides(ctx, gateway), naming(ctx.settings)),
        ),
    )
