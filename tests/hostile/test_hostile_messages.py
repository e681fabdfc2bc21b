"""Hostile messages: what a format accepts is exactly what it sends, and no message outruns the depth limit."""

from __future__ import annotations

import enum
import json
import math
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft7Validator

from clients import (
    ATTR_ENCODING,
    ATTR_SCHEMA_ID,
    ATTR_TOPIC,
    DecodeError,
    InvalidArgument,
    InvalidMessage,
    MessageDecoder,
    RegistryClient,
    ValidatingPublisher,
)
from contracts import MAX_DEPTH, EncodingError, MessageRejected, parse_schema
from tests.clients.fake_registry import FakeRegistry
from tests.support.publisher import SpyPublisher

LINKED_LIST = json.dumps(
    {"type": "record", "name": "Node", "fields": [{"name": "next", "type": ["null", "Node"]}]}
)
# JSON schemas whose rules look at keys, types and numbers: where a converted value would differ.
JSON_SCHEMAS = [
    {},
    {"type": "object", "properties": {"1": {"type": "string"}, "true": {"type": "string"}}},
    {"type": "object", "additionalProperties": {"type": "integer"}},
    {"type": "array", "items": {"type": ["number", "string", "null"]}},
    {"type": "array", "maxItems": 2},
    {"anyOf": [{"type": "number"}, {"type": "boolean"}, {"type": "string", "maxLength": 3}]},
    {"type": "object", "propertyNames": {"pattern": "^[a-z]*$"}},
]


class Colour(enum.StrEnum):
    RED = "red"


class Text(str):
    pass


