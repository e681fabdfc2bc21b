"""RegistryClient's typed methods for Accord's own endpoints over httpx.MockTransport: the requests
they send, and every malformed answer turned into a RegistryError (never a KeyError)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from clients import IncompatibleSchema, RegistryClient, RegistryError
from contracts.report import CheckReport

SCHEMA = json.dumps({"type": "record", "name": "C", "fields": [{"name": "id", "type": "string"}]})
CONTRACT = {
    "subject": "a/b",
    "consumer": "m k",
    "version": 1,
    "schemaType": "AVRO",
    "schema": SCHEMA,
    "examples": [],
}
TEAM = {"name": "crm", "createdAt": "2026-01-01T00:00:00Z"}
TOKEN = {"id": "t1", "team": "crm", "createdAt": "2026-01-01T00:00:00Z", "revoked": False}
AUDIT = {"id": 1, "at": "2026-01-01T00:00:00Z", "actor": "crm", "action": "register"}
REPORT = {"topic": "a/b", "side": "producer", "ok": True, "summary": "", "consumers": []}

Call = Callable[[RegistryClient], object]

# (what the method sends: method, raw path, JSON body or None; a well-formed answer; the call)
CALLS: dict[str, tuple[str, str, Any, Any, Call]] = {
    "check_schema": (
        "POST", "/subjects/a%2Fb/check", {"schema": SCHEMA, "schemaType": "AVRO"}, REPORT,
        lambda c: c.check_schema("a/b", SCHEMA),
    ),
    "register_contract": (
        "PUT", "/subjects/a%2Fb/consumers/m%20k",
        {"schema": SCHEMA, "schemaType": "AVRO", "examples": [{"id": "1"}]}, CONTRACT,
        lambda c: c.register_contract("a/b", "m k", SCHEMA, examples=[{"id": "1"}]),
    ),
    "get_contract": (
        "GET", "/subjects/a%2Fb/consumers/m%20k", None, CONTRACT,
        lambda c: c.get_contract("a/b", "m k"),
    ),
    "list_contracts": (
        "GET", "/subjects/a%2Fb/consumers", None, [CONTRACT], lambda c: c.list_contracts("a/b"),
    ),
    "delete_contract": (
        "DELETE", "/subjects/a%2Fb/consumers/m%20k", None, [1, 2],
        lambda c: c.delete_contract("a/b", "m k"),
    ),
    "contracts_of_consumer": (
        "GET", "/consumers/m%20k", None, [CONTRACT], lambda c: c.contracts_of_consumer("m k"),
    ),
    "get_fields": (
        "GET", "/subjects/a%2Fb/fields", None,
        [{"path": "id", "type": "string", "required": True, "consumers": ["m k"]}],
        lambda c: c.get_fields("a/b"),
    ),
    "create_team": ("POST", "/teams", {"name": "crm"}, TEAM, lambda c: c.create_team("crm")),
    "list_teams": ("GET", "/teams", None, [TEAM], lambda c: c.list_teams()),
    "create_token": (
        "POST", "/teams/crm/tokens", None, {"id": "t1", "team": "crm", "token": "accord_t1_s"},
        lambda c: c.create_token("crm"),
    ),
    "list_tokens": ("GET", "/teams/crm/tokens", None, [TOKEN], lambda c: c.list_tokens("crm")),
    "revoke_token": (
        "DELETE", "/teams/crm/tokens/t%2F1", None,
        {**TOKEN, "revoked": True, "revokedAt": "2026-01-02T00:00:00Z"},
        lambda c: c.revoke_token("crm", "t/1"),
    ),
    "get_owner": (
        "GET", "/subjects/a%2Fb/owner", None, {"subject": "a/b", "team": None},
        lambda c: c.get_owner("a/b"),
    ),
    "set_owner": (
        "PUT", "/subjects/a%2Fb/owner", {"team": "crm"}, {"subject": "a/b", "team": "crm"},
        lambda c: c.set_owner("a/b", "crm"),
    ),
    "get_audit": (
        "GET", "/audit?limit=5&topic=a%2Fb", None, [AUDIT],
        lambda c: c.get_audit(topic="a/b", limit=5),
    ),
    "get_config": (
        "GET", "/config/a%2Fb", None, {"compatibilityLevel": "FULL"},
        lambda c: c.get_config("a/b"),
    ),
    "delete_config": (
        "DELETE", "/config", None, {"compatibilityLevel": "BACKWARD"},
        lambda c: c.delete_config(),
    ),
    "get_mode": ("GET", "/mode", None, {"mode": "READWRITE"}, lambda c: c.get_mode()),
    "set_mode": (
        "PUT", "/mode/a%2Fb", {"mode": "READONLY"}, {"mode": "READONLY"},
        lambda c: c.set_mode("READONLY", "a/b"),
    ),
    "delete_mode": ("DELETE", "/mode/a%2Fb", None, {"mode": "IMPORT"}, lambda c: c.delete_mode("a/b")),
}  # fmt: skip

# Answers no method accepts: each is a shape some registry (or proxy) could really send.
MALFORMED: dict[str, Any] = {
    "empty object": {},
    "null": None,
    "a string": "ok",
    "a number": 42,
    "list of junk": [1, "x", None],
    "wrong field types": {
        "subject": 1, "consumer": [], "version": "1", "schemaType": 3, "schema": {},
        "path": 1, "type": 2, "required": "yes", "consumers": "m", "name": 5, "createdAt": "soon",
        "id": None, "team": 7, "token": 8, "at": "x", "actor": 1, "action": 2, "topic": 3,
        "compatibilityLevel": 4, "mode": 5, "ok": "no", "level": "x",
    },
    # A check report claiming ok without verdicts, or contradicting its own verdicts: reading
    # either as "safe" would pass a breaking change through CI.
    "ok without verdicts": {"topic": "a/b", "ok": True},
    "ok contradicting a broken consumer": {
        "topic": "a/b", "side": "producer", "ok": True, "consumers": [
            {"consumer": "m", "findings": [{"kind": "REQUIRED_FIELD_NOT_SENT", "path": "/email", "message": "breaks"}]}
        ],
    },
}  # fmt: skip


def client_answering(answer: httpx.Response, seen: list[httpx.Request]) -> RegistryClient:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer

    http = httpx.Client(transport=httpx.MockTransport(handle))
    return RegistryClient("http://registry.test", http=http, max_retries=0)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_each_method_sends_its_request_and_reads_the_answer(name: str) -> None:
    method, path, body, answer, call = CALLS[name]
    seen: list[httpx.Request] = []
    result = call(client_answering(httpx.Response(200, json=answer), seen))
    [request] = seen
    assert request.method == method
    assert request.url.raw_path.decode() == path
    assert (json.loads(request.content) if request.content else None) == body
    to_json = getattr(result, "to_json", None)
    if callable(to_json):  # a typed answer writes back the wire shape it was read from
        for key, value in to_json().items():
            if key in answer and key not in ("createdAt", "at", "revokedAt"):
                assert answer[key] == value, key
    elif isinstance(result, list) and result and hasattr(result[0], "to_json"):
        assert len(result) == len(answer)
    elif isinstance(result, CheckReport):
        assert result.topic == "a/b"
        assert result.ok
    else:
        assert result == answer if isinstance(result, list) else result == answer["mode"]


@pytest.mark.parametrize("shape", sorted(MALFORMED))
@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_malformed_answer_is_a_registry_error(name: str, shape: str) -> None:
    call = CALLS[name][4]
    body = MALFORMED[shape]
    answer = httpx.Response(200, content=json.dumps(body).encode() if body is not None else b"")
    with pytest.raises(RegistryError) as raised:
        call(client_answering(answer, []))
    assert type(raised.value) is RegistryError
    assert raised.value.status == 200
    assert raised.value.error_code == -1


def test_a_refusal_keeps_its_report_and_other_details() -> None:
    report = {
        "topic": "T", "side": "producer", "ok": False, "summary": "breaks marketing",
        "consumers": [{
            "consumer": "marketing", "ok": False, "contractVersion": 1,
            "findings": [{"kind": "REQUIRED_FIELD_NOT_SENT", "path": "/fields/email", "message": "gone"}],
        }],
    }  # fmt: skip
    body = {"error_code": 409, "message": "breaks marketing", "report": report, "hint": "x"}
    with pytest.raises(IncompatibleSchema) as raised:
        client_answering(httpx.Response(409, json=body), []).register_schema("T", SCHEMA)
    assert raised.value.details == {"report": report, "hint": "x"}
    found = raised.value.report
    assert found is not None
    assert found.broken_consumers == ["marketing"]
    assert found.to_dict()["consumers"][0]["findings"][0]["path"] == "/fields/email"


@pytest.mark.parametrize(
    "report", [None, "garbage", [], {"side": "producer"}, {"topic": "T", "level": "FULL"}]
)
def test_a_refusal_with_an_unusable_report_has_none(report: object) -> None:
    body = {"error_code": 409, "message": "no", **({} if report is None else {"report": report})}
    with pytest.raises(IncompatibleSchema) as raised:
        client_answering(httpx.Response(409, json=body), []).register_schema("T", SCHEMA)
    assert raised.value.report is None
    assert raised.value.message == "no"
