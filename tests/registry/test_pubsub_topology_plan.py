"""The topology plan as a pure function: registry topics and contracts + Pub/Sub's resources -> changes."""

from __future__ import annotations

import pytest

from registry.pubsub.topology import (
    ActionKind,
    Contract,
    DeadLetterPolicy,
    Naming,
    PubSubState,
    PubSubSubscription,
    RegistryTopic,
    plan,
    resource_id_problem,
    template_problem,
)

NAMING = Naming(ack_deadline_seconds=60, max_delivery_attempts=7)
MANAGED = {"managed-by": "accord"}
CUSTOMER = RegistryTopic(
    "CUSTOMER_CREATED",
    owner="crm",
    live_versions=(1, 2),
    contracts=(Contract("marketing", 1), Contract("analysis", 3)),
)
EMPTY = PubSubState(topics=frozenset(), subscriptions=())


def _applied(state: PubSubState, naming: Naming, *topics: RegistryTopic) -> PubSubState:
    """What Pub/Sub holds after the plan's actions (the model of apply used to check idempotency)."""
    result = plan(topics, state, naming, prune=True)
    names = set(state.topics)
    subs = {s.name: s for s in state.subscriptions}
    for action in result.actions:
        if action.kind is ActionKind.CREATE_TOPIC:
            names.add(action.resource)
        elif action.kind is ActionKind.DELETE_SUBSCRIPTION:
            del subs[action.resource]
        else:
            assert action.topic is not None
            assert action.ack_deadline_seconds is not None
            subs[action.resource] = PubSubSubscription(
                action.resource,
                action.topic,
                action.ack_deadline_seconds,
                action.dead_letter,
                MANAGED,
            )
    return PubSubState(frozenset(names), tuple(subs.values()))


def test_an_empty_project_gets_the_topic_and_one_subscription_per_contracted_team() -> None:
    result = plan([CUSTOMER], EMPTY, NAMING)
    kinds = [(a.kind, a.resource) for a in result.actions]
    assert kinds == [
        (ActionKind.CREATE_TOPIC, "CUSTOMER_CREATED"),
        (ActionKind.CREATE_TOPIC, "CUSTOMER_CREATED.analysis.dead-letter"),
        (ActionKind.CREATE_SUBSCRIPTION, "CUSTOMER_CREATED.analysis.dead-letter"),
        (ActionKind.CREATE_SUBSCRIPTION, "CUSTOMER_CREATED.analysis"),
        (ActionKind.CREATE_TOPIC, "CUSTOMER_CREATED.marketing.dead-letter"),
        (ActionKind.CREATE_SUBSCRIPTION, "CUSTOMER_CREATED.marketing.dead-letter"),
        (ActionKind.CREATE_SUBSCRIPTION, "CUSTOMER_CREATED.marketing"),
    ]
    marketing = result.actions[-1]
    assert marketing.topic == "CUSTOMER_CREATED"
    assert marketing.team == "marketing"
    assert marketing.ack_deadline_seconds == 60
    assert marketing.dead_letter == DeadLetterPolicy("CUSTOMER_CREATED.marketing.dead-letter", 7)
    assert [(u.team, u.contract_version) for u in result.unsubscribed] == [
        ("analysis", 3),
        ("marketing", 1),
    ]
    assert result.uncontracted == ()
    assert result.problems == ()


def test_applying_the_plan_leaves_nothing_to_do() -> None:
    state = _applied(EMPTY, NAMING, CUSTOMER)
    again = plan([CUSTOMER], state, NAMING, prune=True)
    assert again.in_sync
    assert again.actions == ()
    assert again.unsubscribed == ()
    assert again.uncontracted == ()


def test_a_subscription_without_a_contract_is_reported_never_deleted_without_prune() -> None:
    state = _applied(EMPTY, NAMING, CUSTOMER)
    finance = PubSubSubscription("CUSTOMER_CREATED.finance", "CUSTOMER_CREATED", 10)
    other = PubSubSubscription("billing-reader", "CUSTOMER_CREATED", 10)
    state = PubSubState(state.topics, (*state.subscriptions, finance, other))
    for prune in (False, True):  # not managed by Accord: never deleted, even with prune
        result = plan([CUSTOMER], state, NAMING, prune=prune)
        assert result.actions == ()
        assert [(u.subscription, u.team, u.managed) for u in result.uncontracted] == [
            ("CUSTOMER_CREATED.finance", "finance", False),
            ("billing-reader", None, False),
        ]


