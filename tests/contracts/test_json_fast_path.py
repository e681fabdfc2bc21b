"""The jsonschema_rs fast path agrees with python-jsonschema, the engine's own verdict."""

from __future__ import annotations

import decimal
import http.server
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema
from jsonschema import (
    Draft4Validator,
    Draft6Validator,
    Draft7Validator,
    Draft201909Validator,
    Draft202012Validator,
)

# The class jsonschema raises for an unresolvable $ref; its stubs only name the deprecated alias.
from jsonschema.exceptions import _RefResolutionError as RefResolutionError  # type: ignore[attr-defined]

from contracts import InvalidSchema
from contracts.json_schema import JSON_SCHEMA, JsonSchema, fast_validator, json_value_problems

CASES = json.loads((Path(__file__).parent / "data" / "json_compatibility.json").read_text())
DRAFTS = {
    "4": "http://json-schema.org/draft-04/schema#",
    "6": "http://json-schema.org/draft-06/schema#",
    "7": "http://json-schema.org/draft-07/schema#",
    "2019-09": "https://json-schema.org/draft/2019-09/schema",
    "2020-12": "https://json-schema.org/draft/2020-12/schema",
}


def _with_draft(schema: Any, uri: str) -> Any:
    if not isinstance(schema, dict):
        return schema
    return {**schema, "$schema": uri}


def _corpus() -> list[tuple[str, Any]]:
    """Every reader and writer of the corpus, under each draft, once, that the engine accepts."""
    seen: set[str] = set()
    out: list[tuple[str, Any]] = []
    for case in CASES:
        for role in ("reader", "writer"):
            for draft, uri in DRAFTS.items():
                schema = _with_draft(case[role], uri)
                text = json.dumps(schema, sort_keys=True)
                if text in seen:
                    continue
                seen.add(text)
                try:
                    JSON_SCHEMA.parse(text)
                except InvalidSchema:
                    continue  # some drafts reject a keyword spelling; the engine is not asked
                out.append((f"{case['why']} [{role}, draft {draft}]", schema))
    return out


CORPUS = _corpus()
FAST_CORPUS = [
    (why, schema) for why, schema in CORPUS if JSON_SCHEMA.parse(json.dumps(schema)).has_fast_path
]

# Mutated and random JSON: the instances hypothesis-jsonschema makes are all valid, so these probe
# the "invalid" side and the corners where engines differ (big and integral numbers, unicode).
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([0.0, -0.0, 1.0, 1e20, 0.1, 0.3, 2.5, 2**53 + 1, 2**64])
    | st.text(max_size=8)
    | st.sampled_from(["", "a\n", "\ufeff", "٣", "é", "😀", "x" * 70, "ada@example.com"]),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.text(max_size=6) | st.sampled_from(["id", "name", "email", "a", "b", "type"]),
            children,
            max_size=5,
        )
    ),
    max_leaves=12,
)


@st.composite
def generated(draw: st.DrawFn, schema: Any) -> Any:
    """An instance hypothesis-jsonschema makes valid; for the recursive schemas it cannot resolve,
    a random value instead."""
    try:
        return draw(from_schema(schema))
    except RefResolutionError:
        return draw(json_values)


@st.composite
def mutated(draw: st.DrawFn, schema: Any) -> Any:
    """A generated instance with one part replaced, dropped or added."""
    document = draw(generated(schema))
    replacement = draw(json_values)
    if isinstance(document, dict) and document:
        key = draw(st.sampled_from(sorted(document)))
        action = draw(st.sampled_from(["replace", "drop", "add"]))
        if action == "replace":
            return {**document, key: replacement}
        if action == "drop":
            return {k: v for k, v in document.items() if k != key}
        return {**document, draw(st.text(max_size=4)): replacement}
    if isinstance(document, list) and document:
        index = draw(st.integers(0, len(document) - 1))
        return [*document[:index], replacement, *document[index + 1 :]]
    return replacement


def test_corpus_is_mostly_on_the_fast_path() -> None:
    """The differential test below means something only if jsonschema_rs is actually used; the
    schemas left out are those kept in Python by design (see fast_validator)."""
    assert len(CORPUS) > 300
    assert len(FAST_CORPUS) >= 0.9 * len(CORPUS), f"{len(FAST_CORPUS)} of {len(CORPUS)} are fast"
    for why, schema in CORPUS:
        if (why, schema) not in FAST_CORPUS:
            text = json.dumps(schema)
            assert "patternProperties" in text or (
                "dependencies" in text and "/draft/20" in text
            ), why


@pytest.mark.parametrize(("why", "schema"), FAST_CORPUS, ids=[why for why, _ in FAST_CORPUS])
def test_fast_verdict_equals_python_jsonschema(why: str, schema: Any) -> None:
    parsed = JSON_SCHEMA.parse(json.dumps(schema))
    fast = fast_validator(parsed.schema, parsed.draft)
    assert fast is not None

    @settings(max_examples=8, suppress_health_check=list(HealthCheck))
    @given(st.one_of(generated(schema), mutated(schema), json_values))
    def agree(instance: Any) -> None:
        expected = parsed.validator.is_valid(instance)
        assert fast.is_valid(instance) == expected, instance
        assert (parsed.validate(instance) == []) == expected, instance

    agree()


