"""The audit log: who, what, when, before and after; filters; written in the write's transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import registry.usecases.audit as audit_module
from tests.registry.auth_world import ADMIN_TOKEN, TOPICS, World, build_world
from tests.registry.registry_schemas import V2, V3_BREAKING


def test_entries_say_who_what_when_before_and_after_and_filter(make_client) -> None:
    started = datetime.now(UTC) - timedelta(seconds=1)
    world: World = build_world(make_client(admin_token=ADMIN_TOKEN))
    world.ok("crm", "POST", f"/subjects/{TOPICS[0]}/versions", {"schema": V2})
    newest = world.audit()[0]
    assert newest["actor"] == "crm"
    assert newest["action"] == "register"
    assert newest["subject"] == TOPICS[0]
    assert newest["before"] == {"version": 1, "id": 1}
    assert newest["after"] == {"version": 2, "id": newest["after"]["id"], "schemaType": "AVRO"}
    assert datetime.fromisoformat(newest["at"]) >= started

    on_topic = world.audit(topic=TOPICS[0])
    assert {e["subject"] for e in on_topic} == {TOPICS[0]}
    # register, set_config, set_mode, put_contract in the world; register again here.
    assert [e["action"] for e in on_topic] == [
        "register",
        "put_contract",
        "set_mode",
        "set_config",
        "register",
    ]
    by_marketing = world.audit(team="marketing")
    assert {e["action"] for e in by_marketing} == {"put_contract"}
    assert {e["target"] for e in by_marketing} == {"marketing"}
    assert world.audit(since=(datetime.now(UTC) + timedelta(hours=1)).isoformat()) == []
    assert len(world.audit(since=started.isoformat())) == len(world.audit(limit="1000"))
    assert len(world.audit(limit="2")) == 2


def test_a_refused_write_leaves_no_entry(make_client) -> None:
    world: World = build_world(make_client(admin_token=ADMIN_TOKEN))
    before = world.audit()
    refused = world.call("crm", "POST", f"/subjects/{TOPICS[0]}/versions", {"schema": V3_BREAKING})
    assert refused.status_code == 409
    assert world.audit() == before


def test_the_entry_and_the_write_commit_together(make_client, monkeypatch) -> None:
    """The audit entry is added, then the transaction fails: neither the version nor the entry is
    stored. Were the entry written in a transaction of its own, it would survive."""
    world: World = build_world(make_client(admin_token=ADMIN_TOKEN))
    before = world.audit()
    real = audit_module.record

    def record_then_fail(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("the store failed after the audit entry was added")

    monkeypatch.setattr(audit_module, "record", record_then_fail)
    failed = world.call("crm", "POST", f"/subjects/{TOPICS[0]}/versions", {"schema": V2})
    assert failed.status_code == 500
    monkeypatch.undo()
    assert world.ok("crm", "GET", f"/subjects/{TOPICS[0]}/versions") == [1]
    assert world.audit() == before
