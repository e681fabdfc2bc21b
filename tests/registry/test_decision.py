"""One decision: registration, `/subjects/{t}/check` and `/compatibility` answer alike, and the
decision runs on a snapshot outside the registration's write transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from contracts.consumers import check_consumer_contract
from registry import Settings
from registry.context import RegistryContext
from registry.db import Database, create_db_engine
from registry.errors import ContractRefused
from registry.principal import ANONYMOUS_ADMIN
from registry.usecases import compatibility, consumers, read
from registry.usecases.compatibility import refuse_unless_accepted
from registry.usecases.model import ProposedVersion
from registry.usecases.register import Registration, register_version
from tests.registry.registry_schemas import V1, V2, V3_BREAKING, record

# Sends `id` no longer: BACKWARD-compatible with V1 (a reader ignores the writer's extra fields),
# but a contract reading `id` breaks.
DROPS_ID = record(("name", {"type": "string", "default": ""}))
READS_ID = V1

# (why, level, contract of `marketing` or None, proposed schema, accepted)
CASES = [
    ("an optional field: the level and the contract hold", "BACKWARD", READS_ID, V2, True),
    (
        "drops a field the contract reads; the level allows it",
        "BACKWARD",
        READS_ID,
        DROPS_ID,
        False,
    ),
    ("contracts decide under every level, NONE included", "NONE", READS_ID, DROPS_ID, False),
    ("drops a field no contract reads", "BACKWARD", None, DROPS_ID, True),
    (
        "a required field: the level refuses, the contract holds",
        "BACKWARD",
        READS_ID,
        V3_BREAKING,
        False,
    ),
    (
        "a required field under NONE, with a contract that holds",
        "NONE",
        READS_ID,
        V3_BREAKING,
        True,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_registration_check_and_compatibility_give_one_answer(
    client: Any, case: tuple[str, str, str | None, str, bool]
) -> None:
    why, level, contract, proposed, accepted = case
    client.put("/config/T", json={"compatibility": level})
    assert client.post("/subjects/T/versions", json={"schema": V1}).status_code == 200
    if contract is not None:
        put = client.put("/subjects/T/consumers/marketing", json={"schema": contract})
        assert put.status_code == 200, put.text
    body = {"schema": proposed}
    answers = {
        "check": client.post("/subjects/T/check", json=body).json()["ok"],
        "against latest": client.post(
            "/compatibility/subjects/T/versions/latest", json=body
        ).json()["is_compatible"],
        "against all": client.post("/compatibility/subjects/T/versions", json=body).json()[
            "is_compatible"
        ],
        "registration": client.post("/subjects/T/versions", json=body).status_code == 200,
    }
    assert answers == dict.fromkeys(answers, accepted), why


def test_verbose_compatibility_names_the_team_and_the_field(client: Any) -> None:
    client.post("/subjects/T/versions", json={"schema": V1})
    client.put("/subjects/T/consumers/marketing", json={"schema": READS_ID})
    verdict = client.post(
        "/compatibility/subjects/T/versions/1?verbose=true", json={"schema": DROPS_ID}
    ).json()
    assert verdict["is_compatible"] is False
    assert verdict["messages"] == [
        "consumer 'marketing' (contract version 1) at /fields/id: marketing reads id as a string; "
        "this version removes it"
    ]
    refused = client.post("/subjects/T/versions", json={"schema": DROPS_ID}).json()
    assert (
        "marketing (marketing reads id as a string; this version removes it)"
        in (refused["message"])
    )
    assert refused["report"]["level"]["ok"] is True  # the refusal carries the whole decision
    assert [c["consumer"] for c in refused["report"]["consumers"] if not c["ok"]] == ["marketing"]


# --- the decision is taken outside the write transaction -------------------------------------


@pytest.fixture
def ctx(database_url: str) -> Iterator[RegistryContext]:
    settings = Settings(database_url=database_url)
    engine = create_db_engine(settings.database_url)
    yield RegistryContext.create(
        settings, Database(engine, write_retries=20), checks=[refuse_unless_accepted]
    )
    engine.dispose()


@pytest.fixture
def writing(ctx: RegistryContext, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Non-empty while a write transaction of `ctx` runs (its write lock is held)."""
    depth: list[bool] = []
    write = ctx.db.write

    def instrumented(use_case: Callable[..., Any]) -> Any:
        depth.append(True)
        try:
            return write(use_case)
        finally:
            depth.pop()

    monkeypatch.setattr(ctx.db, "write", instrumented)
    return depth


