"""Hostile names and parameters: confusable subjects, NUL in every name, case-folded team names,
non-ASCII digits, trailing slashes, out-of-range timestamps — refused with a clear 4xx, never a 500
and never a second spelling of one resource. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry import names
from registry.db import MIGRATIONS, create_db_engine, migrate
from registry.errors import InvalidSubject
from registry.settings import normalise_database_url
from tests.registry.auth_world import World
from tests.registry.registry_schemas import V1


def segment(name: str) -> str:
    """A name as one URL path segment, as every Confluent client sends it."""
    return quote(name, safe="")


def error(response: Any) -> tuple[int, int]:
    return response.status_code, response.json()["error_code"]


# (name, the code point the message must name, its position counted from 1, why it is refused)
CONFUSABLE_SUBJECTS = [
    ("CT1\u200b", "U+200B", 4, "zero-width space: looks exactly like CT1"),
    ("\u202eCT1", "U+202E", 1, "right-to-left override: reorders what a reader sees"),
    ("CT\u2066" + "1", "U+2066", 3, "left-to-right isolate, another bidi control"),
    ("\ufeffCT1", "U+FEFF", 1, "byte-order mark, invisible"),
    ("CT1\u2028", "U+2028", 4, "line separator"),
    ("CT1\u2029x", "U+2029", 4, "paragraph separator"),
    ("CT\u00a01", "U+00A0", 3, "no-break space: looks like a space"),
    ("CT1\u3000", "U+3000", 4, "ideographic space"),
    ("CT\x7f1", "U+007F", 3, "DEL, a control character"),
    ("CT\x1b[31m1", "U+001B", 3, "an ANSI escape that recolours a terminal"),
    ("CT1\ue000", "U+E000", 4, "private use"),
    ("CT1\ufdd0", "U+FDD0", 4, "a non-character"),
    ("CT1\U0010ffff", "U+10FFFF", 4, "the last non-character"),
    ("CT1\u0378", "U+0378", 4, "unassigned: its meaning (and NFC) may change"),
    ("CT\ufffd1", "U+FFFD", 3, "the replacement character, what invalid UTF-8 becomes"),
]


@pytest.mark.parametrize(
    ("name", "code_point", "position"),
    [case[:3] for case in CONFUSABLE_SUBJECTS],
    ids=[case[3] for case in CONFUSABLE_SUBJECTS],
)
def test_invisible_and_confusable_subjects_are_refused(
    api: Any, name: str, code_point: str, position: int
) -> None:
    path = segment(name)
    for response in (
        api.call("POST", f"/subjects/{path}/versions", {"schema": V1}),
        api.call("GET", f"/subjects/{path}/versions"),
        api.call("PUT", f"/config/{path}", {"compatibility": "NONE"}),
        api.call("GET", f"/schemas?subjectPrefix={path}"),
        api.call("GET", f"/audit?topic={path}"),
    ):
        assert error(response) == (422, 42208), response.text
        message = response.json()["message"]
        assert code_point in message, message
        assert f"position {position}" in message, message
    assert api.call("GET", "/subjects").json() == []


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("CT1 ", "ends with"),
        (" CT1", "starts with"),
        ("   ", "blank"),
        (".", "dot segment"),
        ("..", "dot segment"),
    ],
)
def test_edge_whitespace_and_dot_segments_are_refused(api: Any, name: str, why: str) -> None:
    # `.` and `..` are sent encoded (%2E): sent bare, clients and proxies collapse them.
    path = "".join(f"%{byte:02X}" for byte in name.encode())
    response = api.call("POST", f"/subjects/{path}/versions", {"schema": V1})
    assert error(response) == (422, 42208)
    assert why in response.json()["message"]
    assert api.call("GET", "/subjects").json() == []


def test_dot_subjects_are_refused_on_every_route(api: Any) -> None:
    for path in ("/subjects/%2E/versions/1", "/config/%2E%2E", "/mode/%2e", "/subjects/%2E/owner"):
        assert error(api.call("GET", path)) == (422, 42208), path
    lookup = api.call("POST", "/subjects/%2E%2E", {"schema": V1})
    assert error(lookup) == (422, 42208)


@pytest.mark.parametrize(
    ("composed", "decomposed"),
    [
        ("Caf\u00e9", "Cafe\u0301"),
        ("\u00c5ngstr\u00f6m", "A\u030angstro\u0308m"),
        ("\uac00", "\u1100\u1161"),  # a Hangul syllable and its two jamo
    ],
)
def test_nfc_and_nfd_spellings_address_one_subject(
    api: Any, composed: str, decomposed: str
) -> None:
    first = api.call("POST", f"/subjects/{segment(decomposed)}/versions", {"schema": V1})
    assert first.status_code == 200, first.text
    # Stored under its NFC form; read back under either spelling.
    assert api.call("GET", "/subjects").json() == [composed]
    for spelling in (composed, decomposed):
        found = api.call("GET", f"/subjects/{segment(spelling)}/versions/1")
        assert found.json()["subject"] == composed
    again = api.call("POST", f"/subjects/{segment(composed)}/versions", {"schema": V1})
    assert again.json()["id"] == first.json()["id"]
    assert api.call("GET", f"/subjects/{segment(composed)}/versions").json() == [1]


@pytest.mark.parametrize("escape", ["%FF", "%FE", "%C3", "%C3%28", "%ED%A0%80", "%80"])
def test_invalid_utf8_in_the_path_is_refused(api: Any, escape: str) -> None:
    for method, path in (
        ("POST", f"/subjects/CT{escape}1/versions"),
        ("GET", f"/subjects/CT{escape}1/versions/latest"),
        ("PUT", f"/subjects/T/consumers/c{escape}"),
    ):
        response = api.call(method, path, {"schema": V1} if method != "GET" else None)
        assert error(response) == (400, 400), (path, response.text)
        message = response.json()["message"]
        assert "UTF-8" in message, message
        assert f"0x{escape[1:3]}" in message, message
    assert api.call("GET", "/subjects").json() == []


def test_two_invalid_escapes_never_reach_one_subject(api: Any) -> None:
    # Decoded with replacement, both would be `CT\ufffd1`: one subject, two spellings.
    for escape in ("%FF", "%FE"):
        api.call("POST", f"/subjects/CT{escape}1/versions", {"schema": V1})
    assert api.call("GET", "/subjects").json() == []


# --- NUL and control characters in every other kind of name --------------------------------


@pytest.mark.parametrize("bad", ["a\x00b", "a\nb", "\x00", "a\u200bb"])
def test_bad_consumer_names_are_42250(world: World, bad: str) -> None:
    topic, path = "CUSTOMER_CREATED", segment(bad)
    for role, method, route, body in (
        ("admin", "PUT", f"/subjects/{topic}/consumers/{path}", {"schema": V1}),
        ("admin", "GET", f"/subjects/{topic}/consumers/{path}", None),
        ("admin", "DELETE", f"/subjects/{topic}/consumers/{path}", None),
        ("marketing", "GET", f"/consumers/{path}", None),
    ):
        response = world.call(role, method, route, body)
        assert error(response) == (422, 42250), (route, response.text)
        assert "U+" in response.json()["message"]


@pytest.mark.parametrize("bad", ["a\x00b", "cr\nm", "crm\u200b", "cr m", "crm/x", "é"])
def test_bad_team_names_are_42270_in_paths_bodies_and_filters(world: World, bad: str) -> None:
    path = segment(bad)
    for method, route, body in (
        ("POST", "/teams", {"name": bad}),
        ("POST", f"/teams/{path}/tokens", None),
        ("GET", f"/teams/{path}/tokens", None),
        ("PUT", "/subjects/CUSTOMER_CREATED/owner", {"team": bad}),
        ("GET", f"/audit?team={path}", None),
    ):
        response = world.call("admin", method, route, body)
        assert error(response) == (422, 42270), (route, response.text)
    # Nothing changed hands, and no team was made.
    owner = world.ok("admin", "GET", "/subjects/CUSTOMER_CREATED/owner")
    assert owner["team"] == "crm"
    assert [t["name"] for t in world.ok("admin", "GET", "/teams")] == [
        "crm",
        "finance",
        "marketing",
    ]


@pytest.mark.parametrize("bad", ["a\x00b", "ABCDEF0123456789", "0123", "%2E%2E", "g" * 16])
def test_bad_token_ids_are_42271(world: World, bad: str) -> None:
    route = f"/teams/marketing/tokens/{bad if bad.startswith('%') else segment(bad)}"
    response = world.call("marketing", "DELETE", route)
    assert error(response) == (422, 42271), response.text
    # The well-formed ids still work, and none was revoked by the attempts.
    listed = world.ok("marketing", "GET", "/teams/marketing/tokens")
    assert not any(t["revoked"] for t in listed)


# --- team names without regard to case --------------------------------------------------------


@pytest.mark.parametrize("reserved", ["admin", "Admin", "ADMIN", "aDmIn", "anonymous", "Anonymous"])
def test_reserved_team_names_in_any_case(world: World, reserved: str) -> None:
    response = world.call("admin", "POST", "/teams", {"name": reserved})
    assert error(response) == (422, 42270)
    assert "reserved" in response.json()["message"]


@pytest.mark.parametrize("twin", ["CRM", "Crm", "cRM"])
def test_team_names_are_unique_without_regard_to_case(world: World, twin: str) -> None:
    response = world.call("admin", "POST", "/teams", {"name": twin})
    assert error(response) == (409, 40970)
    assert "'crm'" in response.json()["message"]
    assert [t["name"] for t in world.ok("admin", "GET", "/teams")] == [
        "crm",
        "finance",
        "marketing",
    ]


def test_the_database_itself_refuses_a_case_twin(world: World, database_url: str) -> None:
    """Migration 0004's index holds even for a writer that skips the use case."""
    engine = create_db_engine(database_url)
    try:
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO teams (name, created_at) VALUES ('Finance', :at)"),
                {"at": "2026-01-01T00:00:00+00:00"},
            )
    finally:
        engine.dispose()


