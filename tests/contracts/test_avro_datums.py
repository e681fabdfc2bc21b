"""Messages generated from a schema validate, round-trip through fastavro, and mutants are refused."""

from __future__ import annotations

import datetime
import decimal
import io
import json
import uuid
from typing import Any

import fastavro
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts import MessageRejected, parse_schema
from contracts.avro import (
    Array,
    AvroSchema,
    AvroType,
    Enum,
    Fixed,
    Map,
    Primitive,
    Record,
    Union,
)

UTC = datetime.UTC


def _logical(node: Primitive) -> st.SearchStrategy[Any] | None:
    ms = st.integers(0, 999).map(lambda n: n * 1000)
    aware = st.datetimes(
        min_value=datetime.datetime(1900, 1, 1), max_value=datetime.datetime(2200, 1, 1)
    )
    match node.logical:
        case "date":
            return st.dates(min_value=datetime.date(1, 1, 1))
        case "time-millis":
            return st.builds(lambda t, u: t.replace(microsecond=u), st.times(), ms)
        case "time-micros":
            return st.times()
        case "timestamp-millis":
            return st.builds(lambda d, u: d.replace(microsecond=u, tzinfo=UTC), aware, ms)
        case "timestamp-micros":
            return aware.map(lambda d: d.replace(tzinfo=UTC))
        case "local-timestamp-millis":
            return st.builds(lambda d, u: d.replace(microsecond=u), aware, ms)
        case "local-timestamp-micros":
            return aware
        case "uuid":
            return st.uuids()
        case "decimal":
            top = 10 ** (node.precision - node.scale) - 1
            return st.decimals(
                min_value=-top, max_value=top, places=node.scale, allow_nan=False
            ).map(lambda d: d.quantize(decimal.Decimal(1).scaleb(-node.scale)))
    return None


def datums(
    node: AvroType,
    *,
    depth: int = 0,
    utf8_bytes: bool = False,
    logical: bool = True,
    complete: bool = False,
) -> st.SearchStrategy[Any]:
    """Valid messages for `node`. `utf8_bytes`: bytes that are UTF-8 text (see the compatibility
    tests); `logical`: logical types as their Python classes (else the underlying raw values);
    `complete`: every field present (else fields with a default may be omitted)."""
    deep = depth > 3  # recursive schemas: stop growing, take empty collections and first branches

    def sub(child: AvroType) -> st.SearchStrategy[Any]:
        return datums(
            child, depth=depth + 1, utf8_bytes=utf8_bytes, logical=logical, complete=complete
        )

    if isinstance(node, Primitive):
        if logical and node.logical and (found := _logical(node)) is not None:
            return found
        return {
            "null": st.none(),
            "boolean": st.booleans(),
            "int": st.integers(-(2**31), 2**31 - 1),
            "long": st.integers(-(2**63), 2**63 - 1),
            "float": st.floats(width=32, allow_nan=False),
            "double": st.floats(allow_nan=False),
            "bytes": st.text(max_size=6).map(str.encode) if utf8_bytes else st.binary(max_size=6),
            "string": st.text(max_size=6),
        }[node.kind]
    if isinstance(node, Enum):
        return st.sampled_from(node.symbols)
    if isinstance(node, Fixed):
        return st.binary(min_size=node.size, max_size=node.size)
    if isinstance(node, Array):
        return st.just([]) if deep else st.lists(sub(node.items), max_size=3)
    if isinstance(node, Map):
        return (
            st.just({})
            if deep
            else st.dictionaries(st.text(max_size=4), sub(node.values), max_size=3)
        )
    if isinstance(node, Union):
        if deep:
            return sub(min(node.branches, key=lambda b: not isinstance(b, Primitive)))
        return st.one_of([sub(b) for b in node.branches])
    required = {f.name: sub(f.type) for f in node.fields if complete or deep or not f.has_default}
    optional = {f.name: sub(f.type) for f in node.fields if f.name not in required}
    return st.fixed_dictionaries(required, optional=optional)


