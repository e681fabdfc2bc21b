"""Catastrophic regular expressions through every path that matches a pattern: none can stall Accord.

Bounds are proven by construction, never by the clock: a pattern catastrophic for a backtracking
engine either runs on RE2 (linear in the string, asserted through the engine chosen) with its exact
verdict, or needs backtracking (backreference, lookaround) and then its budget is hit and reported
as a finding that refuses the value. Were any path still on Python's `re`, these strings of 64
characters would hang it for longer than the age of the universe.
"""

from __future__ import annotations

import io
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import uvicorn

from clients import (
    ContractViolation,
    InvalidMessage,
    MessageDecoder,
    RegistryClient,
    ValidatingPublisher,
)
from clients.cli import run
from contracts import FindingKind, InvalidSchema, patterns
from contracts.counterexamples import find_counterexample
from contracts.json_schema import JSON_SCHEMA, SAFE_DRAFTS, JsonSchema
from registry import Settings, create_app
from tests.support.publisher import SpyPublisher

# 64 characters the counterexample search itself generates for a string of minLength 64.
HOSTILE_TEXT = "example" + "x" * 57
MATCHING_TEXT = "aa1"  # matched by every pattern below
DRAFT_2020 = "https://json-schema.org/draft/2020-12/schema"
DRAFT_2019 = "https://json-schema.org/draft/2019-09/schema"

# Catastrophic for a backtracking engine, expressible in RE2: (pattern, family).
LINEAR = [
    ("^([a-z]+)+\\d$", "nested quantifiers"),
    ("^([a-z]|[a-z])*\\d$", "alternation overlap (a|a)*"),
    ("^([a-z]|[a-z]{2})+\\d$", "alternation overlap (a|aa)+"),
]
# Catastrophic and beyond RE2: the budget decides. (pattern, family)
BUDGETED = [
    ("^([a-z]|[a-z])*\\1\\d$", "backreference"),
    ("^(?:[a-z]|(?=[a-z])[a-z])+\\d$", "lookahead"),
    ("^((?!\\d)[a-z]|[a-z])+\\d$", "negative lookahead"),
]
ALL = LINEAR + BUDGETED


def _ids(cases: list[tuple[str, str]]) -> list[str]:
    return [family for _, family in cases]


def parse(schema: Any) -> JsonSchema:
    parsed = JSON_SCHEMA.parse(json.dumps(schema))
    assert isinstance(parsed, JsonSchema)
    return parsed


def string_object(pattern: str, **name: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"name": {"type": "string", "pattern": pattern, **name}},
        "required": ["name"],
    }


def producer_object(**name: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"name": {"type": "string", "minLength": 64, **name}},
        "required": ["name"],
    }


# --- contracts: the engine chosen, the verdict, the budget ---------------------------------------


@pytest.mark.parametrize(("pattern", "family"), LINEAR, ids=_ids(LINEAR))
def test_linear_families_run_on_re2_with_their_exact_verdict(pattern: str, family: str) -> None:
    assert patterns.compile_pattern(pattern).engine == "re2"
    schema = parse(string_object(pattern))
    assert schema.has_fast_path
    (finding,) = schema.validate({"name": HOSTILE_TEXT})
    assert (finding.kind, finding.path) == (FindingKind.PATTERN_MISMATCH, ("name",))
    assert schema.validate({"name": MATCHING_TEXT}) == []


@pytest.mark.parametrize(("pattern", "family"), BUDGETED, ids=_ids(BUDGETED))
def test_budgeted_families_are_refused_when_the_budget_is_hit(pattern: str, family: str) -> None:
    assert patterns.compile_pattern(pattern).engine == "backtracking"
    schema = parse(string_object(pattern))
    (finding,) = schema.validate({"name": HOSTILE_TEXT})
    assert (finding.kind, finding.path) == (FindingKind.PATTERN_NOT_EVALUATED, ("name",))
    assert "within its budget" in finding.message
    assert schema.validate({"name": MATCHING_TEXT}) == []  # decided when it fits the budget


