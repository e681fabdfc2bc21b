"""A TEST FAKE of the registry's Confluent API, as an httpx.MockTransport handler: counts and can fail calls."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import unquote

import httpx

Failure = Callable[[httpx.Request], httpx.Response]


@dataclass
class FakeRegistry:
    """Just enough of the API for client tests: register, lookup, get by id, get version/latest.

    `down = True` makes every call a connection error; `script` holds one-shot answers (or
    exceptions) served before the real behaviour, to test retries and error mapping.
    """

    schemas: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (type, text)
    subjects: dict[str, list[int]] = field(default_factory=dict)  # topic -> ids by version
    requests: list[httpx.Request] = field(default_factory=list)
    script: list[httpx.Response | Exception] = field(default_factory=list)
    down: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=self.transport())

    def add(self, topic: str, text: str, schema_type: str = "AVRO") -> tuple[int, int]:
        """Register directly (no HTTP): returns (id, version)."""
        with self._lock:
            known = {entry: number for number, entry in self.schemas.items()}
            schema_id = known.get((schema_type, text), len(self.schemas) + 1)
            self.schemas[schema_id] = (schema_type, text)
            versions = self.subjects.setdefault(topic, [])
            if schema_id not in versions:
                versions.append(schema_id)
            return schema_id, versions.index(schema_id) + 1

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]

    def handle(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
            scripted = self.script.pop(0) if self.script else None
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        if isinstance(scripted, Exception):
            raise scripted
        if scripted is not None:
            return scripted
        parts = [unquote(p) for p in request.url.raw_path.decode().split("?")[0].split("/")[1:]]
        return self._route(request, parts)

    def _route(self, request: httpx.Request, parts: list[str]) -> httpx.Response:
        method = request.method
        if method == "GET" and parts[:2] == ["schemas", "ids"]:
            found = self.schemas.get(int(parts[2]))
            if found is None:
                return error(404, 40403, f"Schema {parts[2]} not found")
            return ok({"schema": found[1], "schemaType": found[0]})
        if parts[0] != "subjects":
            return error(404, 404, "no such route")
        topic = parts[1]
        if method == "POST" and len(parts) == 3:  # register
            body = json.loads(request.content)
            schema_id, version = self.add(topic, body["schema"], body.get("schemaType", "AVRO"))
            return ok({"id": schema_id, "version": version})
        versions = self.subjects.get(topic)
        if versions is None:
            return error(404, 40401, f"Subject '{topic}' not found.")
        if method == "POST" and len(parts) == 2:  # lookup
            body = json.loads(request.content)
            wanted = (body.get("schemaType", "AVRO"), body["schema"])
            for index, schema_id in enumerate(versions):
                if self.schemas[schema_id] == wanted:
                    return ok({"subject": topic, "id": schema_id, "version": index + 1})
            return error(404, 40403, "Schema not found")
        if method == "GET" and len(parts) == 3:
            return ok(list(range(1, len(versions) + 1)))
        if method == "GET" and len(parts) == 4:
            number = len(versions) if parts[3] == "latest" else int(parts[3])
            if not 1 <= number <= len(versions):
                return error(404, 40402, f"Version {parts[3]} not found.")
            schema_id = versions[number - 1]
            schema_type, text = self.schemas[schema_id]
            return ok(
                {
                    "subject": topic,
                    "version": number,
                    "id": schema_id,
                    "schemaType": schema_type,
                    "schema": text,
                }
            )
        return error(404, 404, "no such route")


def ok(body: object, status: int = 200) -> httpx.Response:
    return httpx.Response(
        status, json=body, headers={"Content-Type": "application/vnd.schemaregistry.v1+json"}
    )


def error(status: int, code: int, message: str) -> httpx.Response:
    return httpx.Response(status, json={"error_code": code, "message": message})
