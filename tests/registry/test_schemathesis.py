"""schemathesis against the registry's own OpenAPI: every operation, no 5xx, answers as documented."""

from __future__ import annotations

import json
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from starlette.exceptions import StarletteDeprecationWarning

from registry import Settings, create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)  # see tests/registry/conftest.py
    from fastapi.testclient import TestClient

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Examples per operation: enough to reach the documented answers of the small Confluent bodies,
# few enough that the whole run stays within a couple of minutes on CI's two cores.
EXAMPLES_PER_OPERATION = 15


def _avro(name: str, *fields: tuple[str, object]) -> str:
    """A record; union-typed fields are optional (default null)."""
    return json.dumps(
        {
            "type": "record",
            "name": name,
            "fields": [
                {"name": n, "type": t, **({"default": None} if isinstance(t, list) else {})}
                for n, t in fields
            ],
        }
    )


# What the database holds before the first request: random subjects and ids only ever reach the
# 404s, so the generated requests are steered (below) towards these to reach the 200s and 409s too.
SEEDED = {
    "orders-value": [
        _avro("Order", ("id", "long")),
        _avro("Order", ("id", "long"), ("note", ["null", "string"])),
    ],
    "customers-value": [_avro("Customer", ("email", "string"))],
    "events-json": [json.dumps({"type": "object", "properties": {"id": {"type": "integer"}}})],
}
SUBJECTS = [*SEEDED, "never-registered"]
VERSIONS = ["1", "2", "latest", "-1"]
IDS = [1, 2, 3, 4]
SCHEMA_BODIES: list[dict[str, Any]] = [
    # Compatible evolution of orders-value (an optional field with a default).
    {
        "schema": _avro(
            "Order", ("id", "long"), ("note", ["null", "string"]), ("channel", ["null", "string"])
        )
    },
    # Incompatible with orders-value under BACKWARD: a new required field without a default.
    {"schema": _avro("Order", ("id", "long"), ("total", "double"))},
    # Already registered: the same-schema shortcut.
    {"schema": SEEDED["orders-value"][0]},
    {"schemaType": "JSON", "schema": SEEDED["events-json"][0]},
    {"schemaType": "JSON", "schema": json.dumps({"type": "object", "additionalProperties": False})},
    {"schemaType": "PROTOBUF", "schema": 'syntax = "proto3";'},
    {"schema": "{not json"},
]
CONFIG_BODIES: list[dict[str, Any]] = [
    {"compatibility": level} for level in ("NONE", "BACKWARD", "FULL_TRANSITIVE", "SIDEWAYS")
] + [{"compatibilityPolicy": "LENIENT"}]
MODE_BODIES: list[dict[str, Any]] = [
    {"mode": mode} for mode in ("READWRITE", "READONLY", "IMPORT", "SIDEWAYS")
]

# The schema is loaded at collection so that every operation is its own test (schemathesis's lazy
# `from_fixture` runs them all inside one). A fresh SQLite file per run, removed at the end; the app
# migrates it when schemathesis starts its lifespan.
_DATABASE_DIR = Path(tempfile.mkdtemp(prefix="accord-schemathesis-"))
_DATABASE_URL = f"sqlite:///{_DATABASE_DIR / 'accord.db'}"
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(Settings(database_url=_DATABASE_URL))
)


@pytest.fixture(scope="module", autouse=True)
def _seeded_database() -> Iterator[None]:
    # Seeded through a second app on the same file, so the app under test sees only committed rows.
    with TestClient(create_app(Settings(database_url=_DATABASE_URL))) as seeder:
        for subject, versions in SEEDED.items():
            for text in versions:
                body: dict[str, Any] = {"schema": text}
                if subject.endswith("-json"):
                    body["schemaType"] = "JSON"
                answer = seeder.post(f"/subjects/{subject}/versions", json=body)
                assert answer.status_code == 200, answer.text
    yield
    shutil.rmtree(_DATABASE_DIR, ignore_errors=True)


def _meaningful_bodies(context: schemathesis.HookContext) -> list[dict[str, Any]]:
    operation = context.operation
    if operation is None:
        return []
    if operation.path.startswith("/config"):
        return CONFIG_BODIES
    if operation.path.startswith("/mode"):
        return MODE_BODIES
    if operation.method.upper() == "POST" and "/subjects/{subject}" in operation.path:
        return SCHEMA_BODIES  # register, lookup, compatibility, the contract check
    return []


@schema.hook
def flatmap_path_parameters(
    context: schemathesis.HookContext, path_parameters: dict[str, Any] | None
) -> st.SearchStrategy[dict[str, Any] | None]:
    """Half the time, a subject, version or id that exists (or just did): the 200s get checked."""
    if not path_parameters:
        return st.just(path_parameters)
    known: dict[str, st.SearchStrategy[Any]] = {}
    if "subject" in path_parameters:
        known["subject"] = st.sampled_from(SUBJECTS)
    if "version" in path_parameters:
        known["version"] = st.sampled_from(VERSIONS)
    if "id" in path_parameters:
        known["id"] = st.sampled_from(IDS)
    if not known:
        return st.just(path_parameters)
    steered = st.fixed_dictionaries(known).map(lambda chosen: {**path_parameters, **chosen})
    return st.one_of(st.just(path_parameters), steered)


@schema.hook
def flatmap_body(context: schemathesis.HookContext, body: Any) -> st.SearchStrategy[Any]:
    """Half the time, a meaningful body: schemas that evolve, break, repeat; real levels and modes."""
    meaningful = _meaningful_bodies(context)
    if not meaningful:
        return st.just(body)
    return st.one_of(st.just(body), st.sampled_from(meaningful))


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
def test_every_operation_answers_as_documented(case: schemathesis.Case[Any]) -> None:
    case.call_and_validate(checks=CHECKS)