def strict_equal(a: object, b: object) -> bool:
    """Equal and of the same exact types all the way down (1 == True == 1.0 in Python)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return a.keys() == b.keys() and all(strict_equal(a[k], b[k]) for k in a)
    if isinstance(a, list):
        assert isinstance(b, list)
        return len(a) == len(b) and all(strict_equal(x, y) for x, y in zip(a, b, strict=True))
    return a == b


leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(codec=None), max_size=4),  # lone surrogates included
    st.sampled_from([Colour.RED, Text("x"), b"bytes", 2**14000]),
)
keys = st.one_of(
    st.text(st.characters(codec=None), max_size=3),
    st.integers(-2, 2),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, width=16),
)
python_values = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(keys, inner, max_size=3),
    ),
    max_leaves=12,
)


@given(schema=st.sampled_from(JSON_SCHEMAS), message=python_values)
def test_what_json_validation_accepts_is_exactly_what_is_sent(schema: Any, message: Any) -> None:
    parsed = parse_schema("JSON", json.dumps(schema))
    findings = parsed.validate(message)
    if findings:
        with pytest.raises(MessageRejected) as refused:
            parsed.encode(message)
        assert list(refused.value.findings) == findings
        return
    sent = json.loads(parsed.encode(message))
    assert strict_equal(sent, message), (sent, message)
    assert parsed.validate(sent) == []
    assert Draft7Validator(schema).is_valid(sent)  # the independent oracle agrees
    assert strict_equal(parsed.decode(parsed.encode(message)), message)


@pytest.mark.parametrize(
    ("schema", "message", "kind", "why"),
    [
        (
            {"properties": {"1": {"type": "string"}}},
            {1: 5},
            "WRONG_TYPE",
            'the rule for "1" never saw the int key, and JSON would send {"1": 5}',
        ),
        ({"type": "array"}, (1, 2), "WRONG_TYPE", "a tuple is sent as an array"),
        ({"type": "number"}, math.nan, "WRONG_TYPE", "json.dumps writes NaN, which is not JSON"),
        ({"type": "number"}, -math.inf, "WRONG_TYPE", "-Infinity is not JSON either"),
        ({"type": "string"}, "\ud800", "ENCODING_FAILED", "a lone surrogate cannot be UTF-8"),
        ({"type": "string"}, Text("x"), "WRONG_TYPE", "a str subclass is not a plain JSON value"),
        ({"type": "integer"}, True, "WRONG_TYPE", "a bool is a JSON boolean, never an integer"),
        ({"type": "object"}, {"k": {1, 2}}, "WRONG_TYPE", "a set has no JSON form"),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else "",
)
def test_values_json_would_send_differently_are_refused(
    schema: Any, message: Any, kind: str, why: str
) -> None:
    parsed = parse_schema("JSON", json.dumps(schema))
    findings = parsed.validate(message)
    assert [f.kind for f in findings] == [kind], why
    assert parsed.explain(message) == findings


def nested_lists(depth: int) -> Any:
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


def linked_list(depth: int) -> Any:
    value: Any = None
    for _ in range(depth):
        value = {"next": value}
    return value


@pytest.mark.parametrize("schema_type", ["JSON", "AVRO"])
def test_messages_are_accepted_up_to_the_depth_limit_and_refused_beyond(schema_type: str) -> None:
    if schema_type == "JSON":
        parsed, build = parse_schema("JSON", "{}"), nested_lists
    else:
        parsed, build = parse_schema("AVRO", LINKED_LIST), linked_list
    deepest = build(MAX_DEPTH)
    assert parsed.validate(deepest) == []
    assert parsed.decode(parsed.encode(deepest)) == deepest
    for depth in (MAX_DEPTH + 1, 5000):  # 5000: far past the interpreter's recursion limit
        findings = parsed.validate(build(depth))
        assert [f.kind for f in findings] == ["TOO_DEEP"]
        assert f"{MAX_DEPTH} levels" in findings[0].message
        with pytest.raises(MessageRejected):
            parsed.encode(build(depth))


@pytest.mark.parametrize(
    ("schema_type", "schema", "payload", "encoding"),
    [
        ("JSON", "{}", b"[" * 5000 + b"]" * 5000, "json"),
        ("JSON", "{}", json.dumps(nested_lists(MAX_DEPTH + 1)).encode(), "json"),
        # fastavro's compiled reader crashed the process on this one (10 KB, 10000 levels deep)
        ("AVRO", LINKED_LIST, b"\x02" * 10_000 + b"\x00", "binary"),
        ("AVRO", LINKED_LIST, b"\x02" * (MAX_DEPTH + 1) + b"\x00", "binary"),
        ("AVRO", LINKED_LIST, b'{"next":{"Node":' * 3000 + b"null" + b"}}" * 3000, "json"),
    ],
)
def test_deep_payloads_are_decode_errors(
    schema_type: str, schema: str, payload: bytes, encoding: str
) -> None:
    parsed = parse_schema(schema_type, schema)
    with pytest.raises(EncodingError, match=f"more than {MAX_DEPTH} levels"):
        parsed.decode(payload, encoding=encoding)  # type: ignore[arg-type]
    fake = FakeRegistry()
    schema_id, _ = fake.add("DEEP", schema, schema_type)
    decoder = MessageDecoder(RegistryClient("http://registry.test", http=fake.client()))
    message = SimpleNamespace(
        data=payload,
        attributes={ATTR_SCHEMA_ID: str(schema_id), ATTR_TOPIC: "DEEP", ATTR_ENCODING: encoding},
    )
    with pytest.raises(DecodeError, match=f"more than {MAX_DEPTH} levels"):
        decoder.decode(message)


@pytest.fixture
def publisher_and_spy() -> tuple[ValidatingPublisher, SpyPublisher]:
    fake = FakeRegistry()
    fake.add("NODES", LINKED_LIST)
    fake.add("DOCS", json.dumps({"type": "object"}), "JSON")
    fake.add(
        "NAMES",
        json.dumps({"type": "record", "name": "N", "fields": [{"name": "name", "type": "string"}]}),
    )
    spy = SpyPublisher()
    registry = RegistryClient("http://registry.test", http=fake.client())
    return ValidatingPublisher(registry, spy, project_id="p"), spy


@pytest.mark.parametrize(
    ("topic", "message", "kind"),
    [
        ("NODES", linked_list(2000), "TOO_DEEP"),
        ("DOCS", {"a": nested_lists(2000)}, "TOO_DEEP"),
        ("DOCS", {"name": "\udcff"}, "ENCODING_FAILED"),
        ("NAMES", {"name": "\ud800"}, "ENCODING_FAILED"),
        ("DOCS", {1: 5}, "WRONG_TYPE"),
        ("DOCS", {"x": math.nan}, "WRONG_TYPE"),
    ],
)
def test_the_publisher_refuses_hostile_messages_as_invalid_messages(
    publisher_and_spy: tuple[ValidatingPublisher, SpyPublisher], topic: str, message: Any, kind: str
) -> None:
    publisher, spy = publisher_and_spy
    with pytest.raises(InvalidMessage) as refused:
        publisher.publish(topic, message)
    assert [f.kind for f in refused.value.findings] == [kind]
    assert spy.calls == []


@pytest.mark.parametrize(
    ("attributes", "ordering_key", "why"),
    [
        ({"accord_topic": "x"}, "", "the accord_* names are Accord's"),
        ({"googclient": "x"}, "", "the goog* names are Google's"),
        ({"source": "\ud800"}, "", "a lone surrogate in a value"),
        ({"\udc80": "x"}, "", "a lone surrogate in a name"),
        ({"n": 5}, "", "values are text"),
        ({"big": "x" * 1025}, "", "values up to 1024 bytes"),
        ({f"a{i}": "x" for i in range(96)}, "", "at most 100 attributes with Accord's five"),
        ({}, "\ud800", "the ordering key is UTF-8 text"),
    ],
)
def test_attributes_pubsub_cannot_carry_are_invalid_arguments(
    publisher_and_spy: tuple[ValidatingPublisher, SpyPublisher],
    attributes: dict[str, Any],
    ordering_key: str,
    why: str,
) -> None:
    publisher, spy = publisher_and_spy
    with pytest.raises(InvalidArgument):
        publisher.publish("NAMES", {"name": "ok"}, ordering_key=ordering_key, **attributes)
    assert spy.calls == [], why


def test_the_publisher_refuses_a_version_that_is_not_a_positive_integer(
    publisher_and_spy: tuple[ValidatingPublisher, SpyPublisher],
) -> None:
    publisher, spy = publisher_and_spy
    for version in (0, -1, True, "1"):
        with pytest.raises(InvalidArgument):
            publisher.publish("NAMES", {"name": "ok"}, version=version)  # type: ignore[arg-type]
    assert spy.calls == []
    publisher.publish("NAMES", {"name": "ok"}, version=1)
    assert len(spy.calls) == 1


@pytest.mark.parametrize(
    "attributes",
    [
        {},
        {ATTR_SCHEMA_ID: "-7"},
        {ATTR_SCHEMA_ID: "0"},
        {ATTR_SCHEMA_ID: " 1"},
        {
            ATTR_SCHEMA_ID: "\u0661"
        },  # an Arabic-Indic 1: int() takes it, the publisher never wrote it
        {ATTR_SCHEMA_ID: "True"},
        {ATTR_SCHEMA_ID: "1", ATTR_ENCODING: "binary"},  # a JSON Schema topic is never binary
        {ATTR_SCHEMA_ID: "1", ATTR_TOPIC: 7},
    ],
)
def test_malformed_attributes_are_decode_errors(attributes: dict[str, Any]) -> None:
    fake = FakeRegistry()
    fake.add("DOCS", json.dumps({"type": "object"}), "JSON")
    decoder = MessageDecoder(RegistryClient("http://registry.test", http=fake.client()))
    with pytest.raises(DecodeError):
        decoder.decode(SimpleNamespace(data=b"{}", attributes=attributes))
    with pytest.raises(DecodeError):  # data that is not bytes
        decoder.decode(SimpleNamespace(data="{}", attributes={ATTR_SCHEMA_ID: "1"}))
