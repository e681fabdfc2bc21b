"""Authentication and ownership: auth off by default, on with an admin token; Bearer and basic
auth; tokens hashed, shown once, never leaked; revocation effective at once on every replica."""

from __future__ import annotations

import hmac
import logging

import pytest

from registry import Settings
from tests.registry.auth_world import ADMIN_TOKEN, TOPICS, World, basic, bearer, build_world
from tests.registry.registry_schemas import V1, V2


@pytest.fixture
def world(make_client) -> World:
    return build_world(make_client(admin_token=ADMIN_TOKEN))


def test_auth_is_off_by_default_and_writes_are_anonymous(client) -> None:
    assert client.post("/subjects/T/versions", json={"schema": V1}).status_code == 200
    assert client.get("/subjects/T/owner").json() == {"subject": "T", "team": None}
    entry = client.get("/audit").json()[0]
    assert (entry["actor"], entry["action"], entry["subject"]) == ("anonymous", "register", "T")


def test_the_admin_token_comes_from_the_environment_and_must_be_strong() -> None:
    settings = Settings.from_env({"ACCORD_ADMIN_TOKEN": ADMIN_TOKEN})
    assert settings.auth_enabled
    assert ADMIN_TOKEN not in repr(settings)
    with pytest.raises(ValueError, match="at least 16") as refused:
        Settings.from_env({"ACCORD_ADMIN_TOKEN": "weak-s3cret"})
    assert "weak-s3cret" not in str(refused.value)


def test_reads_need_credentials_but_health_does_not(world: World) -> None:
    client = world.client
    for path in ("/subjects", f"/subjects/{TOPICS[0]}/versions/latest", "/schemas/ids/1", "/audit"):
        refused = client.get(path)
        assert (refused.status_code, refused.json()["error_code"]) == (401, 40101), path
        assert refused.headers["www-authenticate"].startswith("Bearer")
        for team in ("crm", "marketing", "finance"):
            assert world.call(team, "GET", path).status_code == 200, (path, team)
    for path in ("/", "/healthz", "/readyz"):
        assert client.get(path).status_code == 200, path


def test_basic_auth_is_team_name_and_token(world: World) -> None:
    client, crm = world.client, world.tokens["crm"]
    body = {"schema": V2}
    path = f"/subjects/{TOPICS[0]}/versions"
    assert client.post(path, json=body, headers=basic("crm", crm)).status_code == 200
    # A valid token under another team's name, or an admin name, is not accepted.
    for user in ("marketing", "admin"):
        refused = client.post(path, json=body, headers=basic(user, crm))
        assert refused.status_code == 401, user
    assert client.get("/teams", headers=basic("admin", ADMIN_TOKEN)).status_code == 200
    assert client.get("/teams", headers=basic("crm", ADMIN_TOKEN)).status_code == 401
    for header in ("Basic !!!", "Basic " + "Y3Jt", "Digest abc", "Bearer"):
        refused = client.get("/subjects", headers={"Authorization": header})
        assert refused.status_code == 401, header


@pytest.mark.parametrize(
    "forged",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character of the secret off
        lambda t: "_".join(t.split("_", 2)[:2]) + "_" + "x" * 43,  # right id, wrong secret
        lambda t: "accord_0123456789abcdef_" + t.split("_", 2)[2],  # right secret, wrong id
        lambda t: "not-a-token",
    ],
)
def test_invalid_tokens_are_refused_without_echo(world: World, forged) -> None:
    token = forged(world.tokens["crm"])
    refused = world.client.get("/subjects", headers=bearer(token))
    assert (refused.status_code, refused.json()["error_code"]) == (401, 40101)
    assert token not in refused.text
    assert world.tokens["crm"] not in refused.text


def test_tokens_are_shown_once_stored_hashed_and_never_listed(world: World) -> None:
    issued = world.ok("admin", "POST", "/teams/finance/tokens")
    secret = issued["token"].split("_", 2)[2]
    assert issued["token"].startswith(f"accord_{issued['id']}_")
    listed = world.call("admin", "GET", "/teams/finance/tokens")
    assert issued["id"] in listed.text
    assert secret not in listed.text
    assert {"id", "team", "createdAt", "revoked"} <= set(listed.json()[0])
    assert "token" not in listed.json()[0]
    # The database holds a hash, and neither table nor audit log holds the secret.
    from sqlalchemy import create_engine, text

    engine = create_engine(str(world.client.app.state.registry.db.engine.url))
    with engine.connect() as connection:
        dump = repr(connection.execute(text("SELECT * FROM team_tokens")).all())
        dump += repr(connection.execute(text("SELECT * FROM audit_log")).all())
    engine.dispose()
    assert issued["id"] in dump
    for token in [issued["token"], *world.tokens.values()]:
        assert token.split("_", 2)[2] not in dump
    assert ADMIN_TOKEN not in dump