# Where jsonschema_rs alone disagrees with python-jsonschema: each row must still get the engine's
# verdict through JsonSchema.validate. (schema, message, why)
DIVERGENT: list[tuple[dict[str, Any], Any, str]] = [
    # Patterns: Accord's ECMA-262 matcher decides on both paths, never Rust's or Python's dialect.
    ({"pattern": "^\\s$"}, "\ufeff", "ECMA's \\s matches U+FEFF (Python's does not)"),
    ({"pattern": "^a$"}, "a\n", "ECMA's $ is the end (Python's matches before a final newline)"),
    ({"pattern": "^\\d$"}, "٣", "ECMA's \\d is ASCII (Python's is any Unicode digit)"),
    ({"pattern": "^\\w+$"}, "é", "ECMA's \\w is ASCII (Python's is Unicode)"),
    ({"propertyNames": {"pattern": "^\\s$"}}, {"\ufeff": 1}, "pattern on property names"),
    ({"multipleOf": 0.1}, 0.3, "python-jsonschema's float quotient 2.9999999999999996"),
    ({"multipleOf": 0.01}, 19.99, "the same float arithmetic"),
    ({"type": "array"}, (1, 2), "jsonschema_rs reads a tuple as an array"),
    ({"type": "integer"}, decimal.Decimal("1"), "jsonschema_rs reads Decimal('1') as integer"),
    ({"type": "number"}, float("nan"), "python-jsonschema accepts NaN as a number"),
    ({"maxLength": 1}, "\ud800", "a lone surrogate cannot cross into Rust"),
    ({"type": "object"}, {1: "x"}, "a non-string key cannot cross into Rust"),
    (
        {"$schema": DRAFTS["2020-12"], "dependencies": {"a": ["b"]}},
        {"a": 1},
        "jsonschema_rs applies draft 7's dependencies in 2020-12; python-jsonschema does not",
    ),
    (
        {"$schema": DRAFTS["4"], "minimum": 1, "exclusiveMinimum": True},
        1,
        "draft 4's boolean exclusiveMinimum excludes the bound",
    ),
    (
        {"$schema": DRAFTS["4"], "maximum": 1, "exclusiveMaximum": False},
        1,
        "draft 4's exclusiveMaximum false keeps the bound",
    ),
    (
        {"$schema": DRAFTS["4"], "const": 1},
        2,
        "const is not a draft 4 keyword: anything is valid",
    ),
    (
        {"patternProperties": {"^\\s$": {"type": "integer"}}, "additionalProperties": False},
        {"\ufeff": 1},
        "patternProperties select keys by regex dialect: such schemas stay in Python",
    ),
]


@pytest.mark.parametrize(("schema", "message", "why"), DIVERGENT, ids=[d[2] for d in DIVERGENT])
def test_divergent_constructs_get_the_engine_verdict(schema: Any, message: Any, why: str) -> None:
    parsed = JSON_SCHEMA.parse(json.dumps(schema))
    assert isinstance(parsed, JsonSchema)
    # Values JSON would not send back as themselves (tuples, NaN, non-string keys…) are refused
    # before any engine sees them; every other value gets python-jsonschema's verdict.
    expected = parsed.validator.is_valid(message) and not json_value_problems(message)
    assert (parsed.validate(message) == []) == expected
    assert parsed.validate(message) == parsed.explain(message)


def test_the_fast_path_is_used_for_patterns_and_multiple_of() -> None:
    """Routing is decided at parse time; Python-semantics keywords keep a schema on the fast path."""
    for schema in ({"pattern": "^a$"}, {"multipleOf": 0.1}, {"type": "array"}):
        assert JSON_SCHEMA.parse(json.dumps(schema)).has_fast_path
    assert not JSON_SCHEMA.parse(json.dumps({"patternProperties": {"a": {}}})).has_fast_path
    dependencies = {"dependencies": {"a": ["b"]}}
    assert JSON_SCHEMA.parse(json.dumps(dependencies)).has_fast_path  # draft 7 agrees
    for older in ("4", "6"):
        assert JSON_SCHEMA.parse(
            json.dumps({"$schema": DRAFTS[older], **dependencies})
        ).has_fast_path
    later = {"$schema": DRAFTS["2019-09"], **dependencies}
    assert not JSON_SCHEMA.parse(json.dumps(later)).has_fast_path


def test_the_fast_path_never_retrieves() -> None:
    """A remote reference does not compile offline: no fast path, and no request is made."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            body = b'{"type": "string"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/schema+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return None

    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/schema.json"
            for draft in (
                Draft4Validator,
                Draft6Validator,
                Draft7Validator,
                Draft201909Validator,
                Draft202012Validator,
            ):
                assert fast_validator({"$ref": url}, draft) is None
                nested = {"$ref": "#/$defs/a", "$defs": {"a": {"$ref": url}}}
                assert fast_validator(nested, draft) is None
                unused = fast_validator({"$defs": {"a": {"$ref": url}}}, draft)
                assert unused is None or unused.is_valid(1)  # compiled lazily, never fetched
        finally:
            server.shutdown()
            thread.join()
    assert requests == []