def raw_roundtrip(schema: AvroSchema, payload: bytes) -> Any:
    return fastavro.schemaless_reader(io.BytesIO(payload), schema.fastavro_schema)


_ORDER = parse_schema(
    "AVRO",
    json.dumps(
        {
            "type": "record",
            "name": "Order",
            "namespace": "com.acme.shop",
            "fields": [
                {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
                {"name": "placed", "type": {"type": "long", "logicalType": "timestamp-millis"}},
                {"name": "day", "type": {"type": "int", "logicalType": "date"}},
                {
                    "name": "total",
                    "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2},
                },
                {"name": "count", "type": "int"},
                {"name": "weight", "type": "float"},
                {"name": "note", "type": ["null", "string"], "default": None},
                {"name": "flags", "type": {"type": "map", "values": "boolean"}, "default": {}},
                {"name": "digest", "type": {"type": "fixed", "name": "Digest", "size": 4}},
                {
                    "name": "status",
                    "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID"]},
                },
                {
                    "name": "customer",
                    "type": {
                        "type": "record",
                        "name": "Customer",
                        "fields": [
                            {"name": "email", "type": "string"},
                            {"name": "vip", "type": "boolean", "default": False},
                            {"name": "raw", "type": "bytes"},
                        ],
                    },
                },
                {
                    "name": "lines",
                    "type": {
                        "type": "array",
                        "items": {
                            "type": "record",
                            "name": "Line",
                            "fields": [
                                {"name": "sku", "type": "string"},
                                {"name": "qty", "type": "long"},
                                {"name": "price", "type": ["null", "double"]},
                            ],
                        },
                    },
                },
                {"name": "parent", "type": ["null", "Order"], "default": None},
            ],
        }
    ),
)
assert isinstance(_ORDER, AvroSchema)
ORDER: AvroSchema = _ORDER  # the Avro model (root, fastavro_schema), not only the protocol
assert isinstance(ORDER, AvroSchema)


def _nest_once(message: dict[str, Any]) -> dict[str, Any]:
    # fastavro 1.13's JSON reader fails on a recursive record nested twice (a fastavro limit, not
    # a schema rule), so the round-trip messages nest `parent` at most once.
    if message.get("parent") is not None:
        message["parent"]["parent"] = None
    return message


ORDER_MESSAGES = datums(ORDER.root, complete=True).map(_nest_once)
PARTIAL_MESSAGES = datums(ORDER.root).map(_nest_once)


@settings(max_examples=60)
@given(ORDER_MESSAGES)
def test_generated_messages_validate_and_round_trip(message: dict[str, Any]) -> None:
    assert ORDER.validate(message) == []
    payload = ORDER.encode(message)
    decoded = raw_roundtrip(ORDER, payload)  # fastavro itself is the oracle
    assert ORDER.decode(payload) == decoded
    for key, value in message.items():
        assert decoded[key] == value
    as_json = ORDER.encode(message, encoding="json")
    assert ORDER.decode(as_json, encoding="json") == decoded


@settings(max_examples=40)
@given(PARTIAL_MESSAGES)
def test_omitted_fields_take_their_defaults(message: dict[str, Any]) -> None:
    assert ORDER.validate(message) == []
    decoded: Any = ORDER.decode(ORDER.encode(message))
    assert decoded == ORDER.decode(ORDER.encode(message, encoding="json"), encoding="json")
    assert decoded["note"] == message.get("note")  # the default, null, when omitted
    assert decoded["flags"] == message.get("flags", {})


@settings(max_examples=60)
@given(ORDER_MESSAGES, st.data())
def test_removed_required_field_is_reported_at_its_path(message: dict[str, Any], data: Any) -> None:
    assert isinstance(ORDER.root, Record)
    required = [f.name for f in ORDER.root.fields if not f.has_default]
    gone = data.draw(st.sampled_from(required))
    del message[gone]
    assert [(f.kind, f.pointer) for f in ORDER.validate(message)] == [("MISSING_FIELD", f"/{gone}")]
    with pytest.raises(MessageRejected):
        ORDER.encode(message)