def test_a_team_lists_its_own_tokens_only(world: World) -> None:
    assert world.call("marketing", "GET", "/teams/marketing/tokens").status_code == 200
    refused = world.call("finance", "GET", "/teams/marketing/tokens")
    assert (refused.status_code, refused.json()["error_code"]) == (403, 40301)


def test_tokens_never_reach_the_logs(make_client, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    world = build_world(make_client(admin_token=ADMIN_TOKEN))
    crm = world.tokens["crm"]
    world.call("crm", "POST", f"/subjects/{TOPICS[0]}/versions", {"schema": V2})
    world.call("finance", "DELETE", f"/subjects/{TOPICS[0]}")  # refused: 403
    world.client.get("/subjects", headers=bearer(crm + "x"))  # refused: 401
    world.client.get("/subjects", headers=basic("crm", crm[:-2]))
    world.call("admin", "DELETE", f"/teams/crm/tokens/{crm.split('_')[1]}")
    world.client.get("/subjects", headers=bearer(crm))  # revoked: 401
    logged = caplog.text + "".join(repr(r.args) + repr(r.__dict__) for r in caplog.records)
    assert caplog.records  # the check below looked at something
    for secret in [ADMIN_TOKEN, *world.tokens.values()]:
        assert secret not in logged
        assert secret.split("_", 2)[-1] not in logged


def test_a_revoked_token_stops_working_at_once_on_every_replica(make_client) -> None:
    """Two app instances on one database, as two replicas: one revokes, the other refuses on the
    very next request (nothing caches a token's validity)."""
    world = build_world(make_client(admin_token=ADMIN_TOKEN))
    other = make_client(admin_token=ADMIN_TOKEN)
    token = world.tokens["marketing"]
    for _ in range(3):  # warm anything that might cache
        assert other.get("/subjects", headers=bearer(token)).status_code == 200
    token_id = token.split("_")[1]
    revoked = world.ok("marketing", "DELETE", f"/teams/marketing/tokens/{token_id}")
    assert revoked["revoked"] is True
    assert "token" not in revoked
    assert other.get("/subjects", headers=bearer(token)).status_code == 401
    assert world.client.get("/subjects", headers=bearer(token)).status_code == 401
    # Other tokens of the team still work.
    spare = world.ok("admin", "POST", "/teams/marketing/tokens")["token"]
    assert other.get("/subjects", headers=bearer(spare)).status_code == 200


def test_tokens_are_compared_in_constant_time(world: World, monkeypatch) -> None:
    calls: list[tuple[int, int]] = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    assert world.call("crm", "GET", "/subjects").status_code == 200
    assert world.call("admin", "GET", "/subjects").status_code == 200
    assert world.client.get("/subjects", headers=bearer("x" * 5)).status_code == 401
    # Every check compared two SHA-256 hex digests: fixed length, whatever was presented.
    assert len(calls) >= 3
    assert set(calls) == {(64, 64)}


def test_the_first_team_to_register_a_topic_owns_it(world: World) -> None:
    world.ok("finance", "POST", "/subjects/LEDGER/versions", {"schema": V1})
    assert world.ok("crm", "GET", "/subjects/LEDGER/owner") == {
        "subject": "LEDGER",
        "team": "finance",
    }
    refused = world.call("crm", "POST", "/subjects/LEDGER/versions", {"schema": V2})
    assert refused.status_code == 403
    assert refused.json()["message"] == (
        "Subject 'LEDGER' is owned by team 'finance'; team 'crm' may not register versions of "
        "it (only its owner or an admin may)."
    )


def test_an_unowned_topic_with_versions_is_the_admins_until_assigned(make_client) -> None:
    """Written while auth was off, then auth turned on over the same database: no team can take
    the topic by writing to it; the admin hands it over."""
    make_client().post("/subjects/LEGACY/versions", json={"schema": V1})
    world = build_world(make_client(admin_token=ADMIN_TOKEN))
    refused = world.call("crm", "POST", "/subjects/LEGACY/versions", {"schema": V2})
    assert refused.status_code == 403
    assert "has no owner team" in refused.json()["message"]
    world.ok("admin", "PUT", "/subjects/LEGACY/owner", {"team": "crm"})
    assert world.call("crm", "POST", "/subjects/LEGACY/versions", {"schema": V2}).status_code == 200
    missing = world.call("admin", "PUT", "/subjects/LEGACY/owner", {"team": "nobody"})
    assert (missing.status_code, missing.json()["error_code"]) == (404, 40470)


def test_team_names_are_checked(world: World) -> None:
    # Reserved (audit actors), a colon (basic auth), a slash (URLs), empty; then a duplicate.
    for name in ("admin", "anonymous", "a:b", "a/b", ""):
        answer = world.call("admin", "POST", "/teams", {"name": name})
        assert (answer.status_code, answer.json()["error_code"]) == (422, 42270), name
    duplicate = world.call("admin", "POST", "/teams", {"name": "crm"})
    assert (duplicate.status_code, duplicate.json()["error_code"]) == (409, 40970)
