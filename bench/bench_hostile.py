"""Each attack of the hardening issue beside a benign request of the same kind: CPU time and peak
memory ratios (attack / benign), measured in one run against an in-process registry on SQLite."""

from __future__ import annotations

import json
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from _timing import interleaved
from starlette.exceptions import StarletteDeprecationWarning

from contracts import ContractsError, parse_schema
from registry import Settings, create_app

with warnings.catch_warnings():
    # As in tests/registry/conftest.py: the warning is about starlette's packaging.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

ROUNDS = 5
V1 = "application/vnd.schemaregistry.v1+json"
ADMIN_TOKEN = "bench-admin-" + "t0ken-" * 4
# Catastrophic for a backtracking engine on a string of a's that fails at its end: each doubles
# the work per character (30 characters: minutes to hours under Python's re).
EVIL_PATTERNS = (
    "^(a+)+$",
    "^(a|aa)+$",
    "^(a|a?)+$",
    "^(\\w+\\s?)*$",
    "(x+x+)+y",
    "^(a*)*b$",
    # RE2 cannot express backreferences or lookahead: these run on the budgeted engine.
    "^(a+)+\\1$",
    "^(?=(a+)+$)",
)
EVIL_SUBJECT = "a" * 30 + "!"
BENIGN_PATTERN = "^a+$"


class SetupRefused(Exception):
    """A request preparing an attack failed: the part is reported as a failure, the rest runs."""


@dataclass
class Row:
    attack: str
    benign: str
    time_ratio: float
    memory_ratio: float
    outcome: str


def peak_bytes(action: Callable[[], object]) -> int:
    """The peak of Python allocations (every thread) while `action` runs, above what was live."""
    tracemalloc.start()
    try:
        action()  # warm: caches and lazily built structures are not the request's cost
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        action()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return max(peak - before, 1)


def compare(
    attack: str, benign: str, run_attack: Callable[[], object], run_benign: Callable[[], object]
) -> tuple[float, float]:
    times = interleaved(
        {"attack": lambda _: run_attack(), "benign": lambda _: run_benign()},
        [None],
        rounds=ROUNDS,
        clock=time.process_time,  # the app's work runs on TestClient's threads
    )
    memory = peak_bytes(run_attack) / peak_bytes(run_benign)
    return times["attack"] / max(times["benign"], 1e-6), memory


class Bench:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        self.rows: list[Row] = []
        self.failures: list[str] = []

    def call(
        self, method: str, path: str, body: object = None, headers: dict[str, str] | None = None
    ) -> Any:
        return self.client.request(
            method, path, json=body, headers={"Content-Type": V1, **(headers or self.admin)}
        )

    def ok(self, method: str, path: str, body: object = None, **kw: Any) -> Any:
        answer = self.call(method, path, body, **kw)
        if answer.status_code != 200:
            raise SetupRefused(f"{method} {path}: {answer.status_code} {answer.text[:200]}")
        return answer.json()

    def row(
        self,
        attack: str,
        benign: str,
        run_attack: Callable[[], Any],
        run_benign: Callable[[], Any],
        outcome: Callable[[Any], str],
    ) -> None:
        result = run_attack()
        said = outcome(result)
        if said.startswith("NOT"):
            self.failures.append(f"{attack}: {said}")
        time_ratio, memory_ratio = compare(attack, benign, run_attack, run_benign)
        self.rows.append(Row(attack, benign, time_ratio, memory_ratio, said))
        print(f"  {attack:<58} {time_ratio:9.2f}x {memory_ratio:9.2f}x  {said}", flush=True)


def answered(expected: set[int], *, max_bytes: int | None = None) -> Callable[[Any], str]:
    def outcome(answer: Any) -> str:
        size = len(answer.content)
        said = f"{answer.status_code}, {size:,} B"
        if answer.status_code not in expected:
            return f"NOT as expected ({said}: {answer.text[:120]!r})"
        if max_bytes is not None and size > max_bytes:
            return f"NOT bounded ({said})"
        return said

    return outcome


def json_object(**properties: object) -> str:
    return json.dumps({"type": "object", "properties": properties})


# --- the attacks --------------------------------------------------------------------------------


