"""Hostile registry answers and arguments: every client failure is an AccordError, and nothing malformed is used."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from clients import (
    ATTR_SCHEMA_ID,
    AccordError,
    DecodeError,
    InvalidArgument,
    MessageDecoder,
    RegistryClient,
    RegistryError,
    UnknownTopic,
    ValidatingPublisher,
)
from contracts import MAX_DEPTH
from tests.clients.fake_registry import FakeRegistry, ok
from tests.support.publisher import SpyPublisher

TOPIC = "NAMES"
NAMES = json.dumps({"type": "record", "name": "N", "fields": [{"name": "name", "type": "string"}]})
# Deeper than the limit: such a schema can only have been stored before the limit existed.
TOO_DEEP = json.dumps({"not": json.loads("{" + '"not":{' * MAX_DEPTH + "}" * MAX_DEPTH + "}")})


@pytest.fixture
def fake() -> FakeRegistry:
    registry = FakeRegistry()
    registry.add(TOPIC, NAMES)
    return registry


def client(fake: FakeRegistry, **options: Any) -> RegistryClient:
    return RegistryClient(
        "http://registry.test", http=fake.client(), sleep=lambda s: None, **options
    )


def version_answer(**changes: Any) -> httpx.Response:
    body = {"subject": TOPIC, "version": 1, "id": 1, "schemaType": "AVRO", "schema": NAMES}
    body.update(changes)
    return ok({k: v for k, v in body.items() if v is not ...})


DEEP_JSON = b"[" * 100_000 + b"]" * 100_000


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (version_answer(id=True), 'published as accord_schema_id "True" before'),
        (version_answer(id=-7), 'published as accord_schema_id "-7" before'),
        (version_answer(id=0), "ids start at 1"),
        (version_answer(id="1"), "an id is a number"),
        (version_answer(version=-1), "versions start at 1"),
        (version_answer(version=True), "a JSON true is not a version"),
        (version_answer(version=2), "asked for version 1, answered another"),
        (version_answer(version=...), "no version at all"),
        (version_answer(schemaType=5), "schemaType is a string"),
        (version_answer(schemaType="PROTOBUF"), "a format this client does not have"),
        (version_answer(schema={"type": "string"}), "schema is text"),
        (ok([1, 2]), "not an object"),
        (httpx.Response(200, content=DEEP_JSON), "nested past the interpreter's recursion limit"),
        (httpx.Response(200, content=b"\xff"), "not UTF-8"),
    ],
)
def test_malformed_version_answers_are_registry_errors(
    fake: FakeRegistry, answer: httpx.Response, why: str
) -> None:
    fake.script.append(answer)
    spy = SpyPublisher()
    publisher = ValidatingPublisher(client(fake), spy, project_id="p")
    with pytest.raises(RegistryError):
        publisher.publish(TOPIC, {"name": "ok"}, version=1)
    assert spy.calls == [], why


@pytest.mark.parametrize(
    ("call", "answer"),
    [
        (lambda c: c.register_schema(TOPIC, NAMES), ok({"id": True, "version": 1})),
        (lambda c: c.register_schema(TOPIC, NAMES), ok({"id": 3, "version": 0})),
        (lambda c: c.lookup_schema(TOPIC, NAMES), ok({"id": 3, "version": "1"})),
        (lambda c: c.get_versions(TOPIC), ok([1, True])),
        (lambda c: c.get_versions(TOPIC), ok([0])),
        (lambda c: c.get_subjects(), ok(["a", 1])),
        (lambda c: c.delete_version(TOPIC, 1), ok(True)),
        (lambda c: c.get_schema(9), ok({"schema": NAMES, "schemaType": ["AVRO"]})),
        (lambda c: c.test_compatibility(TOPIC, NAMES), ok({"is_compatible": 1})),
        (
            lambda c: c.test_compatibility(TOPIC, NAMES),
            ok({"is_compatible": False, "messages": [{"deep": [[["x"]]]}]}),
        ),
        (lambda c: c.get_subjects(), httpx.Response(200, content=DEEP_JSON)),
    ],
)
def test_every_answer_is_checked_before_use(fake: FakeRegistry, call: Any, answer: Any) -> None:
    fake.script.append(answer)
    with pytest.raises(RegistryError) as raised:
        call(client(fake))
    assert len(str(raised.value)) < 2000  # the answer is quoted, not dumped


def test_a_deep_error_body_still_maps_to_its_status(fake: FakeRegistry) -> None:
    fake.script.append(httpx.Response(404, content=DEEP_JSON))
    with pytest.raises(RegistryError) as raised:
        client(fake).get_schema(5)
    assert raised.value.status == 404


@pytest.mark.parametrize("topic", [".", "..", "", "\ud800"])
@pytest.mark.parametrize(
    "call",
    [
        lambda c, t: c.register_schema(t, NAMES),
        lambda c, t: c.lookup_schema(t, NAMES),
        lambda c, t: c.get_latest_version(t),
        lambda c, t: c.get_version(t, 1),
        lambda c, t: c.get_versions(t),
        lambda c, t: c.delete_subject(t),
        lambda c, t: c.test_compatibility(t, NAMES),
        lambda c, t: c.set_compatibility("FULL", t),
    ],
)
def test_topics_a_url_cannot_carry_are_refused_before_any_request(
    fake: FakeRegistry, topic: str, call: Any
) -> None:
    """'.' and '..' collapse in a URL: register_schema('.') went to /subjects/versions."""
    with pytest.raises(InvalidArgument):
        call(client(fake), topic)
    assert fake.requests == []


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.get_schema(True),
        lambda c: c.get_schema(-1),
        lambda c: c.get_schema("1"),
        lambda c: c.get_version(TOPIC, 0),
        lambda c: c.delete_version(TOPIC, True),
        lambda c: c.register_schema(TOPIC, "\ud800"),
        lambda c: c.register_schema(TOPIC, NAMES, "PROTOBUF"),
        lambda c: c.lookup_schema(TOPIC, NAMES, 5),
    ],
)
def test_arguments_the_registry_cannot_take_are_refused_before_any_request(
    fake: FakeRegistry, call: Any
) -> None:
    with pytest.raises(InvalidArgument):
        call(client(fake))
    assert fake.requests == []


def test_a_registered_schema_deeper_than_the_limit_is_an_accord_error_everywhere(
    fake: FakeRegistry,
) -> None:
    schema_id, _ = fake.add("DEEP", TOO_DEEP, "JSON")
    registry = client(fake)
    publisher = ValidatingPublisher(registry, SpyPublisher(), project_id="p")
    with pytest.raises(UnknownTopic, match=f"more than {MAX_DEPTH} levels"):
        publisher.publish("DEEP", {})
    decoder = MessageDecoder(registry)
    message = SimpleNamespace(data=b"{}", attributes={ATTR_SCHEMA_ID: str(schema_id)})
    with pytest.raises(DecodeError, match=f"more than {MAX_DEPTH} levels"):
        decoder.decode(message)
    with pytest.raises(DecodeError):  # a consumer contract deeper than the limit
        MessageDecoder(registry, contracts={TOPIC: TOO_DEEP}).decode(
            SimpleNamespace(data=b"\x04ok", attributes={ATTR_SCHEMA_ID: "1", "accord_topic": TOPIC})
        )


def test_a_bundled_schema_file_that_cannot_be_used_is_an_accord_error(
    fake: FakeRegistry, tmp_path: Path
) -> None:
    registry = client(fake)
    with pytest.raises(UnknownTopic):
        ValidatingPublisher(
            registry, SpyPublisher(), project_id="p", schemas={TOPIC: tmp_path / "x"}
        )
    bad = tmp_path / "names.avsc"
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(UnknownTopic):
        ValidatingPublisher(registry, SpyPublisher(), project_id="p", schemas={TOPIC: bad})
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(AccordError):
        ValidatingPublisher(registry, SpyPublisher(), project_id="p", schemas={TOPIC: deep})


def test_an_unreadable_disk_cache_entry_is_ignored_not_raised(
    fake: FakeRegistry, tmp_path: Path
) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "1.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "schemas" / "2.json").write_text(
        json.dumps({"id": True, "schemaType": "AVRO", "schema": NAMES})
    )
    registry = client(fake, cache_dir=tmp_path)
    assert registry.get_schema(1).text == NAMES  # fetched again from the registry
    assert [r.url.path for r in fake.requests] == ["/schemas/ids/1"]
    with pytest.raises(RegistryError):  # id 2 is unknown to the registry: not served from disk
        registry.get_schema(2)


def test_a_publisher_misconfiguration_is_an_accord_error(fake: FakeRegistry) -> None:
    with pytest.raises(InvalidArgument):
        ValidatingPublisher(client(fake), SpyPublisher(), project_id="p", avro_encoding="xml")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument):
        ValidatingPublisher(client(fake), SpyPublisher(), project_id="p", batch_settings=object())
    with pytest.raises(InvalidArgument):
        MessageDecoder(client(fake), contracts={TOPIC: {"bad": {1, 2}}})


def test_a_pubsub_client_refusal_is_publish_failed(fake: FakeRegistry) -> None:
    from clients import PublishFailed

    class Stopped:
        def publish(self, *args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("Cannot publish on a stopped publisher.")

    publisher = ValidatingPublisher(client(fake), Stopped(), project_id="p")
    with pytest.raises(PublishFailed, match="stopped publisher"):
        publisher.publish(TOPIC, {"name": "ok"})