def test_prune_deletes_only_accord_subscriptions_whose_contract_is_gone() -> None:
    state = _applied(EMPTY, NAMING, CUSTOMER)
    withdrawn = RegistryTopic(
        "CUSTOMER_CREATED", "crm", (1, 2), contracts=(Contract("analysis", 3),)
    )
    kept = plan([withdrawn], state, NAMING)
    assert kept.actions == ()
    assert [(u.subscription, u.team, u.managed) for u in kept.uncontracted] == [
        ("CUSTOMER_CREATED.marketing", "marketing", True)
    ]
    pruned = plan([withdrawn], state, NAMING, prune=True)
    assert [(a.kind, a.resource) for a in pruned.actions] == [
        (ActionKind.DELETE_SUBSCRIPTION, "CUSTOMER_CREATED.marketing")
    ]


def test_settings_that_differ_are_updated_in_place() -> None:
    state = _applied(EMPTY, NAMING, CUSTOMER)
    changed = Naming(ack_deadline_seconds=120, max_delivery_attempts=7)
    result = plan([CUSTOMER], state, changed)
    assert [(a.kind, a.resource, a.changes) for a in result.actions] == [
        (
            ActionKind.UPDATE_SUBSCRIPTION,
            "CUSTOMER_CREATED.analysis",
            ("ack_deadline_seconds",),
        ),
        (
            ActionKind.UPDATE_SUBSCRIPTION,
            "CUSTOMER_CREATED.marketing",
            ("ack_deadline_seconds",),
        ),
    ]
    fewer = plan([CUSTOMER], state, Naming(ack_deadline_seconds=60, max_delivery_attempts=9))
    assert {a.changes for a in fewer.actions} == {("dead_letter_policy",)}


def test_a_topic_without_live_versions_gets_nothing_and_its_contracts_say_why() -> None:
    retired = RegistryTopic("ORDER_PLACED", "shop", (), contracts=(Contract("billing", 1),))
    result = plan([retired], EMPTY, NAMING)
    assert result.actions == ()
    assert [(u.team, u.reason) for u in result.unsubscribed] == [
        ("billing", "the topic has no live version yet, so it has no Pub/Sub topic")
    ]


@pytest.mark.parametrize(
    ("topic", "team", "bad", "why"),
    [
        ("Café", "crm", "Café", "contains 'é' (U+00E9)"),
        ("ab", "crm", "ab", "must be 3 to 255 characters long (it has 2)"),
        ("googEvents", "crm", "googEvents", 'must not start with "goog"'),
        ("1st_topic", "crm", "1st_topic", "must start with a letter"),
        ("ORDERS", "team one", "ORDERS.team one", "contains ' ' (U+0020)"),
    ],
)
def test_a_name_pubsub_refuses_leaves_that_topic_out_whole(
    topic: str, team: str, bad: str, why: str
) -> None:
    wrong = RegistryTopic(topic, None, (1,), contracts=(Contract(team, 1),))
    result = plan([wrong, CUSTOMER], EMPTY, NAMING)
    assert [p.resource for p in result.problems][:1] == [bad]
    assert why in result.problems[0].message
    assert all(a.accord_topic == "CUSTOMER_CREATED" for a in result.actions)
    assert len(result.actions) == 7


def test_a_subscription_of_the_name_on_another_topic_is_a_problem_not_an_update() -> None:
    elsewhere = PubSubSubscription("CUSTOMER_CREATED.marketing", "OTHER", 60)
    result = plan([CUSTOMER], PubSubState(frozenset({"OTHER"}), (elsewhere,)), NAMING)
    assert [p.resource for p in result.problems] == ["CUSTOMER_CREATED.marketing"]
    assert "cannot move a subscription" in result.problems[0].message
    assert result.actions == ()


def test_the_template_names_subscriptions_and_recovers_the_team() -> None:
    naming = Naming(subscription_template="sub-{team}-{topic}")
    assert naming.subscription("ORDERS", "billing") == "sub-billing-ORDERS"
    assert naming.team_of("ORDERS", "sub-billing-ORDERS") == "billing"
    assert naming.team_of("ORDERS", "sub--ORDERS") is None
    assert naming.team_of("ORDERS", "ORDERS.billing") is None
    result = plan([CUSTOMER], EMPTY, naming)
    assert "sub-marketing-CUSTOMER_CREATED" in {a.resource for a in result.actions}


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("{topic}.{team}", None),
        ("{team}", "must contain {topic}"),
        ("{topic}.{team}.{env}", "names {env}; only {team}, {topic} may be used"),
        ("{topic}.{team!r}", "may not use format specifications or conversions"),
        ("{topic.{team}", "is not a valid template"),
    ],
)
def test_templates_are_checked(template: str, problem: str | None) -> None:
    found = template_problem(template, {"topic", "team"}, {"topic", "team"})
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert found.startswith(problem)


def test_resource_ids_follow_pubsubs_rule() -> None:
    assert resource_id_problem("CUSTOMER_CREATED.marketing") is None
    assert resource_id_problem("a" * 255) is None
    assert resource_id_problem("a" * 256) is not None
    assert resource_id_problem("a~b+c%d") is None