def regex_in_validate(bench: Bench) -> None:
    """Every pattern and patternProperties match of validation: the publisher's and `accord
    validate`'s path (ParsedSchema.validate)."""
    benign_schema = parse_schema("JSON", json.dumps({"type": "string", "pattern": BENIGN_PATTERN}))
    for pattern in EVIL_PATTERNS:
        subject = "x" * 30 if pattern.endswith("y") else EVIL_SUBJECT
        try:
            evil = parse_schema("JSON", json.dumps({"type": "string", "pattern": pattern}))
        except ContractsError as refused:
            print(f"  validate {pattern!r}: refused at parse ({str(refused)[:80]})")
            continue
        bench.row(
            f"validate, pattern {pattern}",
            f"validate, pattern {BENIGN_PATTERN}",
            partial(evil.validate, subject),
            partial(benign_schema.validate, subject),
            lambda findings: f"{len(findings)} finding(s)",
        )
    evil_names = parse_schema(
        "JSON",
        json.dumps({"type": "object", "patternProperties": {EVIL_PATTERNS[0]: {"type": "string"}}}),
    )
    benign_names = parse_schema(
        "JSON",
        json.dumps({"type": "object", "patternProperties": {BENIGN_PATTERN: {"type": "string"}}}),
    )
    message = {EVIL_SUBJECT: 1}
    bench.row(
        f"validate, patternProperties {EVIL_PATTERNS[0]}",
        f"validate, patternProperties {BENIGN_PATTERN}",
        lambda: evil_names.validate(message),
        lambda: benign_names.validate(message),
        lambda findings: f"{len(findings)} finding(s)",
    )


def regex_through_the_registry(bench: Bench) -> None:
    """A contract's pattern reached by /check's counterexample search, and by a contract's
    examples at PUT."""
    for name, pattern in (("evil", EVIL_PATTERNS[0]), ("plain", BENIGN_PATTERN)):
        topic = f"regex-{name}"
        contract = json_object(s={"type": "string", "pattern": pattern})
        bench.ok("POST", f"/subjects/{topic}/versions", {"schemaType": "JSON", "schema": contract})
        bench.ok("PUT", f"/config/{topic}", {"compatibility": "NONE"})
        bench.ok(
            "PUT", f"/subjects/{topic}/consumers/reader", {"schemaType": "JSON", "schema": contract}
        )
    # The proposal widens s to any string: the search looks for strings the reader's pattern refuses.
    proposal = {"schemaType": "JSON", "schema": json_object(s={"type": ["string", "null"]})}
    bench.row(
        f"/check, contract pattern {EVIL_PATTERNS[0]}",
        f"/check, contract pattern {BENIGN_PATTERN}",
        lambda: bench.call("POST", "/subjects/regex-evil/check", proposal),
        lambda: bench.call("POST", "/subjects/regex-plain/check", proposal),
        answered({200}, max_bytes=64 * 1024),
    )

    def put_examples(topic: str, pattern: str) -> Any:
        body = {
            "schemaType": "JSON",
            "schema": json_object(s={"type": "string", "pattern": pattern}),
            "examples": [{"s": EVIL_SUBJECT}],
        }
        return bench.call("PUT", f"/subjects/{topic}/consumers/examples", body)

    bench.row(
        f"contract PUT, example against {EVIL_PATTERNS[0]}",
        f"contract PUT, example against {BENIGN_PATTERN}",
        lambda: put_examples("regex-evil", EVIL_PATTERNS[0]),
        lambda: put_examples("regex-plain", BENIGN_PATTERN),
        answered({422}),
    )


