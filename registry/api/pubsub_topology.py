"""Pub/Sub topology routes: the plan, its application and the whole picture."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from registry.api.errors import documented
from registry.api.models import Wire
from registry.api.params import Ctx, CurrentPrincipal, Flag
from registry.api.wire import RegistryJSONResponse
from registry.usecases import pubsub_topology
from registry.usecases.pubsub_topology import ProjectPlan

router = APIRouter(tags=["pubsub"])


class PlannedAction(Wire):
    action: str = Field(
        description="CREATE_TOPIC, CREATE_SUBSCRIPTION, UPDATE_SUBSCRIPTION or DELETE_SUBSCRIPTION"
    )
    resource: str = Field(description="the topic or subscription ID")
    accord_topic: str = Field(alias="accordTopic")
    topic: str | None = Field(default=None, description="the topic a subscription reads")
    team: str | None = None
    ack_deadline_seconds: int | None = Field(default=None, alias="ackDeadlineSeconds")
    dead_letter_topic: str | None = Field(default=None, alias="deadLetterTopic")
    max_delivery_attempts: int | None = Field(default=None, alias="maxDeliveryAttempts")
    changes: list[str] = Field(description="the fields an update replaces")
    reason: str


class UncontractedSubscription(Wire):
    subscription: str
    topic: str
    team: str | None = Field(description="the team the subscription's name suggests, if any")
    managed_by_accord: bool = Field(alias="managedByAccord")


class ContractWithoutSubscription(Wire):
    topic: str
    team: str
    contract_version: int = Field(alias="contractVersion")
    subscription: str = Field(description="the subscription the template names for the team")
    reason: str


class TopologyProblem(Wire):
    topic: str = Field(description="the Accord topic left out of the plan, whole")
    resource: str
    message: str


class PlanModel(Wire):
    """The difference between the registry and Pub/Sub; from apply, what was made."""

    project: str
    prune: bool
    in_sync: bool = Field(alias="inSync", description="no action is needed")
    actions: list[PlannedAction]
    uncontracted_subscriptions: list[UncontractedSubscription] = Field(
        alias="uncontractedSubscriptions",
        description="subscriptions on Accord topics whose team has no contract",
    )
    contracts_without_subscription: list[ContractWithoutSubscription] = Field(
        alias="contractsWithoutSubscription"
    )
    problems: list[TopologyProblem]


class SubscriptionView(Wire):
    subscription: str
    team: str
    contract_version: int = Field(alias="contractVersion")
    exists: bool
    ack_deadline_seconds: int | None = Field(alias="ackDeadlineSeconds")
    dead_letter_topic: str | None = Field(alias="deadLetterTopic")


class TopicView(Wire):
    topic: str
    live_versions: list[int] = Field(alias="liveVersions")
    exists: bool = Field(description="the Pub/Sub topic exists")
    subscriptions: list[SubscriptionView]
    uncontracted_subscriptions: list[UncontractedSubscription] = Field(
        alias="uncontractedSubscriptions"
    )


class ProducerView(Wire):
    team: str | None = Field(description="the owner team; null for a topic with no owner")
    topics: list[TopicView]


class TopologyModel(Wire):
    """Producer team -> topic -> subscriptions -> consumer teams, as they stand now."""

    project: str
    producers: list[ProducerView]
    problems: list[TopologyProblem]


def _plan(found: ProjectPlan) -> dict[str, Any]:
    return {"project": found.project, **found.plan.to_dict()}


@router.get(
    "/pubsub/plan",
    response_model=PlanModel,
    responses=documented(422, 424, 500),
    description="What `POST /pubsub/apply` would change on Pub/Sub; changes nothing.",
)
async def get_plan(ctx: Ctx, prune: Flag = False) -> Response:
    found = await run_in_threadpool(lambda: pubsub_topology.pubsub_plan(ctx, prune=prune))
    return RegistryJSONResponse(_plan(found))


@router.post(
    "/pubsub/apply",
    response_model=PlanModel,
    responses=documented(403, 422, 424, 500),
    description="Make Pub/Sub's topics and subscriptions match the registry (admin); deletes "
    "only with `prune=true`, and only subscriptions Accord created.",
)
async def apply(ctx: Ctx, principal: CurrentPrincipal, prune: Flag = False) -> Response:
    done = await run_in_threadpool(
        lambda: pubsub_topology.pubsub_apply(ctx, principal, prune=prune)
    )
    return RegistryJSONResponse(_plan(done))


@router.get(
    "/pubsub/topology",
    response_model=TopologyModel,
    responses=documented(422, 424, 500),
    description="Producer team -> topic -> subscriptions -> consumer teams (with contract "
    "versions), and the subscriptions no contract covers.",
)
async def get_topology(ctx: Ctx) -> Response:
    project, found = await run_in_threadpool(pubsub_topology.pubsub_topology, ctx)
    return RegistryJSONResponse({"project": project, **found.to_dict()})