def spy(
    monkeypatch: pytest.MonkeyPatch, module: object, name: str, writing: list[bool]
) -> list[bool]:
    """Wrap `module.name`; record, per call, whether a write transaction was open."""
    calls: list[bool] = []
    original = getattr(module, name)

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        calls.append(bool(writing))
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapped)
    return calls


def test_no_check_runs_while_a_write_transaction_is_open(
    ctx: RegistryContext, writing: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    decisions = spy(monkeypatch, compatibility, "check_producer_schema", writing)
    contract_checks = spy(monkeypatch, consumers, "check_consumer_contract", writing)
    register_version(ctx, ANONYMOUS_ADMIN, Registration("T", None, V1))
    consumers.put_contract(
        ctx, ANONYMOUS_ADMIN, "T", "marketing", schema_type=None, schema_text=READS_ID, examples=[]
    )
    register_version(ctx, ANONYMOUS_ADMIN, Registration("T", None, V2))
    with pytest.raises(ContractRefused):
        register_version(ctx, ANONYMOUS_ADMIN, Registration("T", None, DROPS_ID))
    # Every decision (level, contracts, counterexample search) ran, and none under a write.
    assert decisions == [False, False, False]
    assert contract_checks == [False]


def test_a_writer_of_another_topic_proceeds_while_a_check_runs(ctx: RegistryContext) -> None:
    """The check of a registration on A registers on B from another thread and waits for it
    (bounded): were the check inside A's write transaction, SQLite's single writer lock would
    keep B waiting until its busy timeout."""
    register_version(ctx, ANONYMOUS_ADMIN, Registration("A", None, V1))
    other: list[int] = []

    def slow_check(proposal: ProposedVersion) -> None:
        if proposal.subject != "A":
            return
        with ThreadPoolExecutor(max_workers=1) as pool:
            done = pool.submit(register_version, ctx, ANONYMOUS_ADMIN, Registration("B", None, V1))
            other.append(done.result(timeout=20).version)

    ctx.registration_checks.append(slow_check)
    assert register_version(ctx, ANONYMOUS_ADMIN, Registration("A", None, V2)).version == 2
    assert other == [1]


def test_a_snapshot_that_moved_before_the_write_is_decided_again(ctx: RegistryContext) -> None:
    """A contract registered between the decision and the write still binds the registration:
    the write sees the snapshot moved, and the decision taken again refuses."""
    register_version(ctx, ANONYMOUS_ADMIN, Registration("T", None, V1))
    seen: list[tuple[str, ...]] = []

    def interloper(proposal: ProposedVersion) -> None:
        seen.append(tuple(c.consumer for c in proposal.contracts))
        if len(seen) == 1:
            consumers.put_contract(
                ctx,
                ANONYMOUS_ADMIN,
                "T",
                "marketing",
                schema_type=None,
                schema_text=READS_ID,
                examples=[],
            )

    ctx.registration_checks.insert(0, interloper)
    with pytest.raises(ContractRefused, match="marketing"):
        register_version(ctx, ANONYMOUS_ADMIN, Registration("T", None, DROPS_ID))
    assert seen == [(), ("marketing",)]
    assert read.list_versions(ctx, "T", deleted=True, deleted_only=False, page=read.Page()) == [1]


def test_a_producer_version_registered_during_a_contract_check_is_checked(
    ctx: RegistryContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The contract's write re-verifies the producer version it was checked against."""
    register_version(ctx, ANONYMOUS_ADMIN, Registration("T", None, V1))
    check = check_consumer_contract  # the real check, which the spy below wraps
    producers: list[str | None] = []

    def interleaved(topic: str, contract: Any, current: Any) -> Any:
        producers.append(current[-1].schema.text if current else None)
        if len(producers) == 1:
            ctx.registration_checks.clear()  # the producer's change is accepted: no contract yet
            register_version(ctx, ANONYMOUS_ADMIN, Registration("T", None, DROPS_ID))
        return check(topic, contract, current)

    monkeypatch.setattr(consumers, "check_consumer_contract", interleaved)
    with pytest.raises(ContractRefused, match="not satisfied"):
        consumers.put_contract(
            ctx,
            ANONYMOUS_ADMIN,
            "T",
            "marketing",
            schema_type=None,
            schema_text=READS_ID,
            examples=[],
        )
    assert len(producers) == 2
    assert producers[0] == V1
    assert producers[1] is not None
    assert "name" in producers[1]