def huge_sizes(bench: Bench) -> None:
    """Constraints that demand huge documents: described, not built; bodies stay small."""
    for topic, contract in (
        ("sizes-string", json_object(name={"type": "string", "maxLength": 10})),
        ("sizes-array", json_object(tags={"type": "array", "maxItems": 5})),
    ):
        bench.ok("POST", f"/subjects/{topic}/versions", {"schemaType": "JSON", "schema": contract})
        bench.ok("PUT", f"/config/{topic}", {"compatibility": "NONE"})
        bench.ok(
            "PUT", f"/subjects/{topic}/consumers/reader", {"schemaType": "JSON", "schema": contract}
        )

    def demanding(field: str, keyword: str, size: int, kind: str) -> dict[str, Any]:
        schema = {
            "type": "object",
            "properties": {field: {"type": kind, keyword: size}},
            "required": [field],
        }
        return {"schemaType": "JSON", "schema": json.dumps(schema)}

    huge_string = demanding("name", "minLength", 100_000_000, "string")
    small_string = demanding("name", "minLength", 20, "string")
    bench.row(
        "/check, minLength 100,000,000",
        "/check, minLength 20",
        lambda: bench.call("POST", "/subjects/sizes-string/check", huge_string),
        lambda: bench.call("POST", "/subjects/sizes-string/check", small_string),
        answered({200}, max_bytes=64 * 1024),
    )
    huge_array = demanding("tags", "minItems", 20_000_000, "array")
    small_array = demanding("tags", "minItems", 8, "array")
    bench.row(
        "/check, minItems 20,000,000",
        "/check, minItems 8",
        lambda: bench.call("POST", "/subjects/sizes-array/check", huge_array),
        lambda: bench.call("POST", "/subjects/sizes-array/check", small_array),
        answered({200}, max_bytes=64 * 1024),
    )
    # At registration the contract is broken: 409 with the report, nothing stored, repeatable.
    bench.row(
        "registration, minItems 20,000,000 (breaks a contract)",
        "registration, minItems 8 (breaks a contract)",
        lambda: bench.call("POST", "/subjects/sizes-array/versions", huge_array),
        lambda: bench.call("POST", "/subjects/sizes-array/versions", small_array),
        answered({409}, max_bytes=64 * 1024),
    )

    def fixed_record(size: int) -> dict[str, Any]:
        field = {"name": "f", "type": {"type": "fixed", "name": "F", "size": size}}
        return {"schema": json.dumps({"type": "record", "name": "R", "fields": [field]})}

    bench.ok("POST", "/subjects/sizes-fixed/versions", fixed_record(16))
    bench.ok("PUT", "/config/sizes-fixed", {"compatibility": "NONE"})
    bench.ok("PUT", "/subjects/sizes-fixed/consumers/reader", fixed_record(16))
    bench.row(
        "/check, Avro fixed size 1,000,000,000",
        "/check, Avro fixed size 32",
        lambda: bench.call("POST", "/subjects/sizes-fixed/check", fixed_record(1_000_000_000)),
        lambda: bench.call("POST", "/subjects/sizes-fixed/check", fixed_record(32)),
        answered({422}),
    )
    bench.row(
        "/check, Avro fixed of the largest size accepted (10 MiB)",
        "/check, Avro fixed size 32",
        lambda: bench.call("POST", "/subjects/sizes-fixed/check", fixed_record(10 * 1024 * 1024)),
        lambda: bench.call("POST", "/subjects/sizes-fixed/check", fixed_record(32)),
        answered({200}, max_bytes=64 * 1024),
    )
    bench.row(
        "registration, Avro fixed size 1,000,000,000",
        "registration, Avro fixed size 16 (already stored)",
        lambda: bench.call("POST", "/subjects/sizes-fixed/versions", fixed_record(1_000_000_000)),
        lambda: bench.call("POST", "/subjects/sizes-fixed/versions", fixed_record(16)),
        answered({422}),
    )


def wide_record(fields: int, kind: str) -> str:
    spec = [{"name": f"f{i}", "type": kind} for i in range(fields)]
    return json.dumps({"type": "record", "name": "Wide", "fields": spec})


def wide_check(bench: Bench) -> None:
    """One contract reading every field; the proposal changes every field's type (one finding
    each). Linear work shows a ratio near 100 (100x the fields); quadratic would show ~10,000."""
    for fields in (100, 10_000):
        topic = f"wide-{fields}"
        bench.ok("POST", f"/subjects/{topic}/versions", {"schema": wide_record(fields, "string")})
        bench.ok("PUT", f"/config/{topic}", {"compatibility": "NONE"})
        bench.ok(
            "PUT", f"/subjects/{topic}/consumers/reader", {"schema": wide_record(fields, "string")}
        )
    bench.row(
        "/check, 10,000-field record, every field broken",
        "/check, 100-field record, every field broken",
        lambda: bench.call(
            "POST", "/subjects/wide-10000/check", {"schema": wide_record(10_000, "long")}
        ),
        lambda: bench.call(
            "POST", "/subjects/wide-100/check", {"schema": wide_record(100, "long")}
        ),
        answered({200}, max_bytes=256 * 1024),
    )


