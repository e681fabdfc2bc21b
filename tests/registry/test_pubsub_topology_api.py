"""GET /pubsub/plan, POST /pubsub/apply, GET /pubsub/topology: the registry's real admin clients against the Pub/Sub test fake."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest

from tests.fakes.pubsub import PubSubWorld, pubsub_world, running_fake
from tests.registry.auth_world import ADMIN_TOKEN, bearer
from tests.registry.registry_schemas import V1, V2

TOPIC = "CUSTOMER_CREATED"
WRITES = ("CreateTopic", "CreateSubscription", "UpdateSubscription", "DeleteSubscription")


@pytest.fixture
def pubsub(monkeypatch: pytest.MonkeyPatch) -> Iterator[PubSubWorld]:
    """This fake (its faults and call counts are needed), with real clients for the test's side."""
    with running_fake() as server:
        monkeypatch.setenv("PUBSUB_EMULATOR_HOST", server.host)
        with pubsub_world(server) as world:
            yield world


@pytest.fixture
def registry(make_client: Callable[..., Any], pubsub: PubSubWorld) -> Any:
    """A registry on the fake's project with v1 and v2 of TOPIC and three teams' contracts."""
    client = make_client(
        pubsub_project=pubsub.project,
        pubsub_emulator_host=pubsub.server.host,
        pubsub_call_timeout_seconds=2,
        pubsub_worker=False,  # no schema sync in the background: only the topology calls Pub/Sub
        pubsub_max_delivery_attempts=7,
        pubsub_ack_deadline_seconds=45,
    )
    for schema in (V1, V2):
        assert (
            client.post(f"/subjects/{TOPIC}/versions", json={"schema": schema}).status_code == 200
        )
    for team in ("marketing", "analysis", "billing"):
        answer = client.put(f"/subjects/{TOPIC}/consumers/{team}", json={"schema": V1})
        assert answer.status_code == 200, answer.text
    return client


def _writes(pubsub: PubSubWorld) -> dict[str, int]:
    assert pubsub.server.fake is not None
    calls = pubsub.server.fake.faults.calls
    return {method: calls[method] for method in WRITES if calls[method]}


def _ok(answer: Any) -> Any:
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_plan_apply_and_apply_again_changes_nothing(registry: Any, pubsub: PubSubWorld) -> None:
    planned = _ok(registry.get("/pubsub/plan"))
    assert planned["project"] == pubsub.project
    assert not planned["inSync"]
    assert _writes(pubsub) == {}  # planning changes nothing
    assert sorted(c["team"] for c in planned["contractsWithoutSubscription"]) == [
        "analysis",
        "billing",
        "marketing",
    ]

    applied = _ok(registry.post("/pubsub/apply"))
    assert [a["action"] for a in applied["actions"]] == [a["action"] for a in planned["actions"]]
    # 1 topic, and per team a dead-letter topic, its keeping subscription and the subscription
    assert _writes(pubsub) == {"CreateTopic": 4, "CreateSubscription": 6}

    # What Pub/Sub now holds, read back by Google's own client.
    marketing = pubsub.subscriber.get_subscription(
        subscription=pubsub.subscription_path(f"{TOPIC}.marketing")
    )
    assert marketing.topic == pubsub.topic_path(TOPIC)
    assert marketing.ack_deadline_seconds == 45
    assert marketing.dead_letter_policy.dead_letter_topic == pubsub.topic_path(
        f"{TOPIC}.marketing.dead-letter"
    )
    assert marketing.dead_letter_policy.max_delivery_attempts == 7
    assert dict(marketing.labels) == {"managed-by": "accord"}

    again = _ok(registry.post("/pubsub/apply"))
    assert again["inSync"]
    assert again["actions"] == []
    assert again["contractsWithoutSubscription"] == []
    assert _writes(pubsub) == {"CreateTopic": 4, "CreateSubscription": 6}  # no new write


def test_a_team_subscribing_without_a_contract_is_reported(
    registry: Any, pubsub: PubSubWorld
) -> None:
    _ok(registry.post("/pubsub/apply"))
    pubsub.subscriber.create_subscription(
        name=pubsub.subscription_path(f"{TOPIC}.finance"), topic=pubsub.topic_path(TOPIC)
    )
    planned = _ok(registry.get("/pubsub/plan?prune=true"))
    assert planned["uncontractedSubscriptions"] == [
        {
            "subscription": f"{TOPIC}.finance",
            "topic": TOPIC,
            "team": "finance",
            "managedByAccord": False,
        }
    ]
    assert planned["actions"] == []  # not Accord's: never deleted, even with prune

    picture = _ok(registry.get("/pubsub/topology"))
    assert picture["project"] == pubsub.project
    [producer] = picture["producers"]
    assert producer["team"] is None  # auth off: the topic has no owner team
    [topic] = producer["topics"]
    assert topic["topic"] == TOPIC
    assert topic["liveVersions"] == [1, 2]
    assert topic["exists"] is True
    assert [(s["team"], s["contractVersion"], s["exists"]) for s in topic["subscriptions"]] == [
        ("analysis", 1, True),
        ("billing", 1, True),
        ("marketing", 1, True),
    ]
    assert [u["team"] for u in topic["uncontractedSubscriptions"]] == ["finance"]