WRONG = {"string": 3, "int": "3", "long": 2**63, "float": "x", "bytes": "x", "boolean": 1}


@settings(max_examples=60)
@given(ORDER_MESSAGES, st.data())
def test_wrong_nested_type_is_reported_at_its_path(message: dict[str, Any], data: Any) -> None:
    customer = message["customer"]
    field = data.draw(st.sampled_from(["email", "raw"]))
    customer[field] = WRONG["string" if field == "email" else "bytes"]
    assert [(f.kind, f.pointer) for f in ORDER.validate(message)] == [
        ("WRONG_TYPE", f"/customer/{field}")
    ]
    if message["lines"]:
        message["lines"][-1]["qty"] = 2**63
        paths = {f.pointer for f in ORDER.validate(message)}
        assert f"/lines/{len(message['lines']) - 1}/qty" in paths
    with pytest.raises(MessageRejected):
        ORDER.encode(message, encoding="json")


def mutants(node: AvroType) -> st.SearchStrategy[Any]:
    """Anything at all, valid or not: the two views of validation must agree on it."""
    valid = datums(node, logical=False)
    junk = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=3),
        st.binary(max_size=5),
        st.just(uuid.UUID(int=1)),
        st.just(decimal.Decimal("1.005")),
        st.just(decimal.Decimal("NaN")),
        st.just(datetime.date(2020, 1, 1)),
    )
    return st.one_of(
        valid,
        junk,
        st.recursive(
            junk,
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.sampled_from(["email", "sku", "qty", "x"]), inner, max_size=3)
            ),
            max_leaves=6,
        ),
        valid.flatmap(_perturb),
    )


def _perturb(message: Any) -> st.SearchStrategy[Any]:
    if isinstance(message, dict) and message:
        return st.sampled_from(sorted(message)).flatmap(
            lambda key: st.one_of(
                st.just({k: v for k, v in message.items() if k != key}),
                st.just({**message, key: None}),
                st.just({**message, key + "_typo": 1}),
                _perturb(message[key]).map(lambda inner: {**message, key: inner}),
            )
        )
    if isinstance(message, list) and message:
        return st.just([*message, 1.5])
    return st.sampled_from([None, 1, 1.0, "s", b"b", 2**40, 2**70, 1e39])


SCHEMAS = [
    ORDER,
    parse_schema("AVRO", '["null", "int", "string", {"type": "array", "items": "float"}]'),
    parse_schema("AVRO", '{"type": "map", "values": ["null", "long", "double"]}'),
    parse_schema(
        "AVRO",
        '{"type": "fixed", "name": "F", "size": 2, "logicalType": "decimal", '
        '"precision": 4, "scale": 1}',
    ),
]


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.canonical[:30])
@settings(max_examples=100)
@given(data=st.data())
def test_fast_check_and_explanation_agree_and_nothing_invalid_is_encoded(
    schema: AvroSchema, data: Any
) -> None:
    message = data.draw(mutants(schema.root))
    problems = schema.explain(message)
    assert schema.is_valid(message) == (problems == [])
    assert schema.validate(message) == problems
    for encoding in ("binary", "json"):
        if problems:
            with pytest.raises(MessageRejected):
                schema.encode(message, encoding=encoding)
        else:
            payload = schema.encode(message, encoding=encoding)
            schema.decode(payload, encoding=encoding)


@pytest.mark.parametrize(
    "payload",
    [b"", b"\x05", b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", b"\x02\x08abcd" * 40],
)
def test_garbage_is_an_encoding_error_never_a_raw_exception(payload: bytes) -> None:
    from contracts import EncodingError

    with pytest.raises(EncodingError):
        ORDER.decode(payload)
    with pytest.raises(EncodingError):
        ORDER.decode(payload, encoding="json")
