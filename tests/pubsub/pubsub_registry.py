"""Helpers of the Pub/Sub enforcement tests: Avro schema texts and the registry's Pub/Sub endpoints."""

from __future__ import annotations

import json
import warnings
from typing import Any

from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

V1 = "application/vnd.schemaregistry.v1+json"


def avro(*fields: tuple[Any, ...], name: str = "Customer") -> str:
    """An Avro record schema text; each field is (name, type) or (name, type, default)."""
    body = []
    for field in fields:
        entry: dict[str, Any] = {"name": field[0], "type": field[1]}
        if len(field) > 2:
            entry["default"] = field[2]
        body.append(entry)
    return json.dumps({"type": "record", "name": name, "fields": body})


def register(client: TestClient, topic: str, schema: str) -> dict[str, Any]:
    answer = client.post(
        f"/subjects/{topic}/versions", json={"schema": schema}, headers={"Content-Type": V1}
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def set_config(client: TestClient, topic: str, **body: Any) -> Any:
    answer = client.put(f"/config/{topic}", json=body, headers={"Content-Type": V1})
    assert answer.status_code == 200, answer.text
    return answer.json()


def sync(client: TestClient, *, repair: bool = False) -> dict[str, Any]:
    answer = client.post("/pubsub/sync", params={"repair": "true"} if repair else None)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def status(client: TestClient) -> dict[str, Any]:
    answer = client.get("/pubsub/status")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def topic_status(client: TestClient, topic: str) -> dict[str, Any]:
    found = [t for t in status(client)["topics"] if t["topic"] == topic]
    assert len(found) == 1, status(client)
    topic_status: dict[str, Any] = found[0]
    return topic_status