def nested(levels: int) -> str:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"a": schema}}
    return json.dumps(schema)


def deepest_accepted() -> int:
    """The most levels of nesting the JSON Schema parser accepts (binary search; a refusal of any
    kind counts as refused)."""
    low, high = 1, 4096
    while low < high:
        middle = (low + high + 1) // 2
        try:
            parse_schema("JSON", nested(middle))
        except Exception:  # whatever refuses it, it is not accepted
            high = middle - 1
        else:
            low = middle
    return low


def deep_schemas(bench: Bench) -> None:
    """The deepest schema registration accepts, then every later operation on its topic."""
    depth = deepest_accepted()
    print(f"  (deepest JSON Schema nesting accepted at parse: {depth} object levels)")
    for topic, levels in (("deep", depth), ("shallow", 3)):
        bench.ok(
            "POST", f"/subjects/{topic}/versions", {"schemaType": "JSON", "schema": nested(levels)}
        )
        bench.ok(
            "PUT",
            f"/subjects/{topic}/consumers/reader",
            {"schemaType": "JSON", "schema": nested(levels)},
        )

    def later_operations(topic: str, levels: int) -> list[Any]:
        proposal = {"schemaType": "JSON", "schema": nested(levels)}
        return [
            bench.call("GET", f"/subjects/{topic}/versions/latest"),
            bench.call("GET", f"/subjects/{topic}/fields"),
            bench.call("POST", f"/subjects/{topic}/check", proposal),
            bench.call("POST", f"/compatibility/subjects/{topic}/versions/latest", proposal),
            bench.call("POST", f"/subjects/{topic}/versions", proposal),
        ]

    def all_200(answers: list[Any]) -> str:
        codes = [a.status_code for a in answers]
        return "all 200" if set(codes) == {200} else f"NOT all 200: {codes}"

    bench.row(
        f"read/check/compatibility/re-register, {depth} levels",
        "the same, 3 levels",
        lambda: later_operations("deep", depth),
        lambda: later_operations("shallow", 3),
        all_200,
    )
    too_deep = {"schemaType": "JSON", "schema": nested(depth + 1)}
    bench.row(
        f"registration, {depth + 1} levels (one too many)",
        "registration, 3 levels (already stored)",
        lambda: bench.call("POST", "/subjects/deep-refused/versions", too_deep),
        lambda: bench.call(
            "POST", "/subjects/shallow/versions", {"schemaType": "JSON", "schema": nested(3)}
        ),
        answered({422}),
    )


HOSTILE_NAMES = (
    "CT1\u200b",  # zero-width space
    "CT1\u202e",  # bidi override
    "CT1\u2028",  # line separator
    "CT1 ",  # trailing space
    "CT1%FF",  # invalid UTF-8 once decoded (the client sends the escape as is)
    ".",
)


def hostile_names(bench: Bench) -> None:
    schema = {"schema": json.dumps({"type": "string"})}
    bench.ok("POST", "/subjects/CT1/versions", schema)

    def register_all(names: tuple[str, ...]) -> list[Any]:
        return [bench.call("POST", f"/subjects/{name}/versions", schema) for name in names]

    def refused(answers: list[Any]) -> str:
        codes = sorted({a.status_code for a in answers})
        return f"{codes}" if all(400 <= c < 500 for c in codes) else f"NOT all refused: {codes}"

    bench.row(
        f"registration under {len(HOSTILE_NAMES)} confusable/invalid names",
        f"registration under CT1 ({len(HOSTILE_NAMES)} times, already stored)",
        lambda: register_all(HOSTILE_NAMES),
        lambda: register_all(("CT1",) * len(HOSTILE_NAMES)),
        refused,
    )