def _keyword_sites(pattern: str) -> list[tuple[str, Any, Any, tuple[str | int, ...]]]:
    """Every keyword that matches a pattern: (why, schema, hostile message, located at)."""
    keyed = {HOSTILE_TEXT: 1}
    at_key = (HOSTILE_TEXT,)
    return [
        ("pattern", {"pattern": pattern}, HOSTILE_TEXT, ()),
        ("pattern in items", {"items": {"pattern": pattern}}, ["ok", HOSTILE_TEXT], (1,)),
        ("propertyNames", {"propertyNames": {"pattern": pattern}}, keyed, at_key),
        ("patternProperties", {"patternProperties": {pattern: {"type": "string"}}}, keyed, at_key),
        (
            "additionalProperties beside patternProperties",
            {"additionalProperties": False, "patternProperties": {pattern: {}}},
            keyed,
            at_key,
        ),
        (
            "unevaluatedProperties (2020-12)",
            {
                "$schema": DRAFT_2020,
                "unevaluatedProperties": False,
                "patternProperties": {pattern: {}},
            },
            keyed,
            at_key,
        ),
        (
            "unevaluatedProperties (2019-09)",
            {
                "$schema": DRAFT_2019,
                "unevaluatedProperties": False,
                "patternProperties": {pattern: {}},
            },
            keyed,
            at_key,
        ),
        (
            "not: refusal never turns into acceptance",
            {"not": {"pattern": pattern}},
            HOSTILE_TEXT,
            (),
        ),
        (
            "anyOf",
            {"anyOf": [{"pattern": pattern}, {"minLength": 1000}]},
            HOSTILE_TEXT,
            (),
        ),
        (
            "a $ref to it",
            {"$defs": {"p": {"pattern": pattern}}, "$ref": "#/$defs/p"},
            HOSTILE_TEXT,
            (),
        ),
    ]


@pytest.mark.parametrize(("pattern", "family"), BUDGETED, ids=_ids(BUDGETED))
def test_every_keyword_that_matches_refuses_out_of_budget(pattern: str, family: str) -> None:
    for why, schema, message, where in _keyword_sites(pattern):
        findings = parse(schema).validate(message)
        assert findings, why
        assert findings[-1].kind is FindingKind.PATTERN_NOT_EVALUATED, why
        assert findings[-1].path == where, why


def test_python_jsonschema_never_reaches_re_with_a_user_pattern() -> None:
    """Every keyword function (and the helpers they call) of the validators Accord builds sees
    contracts.patterns where python-jsonschema's module says `re`."""
    for draft in SAFE_DRAFTS.values():
        for keyword, function in draft.VALIDATORS.items():
            scope = function.__globals__
            assert scope.get("re") is not __import__("re"), (draft, keyword)
            helper = scope.get("find_evaluated_property_keys_by_schema")
            if helper is not None:
                assert helper.__globals__["re"] is not __import__("re"), (draft, keyword)


@pytest.mark.parametrize(("pattern", "family"), ALL, ids=_ids(ALL))
def test_compatibility_never_hangs_and_never_raises(pattern: str, family: str) -> None:
    """json_compatibility matches the reader's property-name patterns against the writer's names."""
    names = {HOSTILE_TEXT: {"type": "string"}, MATCHING_TEXT: {"type": "string"}}
    writer = parse({"type": "object", "properties": names, "additionalProperties": False})
    reader = parse({"type": "object", "patternProperties": {pattern: {"type": "integer"}}})
    findings = JSON_SCHEMA.check(reader, writer)
    if (pattern, family) in BUDGETED:
        assert [f.kind for f in findings] == [FindingKind.UNPROVEN]
        assert "within its budget" in findings[0].message
    else:  # RE2 decides: only the matching name meets the reader's integer
        assert [(f.kind, f.writer_path) for f in findings] == [
            (FindingKind.TYPE_CHANGED, ("properties", MATCHING_TEXT, "type"))
        ]


@pytest.mark.parametrize(("pattern", "family"), ALL, ids=_ids(ALL))
def test_the_counterexample_search_is_bounded(pattern: str, family: str) -> None:
    producer = parse(producer_object())
    contract = parse(string_object(pattern))
    found = find_counterexample(producer, contract)
    assert found is not None
    assert found.message == {"name": HOSTILE_TEXT}
    expected = "within its budget" if (pattern, family) in BUDGETED else "does not match"
    assert expected in found.reason


