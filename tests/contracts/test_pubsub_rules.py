"""Pub/Sub's revision rule and the topic plan, modelled in contracts.pubsub_rules."""

from __future__ import annotations

import json
from typing import Any

import fastavro
import pytest

from contracts import parse_schema
from contracts.pubsub_rules import (
    MAX_REVISIONS,
    RevisionPolicy,
    TopicVersion,
    assign_generations,
    plan_topic,
    revision_problem,
)
from tests.fakes.pubsub.schemas import resolution_problem, samples


def record(*fields: Any) -> str:
    return json.dumps({"type": "record", "name": "R", "fields": list(fields)})


ID = {"name": "id", "type": "string"}
EMAIL = {"name": "email", "type": "string", "default": ""}
BASE = record(ID)

# (new revision, why it is or is not a revision Pub/Sub accepts after BASE)
CASES = [
    (record(ID, EMAIL), "an optional field: each reads the other's data"),
    (record(ID, {"name": "email", "type": "string"}), "a required field: BASE's data lacks it"),
    (record(EMAIL), "id removed: BASE cannot read the new data (no default for id)"),
    (record({"name": "id", "type": ["string", "null"]}), "a widened union: BASE cannot read null"),
    (record({"name": "id", "type": "int"}), "int and string never resolve"),
    (record(ID, {"name": "n", "type": "long", "default": 0}), "an optional long"),
]


# Left out on purpose: string <-> bytes. The Avro specification (and so check_pair) promotes
# both ways; the fake's fastavro fails on random bytes that are not UTF-8. Which one real
# Pub/Sub follows is not documented; a refusal there is reported as the topic's sync error.


def fake_accepts(older: str, newer: str) -> bool:
    """The Pub/Sub fake's own judgement (fastavro resolving datums both ways): an oracle
    independent of Accord's check_pair."""
    old, new = (fastavro.parse_schema(json.loads(t)) for t in (older, newer))
    return (
        resolution_problem(old, samples(old), new) is None
        and resolution_problem(new, samples(new), old) is None
    )


@pytest.mark.parametrize(("newer", "why"), CASES, ids=[why for _, why in CASES])
def test_the_revision_rule_agrees_with_the_fakes_datum_judgement(newer: str, why: str) -> None:
    older = TopicVersion(1, parse_schema("AVRO", BASE), live=True)
    problem = revision_problem(parse_schema("AVRO", newer), [older])
    assert (problem is None) == fake_accepts(BASE, newer), (why, problem)


def test_a_refused_revision_says_which_direction_fails() -> None:
    older = TopicVersion(1, parse_schema("AVRO", BASE), live=True)
    problem = revision_problem(parse_schema("AVRO", record(EMAIL)), [older])
    assert problem is not None
    assert problem.startswith("it writes messages version 1 cannot read")


def versions(*texts: str, retired: tuple[int, ...] = ()) -> list[TopicVersion]:
    return [
        TopicVersion(n, parse_schema("AVRO", text), live=n not in retired)
        for n, text in enumerate(texts, 1)
    ]


def optional_fields(count: int) -> str:
    extra = [{"name": f"f{k}", "type": "string", "default": ""} for k in range(count)]
    return record(ID, *extra)


def test_the_revision_limit_starts_a_new_generation() -> None:
    chain = versions(*(optional_fields(k) for k in range(MAX_REVISIONS + 1)))
    generations, why = assign_generations(chain, {}, frozenset())
    assert [generations[v.version] for v in chain] == [1] * MAX_REVISIONS + [2]
    assert why == {
        MAX_REVISIONS
        + 1: f"the Pub/Sub schema already holds {MAX_REVISIONS} revisions, Pub/Sub's limit"
    }


def test_pruned_revisions_no_longer_count_against_the_rule() -> None:
    # Version 3 drops `id`: version 1 (id required) cannot read it, version 2 (id defaulted) can.
    chain = versions(
        BASE, record({"name": "id", "type": "string", "default": ""}, EMAIL), record(EMAIL)
    )
    assert assign_generations(chain, {1: 1, 2: 1}, kept=frozenset({1, 2}))[0][3] == 2
    assert assign_generations(chain, {1: 1, 2: 1}, kept=frozenset({2}))[0][3] == 1


V1, V2, V3 = BASE, record(ID, EMAIL), record(EMAIL, {"name": "age", "type": "int", "default": 0})


def test_all_live_stays_on_the_current_generation_until_cutover() -> None:
    plan = plan_topic(
        versions(V1, V2, V3),
        placed={},
        kept=frozenset(),
        policy=RevisionPolicy.ALL_LIVE,
        current=None,
        cutover_to=None,
    )
    assert (plan.active, plan.accepted, plan.pending, plan.refused) == (1, (1, 2), (3,), ())
    cut = plan_topic(
        versions(V1, V2, V3),
        placed=plan.generations,
        kept=frozenset({1, 2, 3}),
        policy=RevisionPolicy.ALL_LIVE,
        current=1,
        cutover_to=2,
    )
    assert (cut.active, cut.accepted, cut.pending, cut.refused) == (2, (3,), (), (1, 2))
    assert cut.prune == ()  # live versions keep their revisions


def test_retiring_the_old_generation_moves_the_topic_and_prunes_all_but_its_last_revision() -> None:
    plan = plan_topic(
        versions(V1, V2, V3, retired=(1, 2)),
        placed={1: 1, 2: 1, 3: 2},
        kept=frozenset({1, 2, 3}),
        policy=RevisionPolicy.ALL_LIVE,
        current=1,
        cutover_to=None,
    )
    assert (plan.active, plan.accepted, plan.prune) == (2, (3,), (1,))


def test_latest_follows_the_newest_live_version() -> None:
    plan = plan_topic(
        versions(V1, V2, V3),
        placed={},
        kept=frozenset(),
        policy=RevisionPolicy.LATEST,
        current=None,
        cutover_to=None,
    )
    assert (plan.active, plan.accepted, plan.first, plan.last) == (2, (3,), 3, 3)
    assert plan.sentences("T") == [
        "Pub/Sub accepts only the latest version (pubsubRevisions LATEST): it refuses "
        "versions 1\N{EN DASH}2's messages"
    ]
