"""RegistryClient's typed methods for Accord's own endpoints against a live `accord serve`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from clients import (
    AuditEntry,
    IncompatibleSchema,
    NotAuthorized,
    RegisteredContract,
    RegistryClient,
    RegistryError,
    SchemaNotFound,
    TopicConfig,
    TopicOwner,
)
from contracts import SchemaType
from tests.e2e.conftest import RunningServer

SCENARIO = Path(__file__).resolve().parents[2] / "examples" / "scenario" / "avro"
ADMIN_TOKEN = "client-admin-" + "0123456789abcdef"

pytestmark = pytest.mark.slow


def text(name: str) -> str:
    return (SCENARIO / name).read_text()


@pytest.fixture
def client(shared_accord_server: RunningServer) -> Iterator[RegistryClient]:
    with RegistryClient(shared_accord_server.url, max_retries=0) as registry:
        yield registry


def test_contracts_checks_and_fields(client: RegistryClient) -> None:
    topic = "CONTRACTS_CUSTOMER_CREATED"
    client.register_schema(topic, text("CUSTOMER_CREATED.v2-adds-optional-phone.avsc"))
    marketing = client.register_contract(
        topic, "marketing", text("contracts/marketing.CUSTOMER_CREATED.avsc")
    )
    assert marketing == RegisteredContract(
        topic=topic,
        consumer="marketing",
        version=1,
        schema_type=SchemaType.AVRO,
        text=text("contracts/marketing.CUSTOMER_CREATED.avsc"),
    )
    assert client.get_contract(topic, "marketing") == marketing
    assert client.list_contracts(topic) == [marketing]
    assert [c.topic for c in client.contracts_of_consumer("marketing")] == [topic]

    # The producer check: a report, not an error, whichever way it goes.
    safe = client.check_schema(topic, text("CUSTOMER_CREATED.v3-removes-fax.avsc"))
    assert safe.ok
    breaking = client.check_schema(topic, text("CUSTOMER_CREATED.v3-removes-email.avsc"), "AVRO")
    assert not breaking.ok
    assert breaking.broken_consumers == ["marketing"]

    # The registry's refusal carries the same report: the caller needs no second request.
    with pytest.raises(IncompatibleSchema) as refused:
        client.register_schema(topic, text("CUSTOMER_CREATED.v3-removes-email.avsc"))
    assert refused.value.report is not None
    assert refused.value.report.broken_consumers == ["marketing"]
    assert refused.value.report.to_dict()["consumers"] == breaking.to_dict()["consumers"]

    # A contract the producer schema does not satisfy: refused with its report.
    with pytest.raises(IncompatibleSchema) as contract_refused:
        client.register_contract(
            topic,
            "data-analysis",
            text("contracts/data-analysis.CUSTOMER_CREATED.needs-country.avsc"),
        )
    report = contract_refused.value.report
    assert report is not None
    assert report.side == "consumer"
    assert report.broken_consumers == ["data-analysis"]

    fields = {f.path: f for f in client.get_fields(topic)}
    assert fields["email"].consumers == ("marketing",)
    assert fields["email"].type == "string"
    assert fields["email"].required

    assert client.delete_contract(topic, "marketing") == [1]
    assert client.list_contracts(topic) == []
    with pytest.raises(SchemaNotFound) as missing:
        client.get_contract(topic, "marketing")
    assert missing.value.error_code == 40450


def test_config_mode_owner_and_audit(client: RegistryClient) -> None:
    topic = "ADMIN_CUSTOMER_CREATED"
    client.register_schema(topic, text("CUSTOMER_CREATED.v1.avsc"))
    assert client.set_compatibility("FULL", topic) == "FULL"
    assert client.get_config(topic) == TopicConfig(level="FULL", policy="STRICT")
    assert client.delete_config(topic).level == "FULL"
    with pytest.raises(SchemaNotFound):
        client.get_config(topic)
    assert client.set_mode("READONLY", topic) == "READONLY"
    assert client.get_mode(topic) == "READONLY"
    assert client.delete_mode(topic) == "READONLY"

    team = client.create_team("admin-crm")
    assert team.name == "admin-crm"
    assert "admin-crm" in [t.name for t in client.list_teams()]
    with pytest.raises(RegistryError) as exists:
        client.create_team("admin-crm")
    assert (exists.value.status, exists.value.error_code) == (409, 40970)
    assert client.set_owner(topic, "admin-crm") == TopicOwner(topic=topic, team="admin-crm")
    assert client.get_owner(topic) == TopicOwner(topic=topic, team="admin-crm")

    entries = client.get_audit(topic=topic, limit=50)
    assert all(isinstance(e, AuditEntry) and e.topic == topic for e in entries)
    assert [e.action for e in entries][-1] == "register"  # newest first
    assert entries == sorted(entries, key=lambda e: e.at, reverse=True)
    assert len(client.get_audit(topic=topic, limit=1)) == 1


def test_tokens_and_refused_credentials(sqlite_database: str, accord_server_factory) -> None:
    with accord_server_factory(sqlite_database, env={"ACCORD_ADMIN_TOKEN": ADMIN_TOKEN}) as server:
        with RegistryClient(server.url, token=ADMIN_TOKEN, max_retries=0) as admin:
            admin.create_team("crm")
            admin.create_team("marketing")
            crm_token = admin.create_token("crm")
            marketing_token = admin.create_token("marketing")
            assert crm_token.team == "crm"
            assert crm_token.secret.startswith("accord_")
        with RegistryClient(server.url, token=crm_token.secret, max_retries=0) as crm:
            crm.register_schema("TOKENS_TOPIC", text("CUSTOMER_CREATED.v1.avsc"))
            listed = crm.list_tokens("crm")
            assert [t.id for t in listed] == [crm_token.id]
            assert not listed[0].revoked
            assert crm_token.secret not in json.dumps([t.to_json() for t in listed])
        with RegistryClient(server.url, token=marketing_token.secret, max_retries=0) as marketing:
            with pytest.raises(NotAuthorized) as forbidden:
                marketing.delete_subject("TOKENS_TOPIC")
            assert (forbidden.value.status, forbidden.value.error_code) == (403, 40301)
            revoked = marketing.revoke_token("marketing", marketing_token.id)
            assert revoked.revoked
            assert revoked.revoked_at is not None
            with pytest.raises(NotAuthorized) as unauthorised:
                marketing.list_teams()
            assert unauthorised.value.status == 401