def test_prune_deletes_the_subscription_of_a_withdrawn_contract(
    registry: Any, pubsub: PubSubWorld
) -> None:
    _ok(registry.post("/pubsub/apply"))
    _ok(registry.delete(f"/subjects/{TOPIC}/consumers/billing"))
    kept = _ok(registry.post("/pubsub/apply"))
    assert kept["actions"] == []
    assert [u["subscription"] for u in kept["uncontractedSubscriptions"]] == [f"{TOPIC}.billing"]
    pruned = _ok(registry.post("/pubsub/apply?prune=true"))
    assert [(a["action"], a["resource"]) for a in pruned["actions"]] == [
        ("DELETE_SUBSCRIPTION", f"{TOPIC}.billing")
    ]
    assert pubsub.server.fake is not None
    assert pubsub.subscription_path(f"{TOPIC}.billing") not in pubsub.server.fake.subscriptions


def test_a_topic_name_pubsub_refuses_is_reported_and_the_rest_applied(
    registry: Any, pubsub: PubSubWorld
) -> None:
    assert registry.post("/subjects/Café/versions", json={"schema": V1}).status_code == 200
    applied = _ok(registry.post("/pubsub/apply"))
    [problem] = applied["problems"]
    assert problem["topic"] == "Café"
    assert "Pub/Sub cannot accept 'Café' as a topic name" in problem["message"]
    assert pubsub.server.fake is not None
    assert pubsub.topic_path("Café") not in pubsub.server.fake.topics
    assert pubsub.topic_path(TOPIC) in pubsub.server.fake.topics


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        (grpc.StatusCode.PERMISSION_DENIED, "no permission"),
        (grpc.StatusCode.UNAVAILABLE, "Pub/Sub is unavailable"),
    ],
)
def test_pubsub_refusing_is_a_clear_424_and_nothing_is_applied(
    registry: Any, pubsub: PubSubWorld, fault: grpc.StatusCode, said: str
) -> None:
    assert pubsub.server.fake is not None
    pubsub.server.fake.faults.refuse("*", fault)
    for answer in (registry.get("/pubsub/plan"), registry.post("/pubsub/apply")):
        assert answer.status_code == 424, answer.text
        body = answer.json()
        assert body["error_code"] == 42480
        assert said in body["message"]
        assert pubsub.project in body["message"]
    assert _writes(pubsub) == {}
    # The registry itself is unaffected.
    assert _ok(registry.get(f"/subjects/{TOPIC}/versions")) == [1, 2]


def test_an_unknown_project_says_so(registry: Any, pubsub: PubSubWorld) -> None:
    assert pubsub.server.fake is not None
    pubsub.server.fake.faults.unknown_projects.add(pubsub.project)
    answer = registry.get("/pubsub/plan")
    assert answer.status_code == 424
    assert (
        f"project {pubsub.project!r} does not exist or is not accessible"
        in answer.json()["message"]
    )


def test_a_failure_mid_apply_says_how_far_it_got_and_apply_again_finishes(
    registry: Any, pubsub: PubSubWorld
) -> None:
    assert pubsub.server.fake is not None
    pubsub.server.fake.faults.refuse(
        "CreateSubscription", grpc.StatusCode.PERMISSION_DENIED, times=1
    )
    answer = registry.post("/pubsub/apply")
    assert answer.status_code == 424
    message = answer.json()["message"]
    # topic, dead-letter topic made; the dead-letter subscription refused
    assert "2 of 10 planned changes were made before it" in message
    assert "apply again to finish" in message
    finished = _ok(registry.post("/pubsub/apply"))
    assert len(finished["actions"]) == 8
    assert _ok(registry.get("/pubsub/plan"))["inSync"]


def test_without_a_project_the_routes_say_how_to_turn_it_on(
    make_client: Callable[..., Any],
) -> None:
    client = make_client()
    for answer in (
        client.get("/pubsub/plan"),
        client.post("/pubsub/apply"),
        client.get("/pubsub/topology"),
    ):
        assert answer.status_code == 422
        assert answer.json()["error_code"] == 42280
        assert "ACCORD_PUBSUB_PROJECT" in answer.json()["message"]


def test_only_an_admin_applies(make_client: Callable[..., Any], pubsub: PubSubWorld) -> None:
    client = make_client(
        pubsub_project=pubsub.project,
        pubsub_emulator_host=pubsub.server.host,
        admin_token=ADMIN_TOKEN,
        pubsub_worker=False,
    )
    assert (
        client.post("/teams", json={"name": "crm"}, headers=bearer(ADMIN_TOKEN)).status_code == 200
    )
    token = client.post("/teams/crm/tokens", headers=bearer(ADMIN_TOKEN)).json()["token"]
    refused = client.post("/pubsub/apply", headers=bearer(token))
    assert refused.status_code == 403
    assert "Only an admin" in refused.json()["message"]
    assert _ok(client.get("/pubsub/plan", headers=bearer(token)))["inSync"]
    assert _ok(client.post("/pubsub/apply", headers=bearer(ADMIN_TOKEN)))["inSync"]
    assert _writes(pubsub) == {}
