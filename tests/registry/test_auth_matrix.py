"""Every write endpoint x {anonymous, owner, another team, the consumer team, admin}: allowed or
refused, on SQLite and PostgreSQL. A refusal changes nothing (a read-back of what it targets and
the audit log are unchanged) and says who owns what; an allowed write is in the audit log under
the caller's name."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.registry.auth_world import ADMIN_TOKEN, TOPICS, World, build_world
from tests.registry.registry_schemas import V2

ROLES = ("anonymous", "crm", "finance", "marketing", "admin")  # owner, another, the consumer
OWNER = frozenset({"crm", "admin"})
CONSUMER = frozenset({"marketing", "admin"})
ADMIN = frozenset({"admin"})


@dataclass(frozen=True)
class Write:
    name: str
    method: str
    path: str
    body: object
    allowed: frozenset[str]
    action: str  # the audit log's name for it
    probe: str  # a read whose answer the write would change
    refusal: str  # what a 403 says


WRITES = [
    Write("register", "POST", "/subjects/{topic}/versions", {"schema": V2}, OWNER, "register",
          "/subjects/{topic}/versions", "is owned by team 'crm'"),
    Write("delete-subject", "DELETE", "/subjects/{topic}", None, OWNER, "delete_subject",
          "/subjects/{topic}/versions", "is owned by team 'crm'"),
    Write("delete-version", "DELETE", "/subjects/{topic}/versions/1", None, OWNER,
          "delete_version", "/subjects/{topic}/versions", "is owned by team 'crm'"),
    Write("set-config", "PUT", "/config/{topic}", {"compatibility": "FULL"}, OWNER, "set_config",
          "/config/{topic}", "is owned by team 'crm'"),
    Write("delete-config", "DELETE", "/config/{topic}", None, OWNER, "delete_config",
          "/config/{topic}", "is owned by team 'crm'"),
    Write("set-mode", "PUT", "/mode/{topic}", {"mode": "READONLY"}, OWNER, "set_mode",
          "/mode/{topic}", "is owned by team 'crm'"),
    Write("delete-mode", "DELETE", "/mode/{topic}", None, OWNER, "delete_mode",
          "/mode/{topic}", "is owned by team 'crm'"),
    Write("set-global-config", "PUT", "/config", {"compatibility": "FULL"}, ADMIN, "set_config",
          "/config", "Only an admin"),
    Write("delete-global-config", "DELETE", "/config", None, ADMIN, "delete_config", "/config",
          "Only an admin"),
    Write("set-global-mode", "PUT", "/mode", {"mode": "READONLY"}, ADMIN, "set_mode", "/mode",
          "Only an admin"),
    Write("delete-global-mode", "DELETE", "/mode", None, ADMIN, "delete_mode", "/mode",
          "Only an admin"),
    Write("put-contract", "PUT", "/subjects/{topic}/consumers/marketing", {"schema": V2},
          CONSUMER, "put_contract", "/subjects/{topic}/consumers/marketing",
          "belongs to team 'marketing'"),
    Write("delete-contract", "DELETE", "/subjects/{topic}/consumers/marketing", None, CONSUMER,
          "delete_contract", "/subjects/{topic}/consumers/marketing",
          "belongs to team 'marketing'"),
    Write("assign-owner", "PUT", "/subjects/{topic}/owner", {"team": "finance"}, ADMIN,
          "assign_owner", "/subjects/{topic}/owner", "Only an admin"),
    Write("create-team", "POST", "/teams", {"name": "support"}, ADMIN, "create_team", "/teams",
          "Only an admin"),
    Write("create-token", "POST", "/teams/finance/tokens", None, ADMIN, "create_token",
          "/teams/finance/tokens", "Only an admin"),
    # A team may revoke its own tokens (a leak should not wait for an admin); the path names one
    # of marketing's spare tokens.
    Write("revoke-token", "DELETE", "/teams/marketing/tokens/{spare}", None, CONSUMER,
          "revoke_token", "/teams/marketing/tokens", "Only an admin"),
]  # fmt: skip


@pytest.fixture
def world(make_client) -> World:
    return build_world(make_client(admin_token=ADMIN_TOKEN))


def _probe(world: World, path: str) -> tuple[int, object]:
    response = world.call("admin", "GET", path)
    return response.status_code, response.json()


def _refusal(world: World, write: Write, role: str, path: str) -> str | None:
    """None when `role` was refused as it should be and nothing changed; else what went wrong."""
    before = (_probe(world, write.probe.format(topic=TOPICS[0])), world.audit())
    response = world.call(role, write.method, path, write.body)
    body = response.json()
    expected = (401, 40101) if role == "anonymous" else (403, 40301)
    if not isinstance(body, dict) or (response.status_code, body.get("error_code")) != expected:
        return f"answered {response.status_code}: {body}"
    if set(body) != {"error_code", "message"}:
        return f"not a Confluent error body: {body}"
    if role == "anonymous" and "Bearer" not in response.headers.get("www-authenticate", ""):
        return "401 without a WWW-Authenticate challenge"
    if role != "anonymous" and (
        write.refusal not in body["message"] or f"team '{role}'" not in body["message"]
    ):
        return f"403 does not say who owns what: {body['message']!r}"
    if (_probe(world, write.probe.format(topic=TOPICS[0])), world.audit()) != before:
        return "a refused write changed the registry or its audit log"
    return None


@pytest.mark.parametrize("write", WRITES, ids=[w.name for w in WRITES])
def test_write_is_allowed_only_to_whom_it_belongs(world: World, write: Write) -> None:
    """Refused roles try first (on slot 0), then each allowed role acts on a slot of its own
    (the second topic, the second spare token), so one world serves the whole row."""
    problems: dict[str, str] = {}
    refused = [r for r in ROLES if r not in write.allowed]
    allowed = [r for r in ROLES if r in write.allowed]
    for role in refused:
        path = write.path.format(topic=TOPICS[0], spare=world.spare_token_ids[0])
        problem = _refusal(world, write, role, path)
        if problem:
            problems[role] = problem
    for slot, role in enumerate(allowed):
        path = write.path.format(topic=TOPICS[slot], spare=world.spare_token_ids[slot])
        count = len(world.audit())
        response = world.call(role, write.method, path, write.body)
        if response.status_code != 200:
            problems[role] = f"refused with {response.status_code}: {response.text}"
            continue
        entries = world.audit()
        if len(entries) != count + 1 or (entries[0]["actor"], entries[0]["action"]) != (
            role,
            write.action,
        ):
            problems[role] = f"allowed, but the audit log says {entries[:1]}"
    assert problems == {}