# --- numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "version", ["+1", "\u0661", "1_0", "\uff11", "1\u00a0", "0x1", "1e0", "\u00b9"]
)
def test_versions_are_ascii_digits(api: Any, version: str) -> None:
    api.call("POST", "/subjects/T/versions", {"schema": V1})
    path = segment(version)
    for method, route in (
        ("GET", f"/subjects/T/versions/{path}"),
        ("DELETE", f"/subjects/T/versions/{path}"),
        ("POST", f"/compatibility/subjects/T/versions/{path}"),
    ):
        response = api.call(method, route, {"schema": V1} if method == "POST" else None)
        assert error(response) == (422, 42202), (route, response.text)
    assert api.call("GET", "/subjects/T/versions").json() == [1]


@pytest.mark.parametrize("schema_id", ["+1", "\u0661", "1_0", "\uff11", "01x", " 1"])
def test_schema_ids_are_ascii_digits(api: Any, schema_id: str) -> None:
    assert api.call("POST", "/subjects/T/versions", {"schema": V1}).json()["id"] == 1
    for route in ("/schemas/ids/{}", "/schemas/ids/{}/schema", "/schemas/ids/{}/versions"):
        response = api.call("GET", route.format(segment(schema_id)))
        assert error(response) == (404, 40403), response.text


