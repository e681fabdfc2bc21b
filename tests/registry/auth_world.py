"""A registry with auth on and the scenario's teams: CRM owns two topics Marketing consumes."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from tests.registry.registry_schemas import V1

ADMIN_TOKEN = "admin-" + "s3cr3t-" * 4  # long enough for Settings, recognisable in a leak check
TOPICS = ("CUSTOMER_CREATED", "CUSTOMER_DELETED")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def basic(user: str, password: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


@dataclass
class World:
    """Teams crm (owner of TOPICS), marketing (consumer of both), finance (neither)."""

    client: Any
    tokens: dict[str, str] = field(default_factory=dict)
    # Spare tokens of marketing, one per slot, for the revocation endpoint.
    spare_token_ids: list[str] = field(default_factory=list)

    def as_(self, role: str) -> dict[str, str]:
        if role == "anonymous":
            return {}
        if role == "admin":
            return bearer(ADMIN_TOKEN)
        return bearer(self.tokens[role])

    def call(self, role: str, method: str, path: str, body: object = None) -> Any:
        kwargs: dict[str, Any] = {"headers": self.as_(role)}
        if body is not None:
            kwargs["json"] = body
        return self.client.request(method, path, **kwargs)

    def ok(self, role: str, method: str, path: str, body: object = None) -> Any:
        response = self.call(role, method, path, body)
        assert response.status_code == 200, (method, path, response.status_code, response.text)
        return response.json()

    def audit(self, **params: str) -> list[dict[str, Any]]:
        response = self.client.get("/audit", params=params, headers=self.as_("admin"))
        assert response.status_code == 200, response.text
        entries: list[dict[str, Any]] = response.json()
        return entries


def build_world(client: Any) -> World:
    world = World(client)
    for team in ("crm", "marketing", "finance"):
        world.ok("admin", "POST", "/teams", {"name": team})
        world.tokens[team] = world.ok("admin", "POST", f"/teams/{team}/tokens")["token"]
    for _ in range(2):
        world.spare_token_ids.append(world.ok("admin", "POST", "/teams/marketing/tokens")["id"])
    for topic in TOPICS:
        world.ok("crm", "POST", f"/subjects/{topic}/versions", {"schema": V1})
        world.ok("crm", "PUT", f"/config/{topic}", {"compatibility": "BACKWARD"})
        world.ok("crm", "PUT", f"/mode/{topic}", {"mode": "READWRITE"})
        world.ok("marketing", "PUT", f"/subjects/{topic}/consumers/marketing", {"schema": V1})
    return world
