"""RegistryClient: the Confluent-compatible registry API over httpx, with caches, retries and a cool-down."""

from __future__ import annotations

import base64
import logging
import random
import reprlib
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from clients._cache import RegisteredSchema, SchemaCache, is_positive_int
from clients._extensions import (
    AuditEntry,
    FieldReaders,
    IssuedToken,
    MatrixCell,
    RegisteredContract,
    Team,
    TeamToken,
    TopicConfig,
    TopicOwner,
)
from clients._pubsub import PubSubCutover, PubSubStatus, PubSubSyncReport
from clients._topology import Topology, TopologyPlan
from clients.errors import (
    IncompatibleSchema,
    InvalidArgument,
    InvalidSchemaError,
    NotAuthorized,
    RegistryError,
    RegistryUnavailable,
    SchemaNotFound,
)
from contracts import ContractsError, SchemaType, UnsupportedSchemaType
from contracts.report import CheckReport

log = logging.getLogger("clients.registry")
T = TypeVar("T")

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"
ACCEPT = (
    "application/vnd.schemaregistry.v1+json, application/vnd.schemaregistry+json, application/json"
)
# Statuses worth asking again: the request may succeed on another replica or a moment later.
RETRIABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class CompatibilityReport:
    """The registry's answer to "may this schema be registered?": `messages` say why not."""

    is_compatible: bool
    messages: tuple[str, ...] = ()


def _segment(name: str) -> str:
    """A topic name as one URL path segment ('/' becomes %2F, as Confluent clients send it).

    '.' and '..' are refused: URL normalisation collapses them (`/subjects/./versions` is
    `/subjects/versions`), so the request would reach another route than the one meant."""
    if not isinstance(name, str) or not name:
        raise InvalidArgument(f"a topic is a non-empty string, not {_short(name)}")
    if name in (".", ".."):
        raise InvalidArgument(f"the topic {name!r} cannot be named in a URL: choose another name")
    try:
        return quote(name, safe="")
    except UnicodeEncodeError:
        raise InvalidArgument(
            f"the topic {_short(name)} holds a lone surrogate, which UTF-8 cannot encode"
        ) from None


def _kind(schema_type: SchemaType | str) -> SchemaType:
    try:
        return SchemaType.parse(schema_type)
    except (UnsupportedSchemaType, AttributeError) as exc:
        raise InvalidArgument(f"schemaType {_short(schema_type)}: {exc}") from None


def _number(value: object, what: str) -> int:
    """A version or schema id given by the caller: an integer from 1 (True is not one)."""
    if not is_positive_int(value):
        raise InvalidArgument(f"{what} must be a positive integer, not {_short(value)}")
    return value  # type: ignore[return-value]


# The registry's answers are quoted in errors through this: short, and safe on any nesting.
_QUOTE = reprlib.Repr()
_QUOTE.maxlevel, _QUOTE.maxstring, _QUOTE.maxother, _QUOTE.maxdict, _QUOTE.maxlist = (
    3,
    120,
    120,
    8,
    8,
)


def _short(value: object) -> str:
    return _QUOTE.repr(value)