def import_exhaustion(bench: Bench) -> None:
    """A team (not the admin) puts its own topic in IMPORT and imports the last id."""
    bench.ok("POST", "/teams", {"name": "owner"})
    team = {"Authorization": f"Bearer {bench.ok('POST', '/teams/owner/tokens')['token']}"}
    schema = json.dumps({"type": "record", "name": "Imported", "fields": []})
    bench.ok("POST", "/subjects/owned/versions", {"schema": schema}, headers=team)

    def attempt() -> list[Any]:
        return [
            bench.call("PUT", "/mode/owned", {"mode": "IMPORT"}, headers=team),
            bench.call(
                "POST",
                "/subjects/owned/versions",
                {"schema": nested(1), "schemaType": "JSON", "id": 2_147_483_647},
                headers=team,
            ),
        ]

    def benign() -> list[Any]:
        return [
            bench.call("PUT", "/mode/owned", {"mode": "READWRITE"}, headers=team),
            bench.call("POST", "/subjects/owned/versions", {"schema": schema}, headers=team),
        ]

    def refused(answers: list[Any]) -> str:
        codes = [a.status_code for a in answers]
        if any(c == 200 for c in codes[:1]) or codes[1] == 200:
            return f"NOT refused: {codes}"
        return f"{codes}"

    bench.row(
        "team IMPORT mode + import id 2,147,483,647",
        "team READWRITE mode + registration",
        attempt,
        benign,
        refused,
    )
    fresh = json.dumps({"type": "record", "name": "AfterTheAttempt", "fields": []})
    next_id = bench.ok("POST", "/subjects/after-import/versions", {"schema": fresh})["id"]
    print(f"  (the next registration after the attempts got id {next_id})")
    if next_id >= 2_147_483_647:
        bench.failures.append(f"id allocator exhausted: next id {next_id}")


def truncated_body(bench: Bench) -> None:
    """The whole app, at the ASGI edge: a body that ends before its Content-Length."""
    body = json.dumps({"schema": json.dumps({"type": "string"})}).encode()
    app = bench.client.app

    def through_app(messages: list[dict[str, Any]]) -> int:
        async def run() -> int:
            pending = list(messages)
            sent: list[dict[str, Any]] = []

            async def receive() -> dict[str, Any]:
                return pending.pop(0) if pending else {"type": "http.disconnect"}

            async def send(message: dict[str, Any]) -> None:
                sent.append(message)

            path = "/subjects/truncated/versions"
            scope = {
                "type": "http",
                "asgi": {"version": "3.0"},
                "http_version": "1.1",
                "method": "POST",
                "scheme": "http",
                "path": path,
                "raw_path": path.encode(),
                "root_path": "",
                "query_string": b"",
                "headers": [
                    (b"host", b"testserver"),
                    (b"content-type", V1.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"authorization", f"Bearer {ADMIN_TOKEN}".encode()),
                ],
                "client": ("127.0.0.1", 1),
                "server": ("testserver", 80),
            }
            await app(scope, receive, send)
            return int(sent[0]["status"])

        status: int = bench.client.portal.call(run)
        return status

    cut: list[dict[str, Any]] = [
        {"type": "http.request", "body": body[:10], "more_body": True},
        {"type": "http.disconnect"},
    ]
    whole = [{"type": "http.request", "body": body, "more_body": False}]

    def refused_and_absent(status: int) -> str:
        stored = bench.call("GET", "/subjects/truncated/versions").status_code
        if status != 400 or stored != 404:
            return f"NOT refused: {status}, subject answers {stored}"
        return f"{status}, nothing stored"

    bench.row(
        "registration, body cut after 10 of its bytes",
        "the same registration, whole",
        lambda: through_app(cut),
        lambda: through_app(whole),
        refused_and_absent,
    )


PARTS = (
    regex_in_validate,
    regex_through_the_registry,
    huge_sizes,
    wide_check,
    deep_schemas,
    hostile_names,
    import_exhaustion,
    truncated_body,
)


def main(only: list[str]) -> int:
    """Every part, or only those named on the command line (e.g. `huge_sizes wide_check`)."""
    parts = [part for part in PARTS if not only or part.__name__ in only]
    print(f"Attack / benign, CPU time (best of {ROUNDS}, whole process) and peak Python memory")
    print(f"  {'attack':<58} {'time':>10} {'memory':>10}  outcome")
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(
            database_url=f"sqlite:///{Path(directory) / 'bench.db'}", admin_token=ADMIN_TOKEN
        )
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            bench = Bench(client)
            for part in parts:
                try:
                    part(bench)
                except SetupRefused as refused:
                    bench.failures.append(f"{part.__name__}: {refused}")
                    print(f"  {part.__name__}: NOT run, {refused}", flush=True)
    for failure in bench.failures:
        print(f"FAILED: {failure}")
    print("every attack refused or bounded" if not bench.failures else "some attacks NOT handled")
    return 1 if bench.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