def test_unusable_patterns_and_remote_dynamic_refs_are_invalid_at_parse() -> None:
    cases = [
        ({"properties": {"a": {"pattern": "(?i)abc"}}}, "/properties/a/pattern"),
        ({"patternProperties": {"[a-": {}}}, "/patternProperties/[a-"),
        (
            {"$schema": DRAFT_2020, "items": {"$dynamicRef": "https://example.com/s#meta"}},
            "/items/$dynamicRef",
        ),
        (
            {"$schema": DRAFT_2019, "items": {"$recursiveRef": "https://example.com/s"}},
            "/items/$recursiveRef",
        ),
    ]
    for schema, where in cases:
        with pytest.raises(InvalidSchema) as raised:
            parse(schema)
        assert raised.value.path == where


# --- over HTTP: a live registry in this process (so a GIL held by a match would stall it) --------


@contextmanager
def live_registry(database_url: str) -> Iterator[str]:
    """uvicorn serving create_app on a free loopback port, in a thread of this process."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(Settings(database_url=database_url)), log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(600):  # bounded: at most 60 s for start-up on a busy CI machine
            if server.started:
                break
            thread.join(0.1)
        assert server.started, "the registry did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


@pytest.fixture
def registry_url(database_url: str) -> Iterator[str]:
    with live_registry(database_url) as url:
        yield url


@pytest.fixture
def http(registry_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=registry_url, timeout=120) as client:
        yield client


def json_body(schema: Any, **extra: Any) -> dict[str, Any]:
    return {"schemaType": "JSON", "schema": json.dumps(schema), **extra}


def test_contract_examples_are_refused_with_a_finding(http: httpx.Client) -> None:
    for pattern, family in ALL:
        response = http.put(
            "/subjects/T/consumers/reader",
            json=json_body(string_object(pattern), examples=[{"name": HOSTILE_TEXT}]),
        )
        assert response.status_code == 422, family
        expected = "within its budget" if (pattern, family) in BUDGETED else "does not match"
        assert expected in response.json()["message"], family


def test_check_answers_a_report_with_a_counterexample(http: httpx.Client) -> None:
    for index, (pattern, family) in enumerate(ALL):
        topic = f"T{index}"
        # A first producer version the contract reads (a check needs a topic with a live version).
        first = http.post(f"/subjects/{topic}/versions", json=json_body(string_object(pattern)))
        assert first.status_code == 200, (family, first.text)
        contract = http.put(
            f"/subjects/{topic}/consumers/reader", json=json_body(string_object(pattern))
        )
        assert contract.status_code == 200, (family, contract.text)
        report = http.post(f"/subjects/{topic}/check", json=json_body(producer_object()))
        assert report.status_code == 200, (family, report.text)
        (consumer,) = report.json()["consumers"]
        assert report.json()["ok"] is False
        assert consumer["counterexample"]["message"] == {"name": HOSTILE_TEXT}, family


def test_registration_refuses_unusable_schemas_with_a_4xx_never_a_500(http: httpx.Client) -> None:
    invalid = [
        {"properties": {"a": {"pattern": "(?i)abc"}}},
        {"$schema": DRAFT_2020, "items": {"$dynamicRef": "https://example.com/s#meta"}},
        {"$schema": DRAFT_2019, "items": {"$recursiveRef": "https://example.com/s"}},
    ]
    for schema in invalid:
        for path in ("/subjects/T/versions", "/subjects/T/consumers/reader"):
            send = http.post if path.endswith("versions") else http.put
            response = send(path, json=json_body(schema))
            assert response.status_code == 422, (path, schema, response.text)
            assert response.json()["error_code"] == 42201


def test_registration_checks_compatibility_through_hostile_patterns(http: httpx.Client) -> None:
    for index, (pattern, family) in enumerate(ALL):
        topic = f"C{index}"
        names = {HOSTILE_TEXT: {"type": "string"}, MATCHING_TEXT: {"type": "integer"}}
        writer = {"type": "object", "properties": names, "additionalProperties": False}
        assert http.post(f"/subjects/{topic}/versions", json=json_body(writer)).status_code == 200
        reader = {"type": "object", "patternProperties": {pattern: {"type": "integer"}}}
        response = http.post(f"/subjects/{topic}/versions", json=json_body(reader))
        if (pattern, family) in BUDGETED:
            assert response.status_code == 409, (family, response.text)
            assert "within its budget" in response.json()["message"], family
        else:  # RE2 decides: only the matching name meets the reader, and it is an integer
            assert response.status_code == 200, (family, response.text)


def test_healthz_answers_while_a_hostile_check_runs(http: httpx.Client, registry_url: str) -> None:
    """Liveness, not timing: a hostile check in flight on another thread, /healthz answers."""
    pattern = BUDGETED[0][0]
    first = http.post("/subjects/T/versions", json=json_body(string_object(pattern)))
    assert first.status_code == 200, first.text
    assert (
        http.put("/subjects/T/consumers/r", json=json_body(string_object(pattern))).status_code
        == 200
    )
    answers: list[httpx.Response] = []

    def hostile_check() -> None:
        with httpx.Client(base_url=registry_url, timeout=120) as other:
            answers.append(other.post("/subjects/T/check", json=json_body(producer_object())))

    checker = threading.Thread(target=hostile_check)
    checker.start()
    assert http.get("/healthz").status_code == 200
    checker.join(120)
    assert not checker.is_alive()
    (answer,) = answers
    assert answer.status_code == 200
    assert answer.json()["ok"] is False


# --- the client: publisher, decoder, `accord validate` -------------------------------------------


def test_the_publisher_refuses_and_the_decoder_rejects(
    http: httpx.Client, registry_url: str
) -> None:
    with RegistryClient(registry_url) as client:
        for index, (pattern, family) in enumerate(ALL):
            kind = (
                FindingKind.PATTERN_NOT_EVALUATED
                if (pattern, family) in BUDGETED
                else FindingKind.PATTERN_MISMATCH
            )
            topic = f"P{index}"
            created = http.post(
                f"/subjects/{topic}/versions", json=json_body(string_object(pattern))
            )
            assert created.status_code == 200
            spy = SpyPublisher()
            publisher = ValidatingPublisher(client, spy, project_id="p")
            with pytest.raises(InvalidMessage) as raised:
                publisher.publish(topic, {"name": HOSTILE_TEXT})
            assert [(f.kind, f.path) for f in raised.value.findings] == [(kind, ("name",))], family
            assert spy.calls == []

            # A producer that allows the string; the consumer's hostile contract rejects it.
            open_topic = f"D{index}"
            created = http.post(
                f"/subjects/{open_topic}/versions", json=json_body(producer_object())
            )
            assert created.status_code == 200
            publisher.publish(open_topic, {"name": HOSTILE_TEXT})
            (_, data, attributes) = spy.calls[-1]
            decoder = MessageDecoder(client, contracts={open_topic: string_object(pattern)})
            with pytest.raises(ContractViolation) as violated:
                decoder.decode(SimpleNamespace(data=data, attributes=attributes))
            found = [(f.kind, f.path) for f in violated.value.findings]
            assert found == [(kind, ("name",))], family


def test_accord_validate_exits_1_with_the_finding(
    http: httpx.Client, registry_url: str, tmp_path: Path
) -> None:
    message = tmp_path / "message.json"
    message.write_text(json.dumps({"name": HOSTILE_TEXT}))
    for index, (pattern, family) in enumerate(ALL):
        topic = f"V{index}"
        assert (
            http.post(
                f"/subjects/{topic}/versions", json=json_body(string_object(pattern))
            ).status_code
            == 200
        )
        out, err = io.StringIO(), io.StringIO()
        code = run(
            ["validate", topic, str(message), "--registry", registry_url, "--format", "json"],
            out,
            err,
        )
        assert code == 1, (family, err.getvalue())
        (finding,) = json.loads(out.getvalue())["findings"]
        budgeted = (pattern, family) in BUDGETED
        assert finding["kind"] == ("PATTERN_NOT_EVALUATED" if budgeted else "PATTERN_MISMATCH"), (
            family
        )
        assert finding["path"] == "/name"