class RegistryClient:
    """A client of an Accord (or any Confluent Schema Registry API) server.

    - Schemas by id, and topic versions, are cached forever (they are immutable); a topic's latest
      version is cached for `latest_ttl` seconds and then fetched again.
    - With `cache_dir`, every schema learnt is also written to disk (atomically), so a restarted
      producer can publish from it while the registry is down.
    - Connection errors, timeouts, 408, 429 and 5xx are retried `max_retries` times with jittered
      exponential backoff; after that the client raises `RegistryUnavailable` and, for
      `outage_cooldown` seconds, fails every request at once instead of waiting on a dead registry.
    - Every failure is an `AccordError` (see clients.errors); no httpx exception escapes.
    - Thread-safe: share one client per process.

    `http` is the transport seam: pass an `httpx.Client` (e.g. over `httpx.MockTransport`) to test
    without a network. `sleep`, `clock` and `rng` can be injected so tests neither sleep nor race.
    Do not use it for high-volume reads of `latest` with a zero TTL: each one is a network call.
    """

    def __init__(
        self,
        url: str,
        *,
        token: str | None = None,
        basic_auth: tuple[str, str] | None = None,
        cache_dir: str | Path | None = None,
        http: httpx.Client | None = None,
        timeout: float = 5.0,
        latest_ttl: float = 30.0,
        max_retries: int = 3,
        backoff: float = 0.1,
        max_backoff: float = 2.0,
        outage_cooldown: float = 5.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.url = url.rstrip("/")
        self._owns_http = http is None
        self._http = http if http is not None else httpx.Client(timeout=timeout)
        self._headers = {"Accept": ACCEPT}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        elif basic_auth is not None:
            # Confluent Cloud and Karapace take an API key and secret as HTTP basic credentials.
            pair = ":".join(basic_auth).encode()
            self._headers["Authorization"] = f"Basic {base64.b64encode(pair).decode('ascii')}"
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.outage_cooldown = outage_cooldown
        self._sleep = sleep
        self._clock = clock
        self._rng = rng
        self._lock = threading.Lock()
        self._unavailable_until = float("-inf")
        self._outage_reason = ""
        self.cache = SchemaCache(
            Path(cache_dir) if cache_dir is not None else None, ttl=latest_ttl, clock=clock
        )

    # -- lifecycle -----------------------------------------------------------------------------
    def close(self) -> None:
        """Close the HTTP client if this object created it (an injected one is the caller's)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- schemas -------------------------------------------------------------------------------
    def register_schema(
        self,
        topic: str,
        schema: str,
        schema_type: SchemaType | str = SchemaType.AVRO,
        *,
        normalize: bool = False,
    ) -> RegisteredSchema:
        """Register `schema` as the next version of `topic` (or find it if already there).

        Raises IncompatibleSchema (409) when the topic's rule refuses it, InvalidSchemaError (422)."""
        kind = _kind(schema_type)
        body = self.request(
            "POST",
            f"/subjects/{_segment(topic)}/versions",
            json=self._schema_body(schema, kind),
            params={"normalize": _flag(normalize)},
        )
        schema_id = _field(body, "id", int)
        version = body.get("version")
        if version is None:
            # Older Confluent servers answer only {"id": N}: ask which version that is.
            return self.lookup_schema(topic, schema, kind)
        version = _field(body, "version", int)
        registered = RegisteredSchema(schema_id, kind, schema, topic=topic, version=version)
        self.cache.put_version(registered)
        return registered

    def lookup_schema(
        self,
        topic: str,
        schema: str,
        schema_type: SchemaType | str = SchemaType.AVRO,
        *,
        deleted: bool = False,
    ) -> RegisteredSchema:
        """The id and version under which `topic` has registered this schema; SchemaNotFound if none."""
        kind = _kind(schema_type)
        body = self.request(
            "POST",
            f"/subjects/{_segment(topic)}",
            json=self._schema_body(schema, kind),
            params={"deleted": _flag(deleted)},
        )
        registered = RegisteredSchema(
            _field(body, "id", int),
            kind,
            schema,  # the caller's text: the server may answer with its canonical form
            topic=topic,
            version=_field(body, "version", int),
        )
        self.cache.put_version(registered)
        return registered

    def get_schema(self, schema_id: int) -> RegisteredSchema:
        """The schema with this global id. Cached forever (memory and disk): ids are immutable."""
        _number(schema_id, "a schema id")
        cached = self.cache.by_id(schema_id)
        if cached is not None:
            return cached
        body = self.request("GET", f"/schemas/ids/{_number(schema_id, 'a schema id')}")
        body = {**_mapping(body), "id": schema_id}
        body.pop("subject", None)
        body.pop("version", None)
        return self.cache.put_id(self._schema_from(body))

    def get_version(self, topic: str, version: int) -> RegisteredSchema:
        """Version `version` of `topic`. Cached forever (memory and disk)."""
        _number(version, "a version")
        _segment(topic)
        cached = self.cache.version(topic, version)
        if cached is not None:
            return cached
        registered = self._fetch_version(topic, str(version))
        self.cache.put_version(registered)
        return registered

    def get_latest_version(self, topic: str) -> RegisteredSchema:
        """The latest version of `topic`: from memory while younger than `latest_ttl`, else fetched
        again. Raises RegistryUnavailable when the registry is down (see `cached_version`)."""
        fresh = self.cache.fresh_latest(topic)
        if fresh is not None:
            return fresh
        registered = self._fetch_version(topic, "latest")
        self.cache.put_latest(registered)
        return registered

    def cached_version(self, topic: str, version: int | None = None) -> RegisteredSchema | None:
        """What the caches know, without any network call: the given version, or the last known
        latest however old (memory, then disk). None when the topic was never seen."""
        if version is not None:
            return self.cache.version(topic, version)
        return self.cache.stale_latest(topic)

    # -- topics --------------------------------------------------------------------------------
    def get_subjects(self, *, deleted: bool = False) -> list[str]:
        """Every topic (Confluent subject) with a live version (with `deleted`, soft-deleted too)."""
        body = self.request("GET", "/subjects", params={"deleted": _flag(deleted)})
        return _list_of(body, str)

    def get_versions(self, topic: str, *, deleted: bool = False) -> list[int]:
        body = self.request(
            "GET", f"/subjects/{_segment(topic)}/versions", params={"deleted": _flag(deleted)}
        )
        return _list_of(body, int)

    def delete_subject(self, topic: str, *, permanent: bool = False) -> list[int]:
        """Soft delete (or, after one, permanently delete) a topic; returns the versions deleted."""
        body = self.request(
            "DELETE", f"/subjects/{_segment(topic)}", params={"permanent": _flag(permanent)}
        )
        self.cache.forget_topic(topic)
        return _list_of(body, int)

    def delete_version(self, topic: str, version: int, *, permanent: bool = False) -> int:
        body = self.request(
            "DELETE",
            f"/subjects/{_segment(topic)}/versions/{_number(version, 'a version')}",
            params={"permanent": _flag(permanent)},
        )
        self.cache.forget_topic(topic, version)
        if not is_positive_int(body):
            raise RegistryError(200, -1, f"expected a version number, got {_short(body)}")
        return body  # type: ignore[no-any-return]

    # -- compatibility -------------------------------------------------------------------------
    def get_compatibility(self, topic: str | None = None) -> str:
        """The topic's compatibility level, or the global one. SchemaNotFound if the topic has no
        level of its own (Confluent's 40408)."""
        path = "/config" if topic is None else f"/config/{_segment(topic)}"
        return _field(self.request("GET", path), "compatibilityLevel", str)

    def set_compatibility(self, level: str, topic: str | None = None) -> str:
        """Set the topic's (or the global) level; returns the level the registry stored."""
        path = "/config" if topic is None else f"/config/{_segment(topic)}"
        body = self.request("PUT", path, json={"compatibility": level})
        return _field(body, "compatibility", str)

    def test_compatibility(
        self,
        topic: str,
        schema: str,
        schema_type: SchemaType | str = SchemaType.AVRO,
        *,
        version: int | str | None = None,
    ) -> CompatibilityReport:
        """Would `topic` accept `schema`? Against one version (`version`, e.g. "latest"), or, when
        None, against every version the topic's level names, exactly as registration would."""
        kind = _kind(schema_type)
        path = f"/compatibility/subjects/{_segment(topic)}/versions"
        if version is not None:
            path += f"/{_segment(str(version))}"
        body = self.request(
            "POST", path, json=self._schema_body(schema, kind), params={"verbose": "true"}
        )
        messages = _mapping(body).get("messages") or []
        if not isinstance(messages, list) or not all(isinstance(m, str) for m in messages):
            raise RegistryError(
                200, -1, f"the registry's 'messages' are not a list of strings: {_short(messages)}"
            )
        return CompatibilityReport(
            is_compatible=_field(body, "is_compatible", bool), messages=tuple(messages)
        )

    # -- Accord's own endpoints: the producer check, consumer contracts, fields ------------------
    def check_schema(
        self,
        topic: str,
        schema: str,
        schema_type: SchemaType | str = SchemaType.AVRO,
        *,
        new_topic: bool = False,
    ) -> CheckReport:
        """The registry's check of a proposed producer schema against the topic's level and every
        consumer contract; stores nothing. A refusal is a report with `ok` False, not an error.
        A topic with no live version is SchemaNotFound (40401) unless `new_topic` states that a
        first version is intended."""
        kind = SchemaType.parse(schema_type) if isinstance(schema_type, str) else schema_type
        body = self.request(
            "POST",
            f"/subjects/{_segment(topic)}/check",
            json=self._schema_body(schema, kind),
            params={"newTopic": _flag(new_topic)} if new_topic else None,
        )
        return _typed(body, _report, "check report")

    def register_contract(
        self,
        topic: str,
        consumer: str,
        schema: str,
        schema_type: SchemaType | str = SchemaType.AVRO,
        *,
        examples: Sequence[object] = (),
    ) -> RegisteredContract:
        """Register the next version of `consumer`'s contract on `topic` (or find it unchanged).

        Raises IncompatibleSchema, whose `report` says why, when the topic's current producer
        schema does not satisfy it; InvalidSchemaError (422) for a contract or example it refuses."""
        kind = SchemaType.parse(schema_type) if isinstance(schema_type, str) else schema_type
        body = self.request(
            "PUT",
            f"/subjects/{_segment(topic)}/consumers/{_segment(consumer)}",
            json={**self._schema_body(schema, kind), "examples": list(examples)},
        )
        return _typed(body, RegisteredContract.from_json, "contract")

    def get_matrix(self, topic: str) -> list[MatrixCell]:
        """Every live producer version of `topic` against every consumer's current contract;
        SchemaNotFound (40401) when the topic has no live version."""
        body = self.request("GET", f"/subjects/{_segment(topic)}/matrix")
        return _typed_list(body, MatrixCell.from_json, "matrix cell")

    def get_contract(self, topic: str, consumer: str) -> RegisteredContract:
        """`consumer`'s current contract on `topic`; SchemaNotFound (40450) when it has none."""
        body = self.request("GET", f"/subjects/{_segment(topic)}/consumers/{_segment(consumer)}")
        return _typed(body, RegisteredContract.from_json, "contract")

    def list_contracts(self, topic: str) -> list[RegisteredContract]:
        """The current contract of every consumer of `topic` ([] for none, or an unknown topic)."""
        body = self.request("GET", f"/subjects/{_segment(topic)}/consumers")
        return _typed_list(body, RegisteredContract.from_json, "contract")

    def delete_contract(self, topic: str, consumer: str) -> list[int]:
        """Withdraw `consumer`'s contract on `topic`; returns the versions withdrawn (the history
        stays). SchemaNotFound when there is none."""
        body = self.request("DELETE", f"/subjects/{_segment(topic)}/consumers/{_segment(consumer)}")
        return _list_of(body, int)

    def contracts_of_consumer(self, consumer: str) -> list[RegisteredContract]:
        """Every topic `consumer` reads, with its current contract on each."""
        body = self.request("GET", f"/consumers/{_segment(consumer)}")
        return _typed_list(body, RegisteredContract.from_json, "contract")

    def get_fields(self, topic: str) -> list[FieldReaders]:
        """Every field path of `topic`'s latest schema, with the consumers that read it."""
        body = self.request("GET", f"/subjects/{_segment(topic)}/fields")
        return _typed_list(body, FieldReaders.from_json, "field")

    # -- Accord's own endpoints: teams, tokens, owners, audit ----------------------------------
    def create_team(self, name: str) -> Team:
        """Create a team (admin token); RegistryError 409 (40970) when it exists."""
        body = self.request("POST", "/teams", json={"name": name})
        return _typed(body, Team.from_json, "team")

    def list_teams(self) -> list[Team]:
        return _typed_list(self.request("GET", "/teams"), Team.from_json, "team")

    def create_token(self, team: str) -> IssuedToken:
        """Issue a token to `team` (admin token). Its secret is in this answer only."""
        body = self.request("POST", f"/teams/{_segment(team)}/tokens")
        return _typed(body, IssuedToken.from_json, "token")

    def list_tokens(self, team: str) -> list[TeamToken]:
        """`team`'s tokens without their secrets (admin, or the team itself)."""
        body = self.request("GET", f"/teams/{_segment(team)}/tokens")
        return _typed_list(body, TeamToken.from_json, "token")

    def revoke_token(self, team: str, token_id: str) -> TeamToken:
        """Revoke a token at once; SchemaNotFound (40471) when `team` has no such token."""
        body = self.request("DELETE", f"/teams/{_segment(team)}/tokens/{_segment(token_id)}")
        return _typed(body, TeamToken.from_json, "token")

    def get_owner(self, topic: str) -> TopicOwner:
        body = self.request("GET", f"/subjects/{_segment(topic)}/owner")
        return _typed(body, TopicOwner.from_json, "owner")

    def set_owner(self, topic: str, team: str) -> TopicOwner:
        """Give `topic` to `team` (admin token)."""
        body = self.request("PUT", f"/subjects/{_segment(topic)}/owner", json={"team": team})
        return _typed(body, TopicOwner.from_json, "owner")

    def get_audit(
        self,
        *,
        topic: str | None = None,
        team: str | None = None,
        since: datetime | str | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """Writes, newest first: to `topic`, by `team` (or admin, anonymous), at or after `since`
        (ISO 8601; naive means UTC); at most `limit`."""
        params = {"limit": str(int(limit))}
        for name, value in (("topic", topic), ("team", team)):
            if value:
                params[name] = value
        if since:
            params["since"] = since.isoformat() if isinstance(since, datetime) else since
        body = self.request("GET", "/audit", params=params)
        return _typed_list(body, AuditEntry.from_json, "audit entry")

    # -- Pub/Sub topology: asked of the registry, which alone talks to Pub/Sub's admin API ------
    def pubsub_plan(self, *, prune: bool = False) -> TopologyPlan:
        """What `pubsub_apply` would change on Pub/Sub (changes nothing): a topic per Accord
        topic, a subscription per contracted team, uncontracted subscriptions, problems."""
        body = self.request("GET", "/pubsub/plan", params={"prune": _flag(prune)})
        return _typed(body, TopologyPlan.from_json, "topology plan")

    def pubsub_apply(self, *, prune: bool = False) -> TopologyPlan:
        """Make Pub/Sub match the plan (admin token); with `prune`, also delete the subscriptions
        Accord made whose contract is gone. Returns what was made."""
        body = self.request("POST", "/pubsub/apply", params={"prune": _flag(prune)})
        return _typed(body, TopologyPlan.from_json, "topology plan")

    def pubsub_topology(self) -> Topology:
        """Producer team -> topic -> subscriptions -> consumer teams, as they stand now."""
        return _typed(self.request("GET", "/pubsub/topology"), Topology.from_json, "topology")

    def pubsub_revision(self, pubsub_schema: str, revision_id: str) -> RegisteredSchema:
        """The registry version (topic, version, schema) that Pub/Sub revision `revision_id` of
        schema `pubsub_schema` (its full name) holds; SchemaNotFound if the registry never synced
        it. Old revisions keep answering after Pub/Sub pruned them, so old messages decode."""
        body = self.request(
            "GET",
            f"/pubsub/revisions/{_segment(revision_id)}",
            params={"schema": pubsub_schema},
        )
        registered = self._schema_from(_mapping(body))
        if registered.topic is None or registered.version is None:
            raise RegistryError(
                200, -1, f"the registry's answer for revision {revision_id!r} has no topic version"
            )
        self.cache.put_id(registered)
        self.cache.put_version(registered)
        return registered

    def pubsub_encoding(self, topic: str) -> str:
        """BINARY or JSON: how Pub/Sub expects `topic`'s messages (its `pubsubEncoding`, BINARY
        when it has none). Not cached here (see ValidatingPublisher)."""
        body = _mapping(
            self.request("GET", f"/config/{_segment(topic)}", params={"defaultToGlobal": "true"})
        )
        encoding = body.get("pubsubEncoding") or "BINARY"
        if encoding not in ("BINARY", "JSON"):
            raise RegistryError(
                200, -1, f"the registry's pubsubEncoding for {topic!r} is {encoding!r:.80}"
            )
        return str(encoding)

    # -- config and mode, as typed answers -------------------------------------------------------
    def get_config(self, topic: str | None = None) -> TopicConfig:
        """The topic's level and policy (SchemaNotFound 40408 if it has none of its own), or the
        global ones."""
        path = "/config" if topic is None else f"/config/{_segment(topic)}"
        return _typed(self.request("GET", path), TopicConfig.from_json, "config")

    def delete_config(self, topic: str | None = None) -> TopicConfig:
        """Drop the topic's own level (it follows the global one again), or reset the global one;
        returns what was removed."""
        path = "/config" if topic is None else f"/config/{_segment(topic)}"
        return _typed(self.request("DELETE", path), TopicConfig.from_json, "config")

    def get_mode(self, topic: str | None = None) -> str:
        """READWRITE, READONLY or IMPORT: the topic's (SchemaNotFound 40409 if none of its own), or
        the global mode."""
        path = "/mode" if topic is None else f"/mode/{_segment(topic)}"
        return _field(self.request("GET", path), "mode", str)

    def set_mode(self, mode: str, topic: str | None = None) -> str:
        """Set the topic's (or the global) mode; returns the mode the registry stored."""
        path = "/mode" if topic is None else f"/mode/{_segment(topic)}"
        return _field(self.request("PUT", path, json={"mode": mode}), "mode", str)

    def delete_mode(self, topic: str | None = None) -> str:
        """Drop the topic's own mode, or reset the global one; returns the mode removed."""
        path = "/mode" if topic is None else f"/mode/{_segment(topic)}"
        return _field(self.request("DELETE", path), "mode", str)

    # -- Pub/Sub enforcement: status, one-shot sync, cutover -----------------------------------
    def pubsub_status(self) -> PubSubStatus:
        """Every topic's Pub/Sub schema, revisions, range, encoding, sync state and drift."""
        return _typed(self.request("GET", "/pubsub/status"), PubSubStatus.from_json, "status")

    def pubsub_sync(self, *, repair: bool = False) -> PubSubSyncReport:
        """Deliver every sync the registry owes Pub/Sub now; `repair` (admin) also restores the
        registry's truth on every topic that drifted."""
        body = self.request("POST", "/pubsub/sync", params={"repair": _flag(repair)})
        return _typed(body, PubSubSyncReport.from_json, "sync report")

    def pubsub_cutover(self, topic: str) -> PubSubCutover:
        """Move `topic` to its newest Pub/Sub schema generation (its owner or an admin)."""
        body = self.request("POST", f"/pubsub/topics/{_segment(topic)}/cutover")
        return _typed(body, PubSubCutover.from_json, "cutover")

    # -- the HTTP core -------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        params: Mapping[str, str] | None = None,
    ) -> Any:
        """One call to the registry API, with retries; returns the decoded JSON body (None when
        empty). Public so that extension endpoints (consumer contracts…) need no new plumbing.

        Raises RegistryUnavailable, or a RegistryError subclass chosen by the status."""
        now = self._clock()
        if now < self._unavailable_until:
            raise RegistryUnavailable(
                f"registry {self.url} is unavailable ({self._outage_reason}); "
                f"not retrying for another {self._unavailable_until - now:.1f}s"
            )
        headers = dict(self._headers)
        if json is not None:
            headers["Content-Type"] = CONTENT_TYPE
        attempt = 0
        while True:
            outcome = self._attempt(method, path, json, params, headers)
            if outcome.response is not None:
                return _decode(outcome.response)
            if attempt >= self.max_retries:
                break
            self._sleep(self._delay(attempt, retry_after=outcome.retry_after))
            attempt += 1
        problem, status = outcome.problem, outcome.status
        with self._lock:
            self._unavailable_until = self._clock() + self.outage_cooldown
            self._outage_reason = problem
        log.debug("registry %s unavailable after %d attempts: %s", self.url, attempt + 1, problem)
        raise RegistryUnavailable(
            f"registry {self.url} unavailable after {attempt + 1} attempts: {problem}",
            status=status,
        )

    def _attempt(
        self,
        method: str,
        path: str,
        json: object,
        params: Mapping[str, str] | None,
        headers: dict[str, str],
    ) -> _Outcome:
        """One try: a success, or a problem worth retrying; raises RegistryError for an answer that
        retrying cannot change (4xx other than 408/429)."""
        try:
            request = self._http.build_request(
                method, self.url + path, json=json, params=params, headers=headers
            )
        except (UnicodeEncodeError, ValueError, TypeError, RecursionError, httpx.InvalidURL) as exc:
            # e.g. a schema text with a lone surrogate, which JSON over UTF-8 cannot carry
            raise InvalidArgument(f"the request cannot be sent: {exc}") from None
        try:
            response = self._http.send(request)
        except httpx.HTTPError as exc:  # connect/read errors, timeouts, protocol errors
            return _Outcome(problem=f"{type(exc).__name__}: {exc}")
        status = response.status_code
        if status in RETRIABLE_STATUSES:
            return _Outcome(problem=f"HTTP {status}", status=status, retry_after=_seconds(response))
        if response.is_success:
            with self._lock:
                self._unavailable_until = float("-inf")
            return _Outcome(response=response, status=status)
        raise _error_for(response)

    def _delay(self, attempt: int, *, retry_after: float | None) -> float:
        """Exponential backoff with jitter (half fixed, half random), capped; honours Retry-After."""
        if retry_after is not None:
            return min(retry_after, self.max_backoff)
        ceiling = min(self.max_backoff, self.backoff * (2.0**attempt))
        return ceiling * (0.5 + self._rng() / 2)

    def _fetch_version(self, topic: str, version: str) -> RegisteredSchema:
        body = self.request("GET", f"/subjects/{_segment(topic)}/versions/{version}")
        registered = self._schema_from({**_mapping(body), "subject": topic})
        if registered.version is None:
            raise RegistryError(200, -1, f"the registry's answer for {topic!r} has no version")
        if version != "latest" and str(registered.version) != version:
            raise RegistryError(
                200, -1, f"asked for version {version} of {topic!r}, got {registered.version}"
            )
        return registered

    @staticmethod
    def _schema_body(schema: str, kind: SchemaType) -> dict[str, str]:
        return {"schema": schema, "schemaType": kind.value}

    @staticmethod
    def _schema_from(body: dict[str, Any]) -> RegisteredSchema:
        try:
            return RegisteredSchema.from_json(body)
        except (KeyError, TypeError, ValueError) as exc:
            raise RegistryError(
                200, -1, f"unexpected schema in the registry's answer: {exc}"
            ) from None


@dataclass(frozen=True, slots=True)
class _Outcome:
    response: httpx.Response | None = None
    problem: str = ""
    status: int | None = None
    retry_after: float | None = None


def _seconds(response: httpx.Response) -> float | None:
    """Retry-After in seconds (the HTTP-date form is rare from registries and is ignored)."""
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _decode(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except (ValueError, RecursionError):
        raise RegistryError(
            response.status_code,
            -1,
            f"the registry's answer is not JSON (or is nested too deeply): "
            f"{response.content[:200]!r}",
        ) from None


def _error_for(response: httpx.Response) -> RegistryError:
    """Map an error answer to the exception tree, from Confluent's {"error_code", "message"} body."""
    status = response.status_code
    try:
        body = response.json()
    except (ValueError, RecursionError):
        body = None
    details: dict[str, Any] = {}
    if (
        isinstance(body, dict)
        and type(body.get("error_code")) is int
        and isinstance(body.get("message", ""), str)
    ):
        code: int = body["error_code"]
        message: str = body.get("message", "")
        details = {k: v for k, v in body.items() if k not in ("error_code", "message")}
    else:
        code, message = -1, _short(response.content[:500]) or response.reason_phrase
    cls: type[RegistryError]
    if status in (401, 403):
        cls = NotAuthorized
    elif status == 404:
        cls = SchemaNotFound
    elif status == 409:
        cls = IncompatibleSchema
    elif status == 422:
        cls = InvalidSchemaError
    else:
        cls = RegistryError
    return cls(status, code, message, details=details)


def _mapping(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise RegistryError(
            200, -1, f"expected a JSON object from the registry, got {_short(body)}"
        )
    return body


def _valid(value: object, kind: type) -> bool:
    """Integers in answers are ids and versions: from 1, and never a JSON `true`."""
    return is_positive_int(value) if kind is int else isinstance(value, kind)


def _field(body: Any, name: str, kind: type[T]) -> T:
    value = _mapping(body).get(name)
    if not _valid(value, kind):
        raise RegistryError(200, -1, f"the registry's answer has no valid {name!r}: {_short(body)}")
    return value  # type: ignore[return-value]


def _list_of(body: Any, kind: type[T]) -> list[T]:
    if not isinstance(body, list) or not all(_valid(v, kind) for v in body):
        raise RegistryError(200, -1, f"expected a list from the registry, got {_short(body)}")
    return list(body)


def _report(body: object) -> CheckReport:
    """A check report, only when it says `ok` and the verdicts agree with it: a CI gate must never
    read "safe" into an answer that does not say so."""
    if not isinstance(body, dict):
        raise ValueError(f"a check report must be a JSON object, got {type(body).__name__}")
    if not isinstance(body.get("ok"), bool) or not isinstance(body.get("consumers"), list):
        raise ValueError("a check report needs a boolean 'ok' and a list of 'consumers'")
    report = CheckReport.from_dict(body)
    if report.ok != body["ok"]:
        raise ValueError(f"the report says ok={body['ok']} but its verdicts say ok={report.ok}")
    return report


def _typed(body: Any, parse: Callable[[object], T], what: str) -> T:
    """The one check of an extension endpoint's answer: `parse` builds the typed result or raises;
    any way it fails becomes a RegistryError saying what was expected (never a KeyError)."""
    try:
        return parse(body)
    except (KeyError, TypeError, ValueError, AttributeError, ContractsError) as exc:
        raise RegistryError(200, -1, f"unexpected {what} in the registry's answer: {exc}") from None


def _typed_list(body: Any, parse: Callable[[object], T], what: str) -> list[T]:
    if not isinstance(body, list):
        raise RegistryError(
            200, -1, f"expected a list of {what}s from the registry, got {body!r:.200}"
        )
    return [_typed(item, parse, what) for item in body]