@pytest.mark.parametrize("number", ["+2", "\u0662", "2_0"])
def test_body_numbers_are_ascii_digits(api: Any, number: str) -> None:
    for field in ("version", "id"):
        response = api.call("POST", "/subjects/T/versions", {"schema": V1, field: number})
        assert error(response) == (422, 42201), response.text
        assert "ASCII digits" in response.json()["message"]
    assert api.call("GET", "/subjects").json() == []


@pytest.mark.parametrize("flag", [True, False])
def test_body_numbers_are_not_booleans(api: Any, flag: bool) -> None:
    """pydantic's lax mode would read `true` as 1: an import could then name id 1 by accident."""
    for field in ("version", "id"):
        response = api.call("POST", "/subjects/T/versions", {"schema": V1, field: flag})
        assert error(response) == (422, 42201), response.text
        assert "not an integer" in response.json()["message"]
    assert api.call("GET", "/subjects").json() == []


# --- redirects and timestamps ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/subjects/", "/schemas/ids/1/", "/config/", "/teams/"])
def test_trailing_slashes_are_not_redirected(api: Any, path: str) -> None:
    for headers in ({}, {"Host": "evil.example"}, {**api.headers, "Host": "evil.example"}):
        response = api.client.get(path, headers=headers, follow_redirects=False)
        assert error(response) == (404, 404), response.text
        assert "location" not in response.headers
        assert "trailing slash" in response.json()["message"]


