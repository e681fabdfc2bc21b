"""A third schema format plugs in through contracts' protocol alone: the clients publish and decode it unchanged."""

from __future__ import annotations

import hashlib
import json

import pytest

import contracts.formats
from clients import (
    ATTR_ENCODING,
    ATTR_SCHEMA_TYPE,
    ContractViolation,
    DecodeError,
    IncompatibleSchema,
    InvalidMessage,
    MessageDecoder,
    RegistryClient,
    ValidatingPublisher,
)
from contracts import (
    CompatibilityPolicy,
    Encoding,
    EncodingError,
    Finding,
    FindingKind,
    InvalidSchema,
    MessageRejected,
    ParsedSchema,
    SchemaType,
    check_pair,
    get_format,
    parse_schema,
    register_format,
)
from tests.clients.fake_registry import FakeRegistry

KEY_VALUE = SchemaType("KEYVALUE")


class KeyValueSchema:
    """A TEST STUB format: a schema is a JSON list of required keys; a message is a dict of exactly
    those keys to text values, sent as `key=value` lines (binary only)."""

    schema_type = KEY_VALUE
    encodings: tuple[Encoding, ...] = ("binary",)

    def __init__(self, text: str, keys: tuple[str, ...]) -> None:
        self.text = text
        self.keys = keys
        self.canonical = json.dumps(sorted(keys))
        self.fingerprint = hashlib.sha256(self.canonical.encode()).hexdigest()

    def validate(self, message: object) -> list[Finding]:
        if type(message) is not dict:
            return [Finding(FindingKind.WRONG_TYPE, (), "a key-value message is a dict")]
        findings = [
            Finding(FindingKind.MISSING_FIELD, (k,), f"no {k!r}")
            for k in self.keys
            if k not in message
        ]
        for key, value in message.items():
            if key not in self.keys:
                findings.append(
                    Finding(FindingKind.UNEXPECTED_FIELD, (key,), f"{key!r} is not a key")
                )
            elif type(value) is not str or "\n" in value or not value.isascii():
                findings.append(
                    Finding(FindingKind.WRONG_TYPE, (key,), "values are one line of ASCII")
                )
        return findings

    explain = validate

    def encode(self, message: object, *, encoding: Encoding | None = None) -> bytes:
        if encoding not in (None, "binary"):
            raise EncodingError(f"key-value payloads are binary, not {encoding}")
        findings = self.validate(message)
        if findings:
            raise MessageRejected(findings)
        assert isinstance(message, dict)
        return "\n".join(f"{k}={message[k]}" for k in self.keys).encode("ascii")

    def decode(
        self, data: bytes, *, encoding: Encoding | None = None, reader: ParsedSchema | None = None
    ) -> object:
        try:
            message = dict(line.split("=", 1) for line in data.decode("ascii").split("\n"))
        except ValueError as exc:
            raise EncodingError(f"not key=value lines: {exc}") from exc
        if self.validate(message):
            raise EncodingError("the payload was not written with this schema")
        if reader is None:
            return message
        assert isinstance(reader, KeyValueSchema)
        missing = [
            Finding(FindingKind.MISSING_FIELD, (k,), f"no {k!r}")
            for k in reader.keys
            if k not in message
        ]
        if missing:
            raise MessageRejected(missing)
        return {k: message[k] for k in reader.keys}


class KeyValueFormat:
    schema_type = KEY_VALUE

    def parse(self, text: str) -> KeyValueSchema:
        keys = json.loads(text)
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise InvalidSchema("a key-value schema is a JSON list of key names", "/")
        return KeyValueSchema(text, tuple(keys))

    def check(
        self,
        reader: ParsedSchema,
        writer: ParsedSchema,
        *,
        policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    ) -> list[Finding]:
        assert isinstance(reader, KeyValueSchema)
        assert isinstance(writer, KeyValueSchema)
        return [
            Finding(FindingKind.REQUIRED_FIELD_NOT_SENT, (k,), "not written")
            for k in reader.keys
            if k not in writer.keys
        ]


@pytest.fixture
def key_value_format(monkeypatch: pytest.MonkeyPatch) -> None:
    # Registered for this test only: the registry of formats is process-wide.
    monkeypatch.setattr(contracts.formats, "_FORMATS", dict(contracts.formats._FORMATS))
    register_format(KeyValueFormat())


def test_a_third_format_is_published_and_decoded_by_the_unchanged_clients(pubsub, key_value_format):
    assert isinstance(get_format("keyvalue"), KeyValueFormat)
    writer, reader = '["id", "name", "email"]', '["id", "email"]'
    assert check_pair(parse_schema("KEYVALUE", reader), parse_schema("KEYVALUE", writer)).compatible
    fake = FakeRegistry()
    fake.add("SIGNUPS", writer, "KEYVALUE")
    registry = RegistryClient("http://registry.test", http=fake.client(), sleep=lambda s: None)
    (subscription,) = pubsub.create_topic("SIGNUPS", "marketing")
    publisher = ValidatingPublisher(registry, pubsub.publisher, project_id=pubsub.project)
    decoder = MessageDecoder(registry, contracts={"SIGNUPS": reader})
    received = pubsub.listen(subscription, decoder.decode)

    with pytest.raises(InvalidMessage) as refused:
        publisher.publish("SIGNUPS", {"id": "1", "name": "Ada"})
    assert [f.pointer for f in refused.value.findings] == ["/email"]
    publisher.publish("SIGNUPS", {"id": "1", "name": "Ada", "email": "a@x"}).result(timeout=10)

    assert received.wait_for(1)
    assert received.errors == []
    assert received.results == [{"id": "1", "email": "a@x"}]
    (sent,) = pubsub.published("SIGNUPS")
    assert sent.data == b"id=1\nname=Ada\nemail=a@x"
    assert sent.attributes[ATTR_SCHEMA_TYPE] == "KEYVALUE"
    assert sent.attributes[ATTR_ENCODING] == "binary"

    # The format's refusals reach the consumer as the clients' own errors.
    stricter = MessageDecoder(registry, contracts={"SIGNUPS": '["id", "phone"]'})
    with pytest.raises(ContractViolation):
        stricter.decode(sent)
    with pytest.raises(DecodeError):
        decoder.decode(type(sent)(data=b"garbage", attributes=dict(sent.attributes)))


def test_the_registry_app_registers_and_serves_a_third_format(sqlite_database, key_value_format):
    """The registry stores and serves the new format through the same protocol, untouched."""
    import warnings

    from starlette.exceptions import StarletteDeprecationWarning

    from registry import Settings, create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StarletteDeprecationWarning)
        from fastapi.testclient import TestClient

    app = create_app(Settings(database_url=sqlite_database))
    with TestClient(app) as http:
        registry = RegistryClient("http://testserver", http=http, sleep=lambda s: None)
        first = registry.register_schema("SIGNUPS", '["id", "name"]', "KEYVALUE")
        # The topic's level (BACKWARD) is applied through the format's own check.
        with pytest.raises(IncompatibleSchema, match="/email"):
            registry.register_schema("SIGNUPS", '["id", "name", "email"]', "KEYVALUE")
        second = registry.register_schema("SIGNUPS", '["name"]', "KEYVALUE")
        assert (first.version, second.version) == (1, 2)
        fetched = registry.get_schema(second.schema_id)
        assert fetched.schema_type == KEY_VALUE
        assert fetched.parsed.validate({"name": "Ada"}) == []
