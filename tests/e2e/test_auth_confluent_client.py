"""The real confluent-kafka SchemaRegistryClient against `accord serve` with auth on: its own
`basic.auth.user.info` (team name + token) works unchanged; a wrong or missing one is refused."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

ADMIN_TOKEN = "e2e-admin-" + "0123456789abcdef"
V1 = json.dumps({"type": "record", "name": "C", "fields": [{"name": "id", "type": "string"}]})
V2 = json.dumps(
    {
        "type": "record",
        "name": "C",
        "fields": [
            {"name": "id", "type": "string"},
            {"name": "email", "type": ["null", "string"], "default": None},
        ],
    }
)


@pytest.fixture
def sr_clients() -> Iterator[list[SchemaRegistryClient]]:
    made: list[SchemaRegistryClient] = []
    yield made
    for sr_client in made:
        sr_client.close()


def test_basic_auth_user_info_works_unchanged(
    sqlite_database: str, accord_server_factory, sr_clients: list[SchemaRegistryClient]
) -> None:
    with accord_server_factory(sqlite_database, env={"ACCORD_ADMIN_TOKEN": ADMIN_TOKEN}) as server:
        admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        tokens = {}
        for team in ("crm", "marketing"):
            assert httpx.post(f"{server.url}/teams", json={"name": team}, headers=admin).is_success
            issued = httpx.post(f"{server.url}/teams/{team}/tokens", headers=admin).json()
            tokens[team] = issued["token"]

        def client(user_info: str | None) -> SchemaRegistryClient:
            conf = {"url": server.url}
            if user_info is not None:
                conf["basic.auth.user.info"] = user_info
            sr_clients.append(SchemaRegistryClient(conf))
            return sr_clients[-1]

        crm = client(f"crm:{tokens['crm']}")
        first = crm.register_schema("CUSTOMER_CREATED", Schema(V1, "AVRO"))
        assert crm.register_schema("CUSTOMER_CREATED", Schema(V2, "AVRO")) != first
        marketing = client(f"marketing:{tokens['marketing']}")
        assert marketing.get_latest_version("CUSTOMER_CREATED").version == 2
        assert marketing.get_schema(first).schema_str == V1

        with pytest.raises(SchemaRegistryError) as forbidden:
            marketing.delete_subject("CUSTOMER_CREATED")
        assert (forbidden.value.http_status_code, forbidden.value.error_code) == (403, 40301)
        assert "owned by team 'crm'" in forbidden.value.error_message
        for refused_client in (client(None), client(f"marketing:{tokens['crm']}")):
            with pytest.raises(SchemaRegistryError) as refused:
                refused_client.get_subjects()
            assert (refused.value.http_status_code, refused.value.error_code) == (401, 40101)
        # The server's own output (uvicorn logs) never shows a secret.
        for secret in (ADMIN_TOKEN, *tokens.values()):
            assert secret not in server.output()