@pytest.mark.parametrize(
    "since", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "0001-01-01T00:30:00+01:00"]
)
def test_out_of_range_audit_timestamps_are_42272(world: World, since: str) -> None:
    response = world.call("admin", "GET", f"/audit?since={quote(since)}")
    assert error(response) == (422, 42272), response.text
    assert "since" in response.json()["message"]


def test_extreme_but_valid_audit_timestamps_answer(world: World) -> None:
    for since in ("0001-01-01T00:00:00+00:00", "0001-01-01T10:00:00+09:00"):
        assert len(world.audit(since=since)) > 0
    assert world.audit(since="9999-12-31T23:59:59+00:00") == []


# --- properties -------------------------------------------------------------------------------

# Mostly letters, digits, punctuation and combining marks (so that NFC has work to do), plus
# anything else below U+30000; the validator decides what is a subject.
_NAME_CHARS = st.one_of(
    st.sampled_from("aA0._-/ %:é\u0301\u00e9e\u030a\u00c5\u1100\u1161\uac00"),
    st.characters(max_codepoint=0x2FFFF),
)


def _accepted(text: str) -> bool:
    try:
        names.subject(text, max_length=255)
    except InvalidSubject:
        return False
    return True


accepted_subjects = st.text(_NAME_CHARS, min_size=1, max_size=20).filter(_accepted)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=accepted_subjects)
def test_every_accepted_subject_round_trips_through_every_route(
    plain_client: Any, name: str
) -> None:
    client, path = plain_client, segment(name)
    stored = unicodedata.normalize("NFC", name)
    registered = client.post(f"/subjects/{path}/versions", json={"schema": V1})
    assert registered.status_code == 200, registered.text
    assert client.get(f"/subjects/{path}/versions/1").json()["subject"] == stored
    assert client.get(f"/subjects/{path}/versions").json() == [1]
    assert stored in client.get("/subjects").json()
    assert client.delete(f"/subjects/{path}").json() == [1]
    assert client.delete(f"/subjects/{path}?permanent=true").json() == [1]
    assert client.get("/subjects?deleted=true").json() == []


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pair=st.one_of(
        st.tuples(accepted_subjects, accepted_subjects),
        accepted_subjects.map(lambda s: (s, unicodedata.normalize("NFD", s))).filter(
            lambda p: _accepted(p[1])
        ),
    )
)
def test_accepted_subjects_are_one_subject_exactly_when_their_nfc_forms_are(
    plain_client: Any, pair: tuple[str, str]
) -> None:
    client, (first, second) = plain_client, pair
    assert client.post(f"/subjects/{segment(first)}/versions", json={"schema": V1}).is_success
    other = client.get(f"/subjects/{segment(second)}/versions")
    same = unicodedata.normalize("NFC", first) == unicodedata.normalize("NFC", second)
    if same:
        assert other.json() == [1]
    else:
        assert error(other) == (404, 40401)
    client.delete(f"/subjects/{segment(first)}")
    client.delete(f"/subjects/{segment(first)}?permanent=true")
    assert client.get("/subjects?deleted=true").json() == []


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def unmigrated_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'old.db'}"
    url: str = request.getfixturevalue("empty_postgres_database")
    return normalise_database_url(url)


def test_the_migration_names_case_twins_instead_of_guessing(unmigrated_url: str) -> None:
    """A store from before the rule may hold `crm` and `CRM`: which keeps its tokens and topics
    is a person's call, so the upgrade stops and names them; once one is renamed, it proceeds."""
    engine = create_db_engine(unmigrated_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0003")
            for name in ("crm", "CRM", "finance"):
                connection.execute(
                    sa.text("INSERT INTO teams (name, created_at) VALUES (:name, :at)"),
                    {"name": name, "at": "2026-01-01T00:00:00+00:00"},
                )
        with pytest.raises(RuntimeError, match=r"differ only in case: crm\. Rename"):
            migrate(engine)
        with engine.begin() as connection:
            connection.execute(sa.text("UPDATE teams SET name = 'crm-old' WHERE name = 'CRM'"))
        migrate(engine)
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(
                sa.text("INSERT INTO teams (name, created_at) VALUES ('Finance', :at)"),
                {"at": "2026-01-01T00:00:00+00:00"},
            )
    finally:
        engine.dispose()
