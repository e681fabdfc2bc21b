"""The contract check on the PRODUCT.md scenario, in Avro and in JSON Schema (examples/scenario)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import fastavro
import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis_jsonschema import from_schema

from contracts import (
    CompatibilityLevel,
    FindingKind,
    ParsedSchema,
    VersionedSchema,
    parse_schema,
)
from contracts.consumers import (
    ConsumerContract,
    VerdictCache,
    check_consumer_contract,
    check_producer_schema,
    field_readers,
    invalid_examples,
)
from contracts.report import CheckReport

SCENARIO = Path(__file__).resolve().parents[2] / "examples" / "scenario"
FORMATS = {"avro": ("AVRO", "avsc"), "json": ("JSON", "json")}


class Scenario:
    """The scenario's files for one schema format."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.schema_type, self.ext = FORMATS[fmt]

    def text(self, name: str) -> str:
        return (SCENARIO / self.fmt / f"{name}.{self.ext}").read_text()

    def schema(self, name: str) -> ParsedSchema:
        return parse_schema(self.schema_type, self.text(name))

    def contract(
        self, consumer: str, name: str, examples: tuple[object, ...] = ()
    ) -> ConsumerContract:
        return ConsumerContract(consumer, self.schema(f"contracts/{name}"), examples, version=1)

    def customer_created_contracts(self) -> list[ConsumerContract]:
        return [
            self.contract("marketing", "marketing.CUSTOMER_CREATED"),
            self.contract("data-analysis", "data-analysis.CUSTOMER_CREATED"),
        ]

    def check(
        self, proposed: str, level: CompatibilityLevel = CompatibilityLevel.BACKWARD
    ) -> CheckReport:
        live = [
            VersionedSchema(1, self.schema("CUSTOMER_CREATED.v1")),
            VersionedSchema(2, self.schema("CUSTOMER_CREATED.v2-adds-optional-phone")),
        ]
        return check_producer_schema(
            "CUSTOMER_CREATED",
            self.schema(proposed),
            live=live,
            level=level,
            contracts=self.customer_created_contracts(),
        )


@pytest.fixture(params=sorted(FORMATS))
def scenario(request: pytest.FixtureRequest) -> Scenario:
    return Scenario(request.param)


def test_adding_an_optional_field_is_accepted_and_affects_nobody(scenario: Scenario) -> None:
    report = check_producer_schema(
        "CUSTOMER_CREATED",
        scenario.schema("CUSTOMER_CREATED.v2-adds-optional-phone"),
        live=[VersionedSchema(1, scenario.schema("CUSTOMER_CREATED.v1"))],
        level=CompatibilityLevel.BACKWARD,
        contracts=scenario.customer_created_contracts(),
    )
    assert report.ok, report.findings()
    assert [c.consumer for c in report.consumers] == ["data-analysis", "marketing"]
    assert report.level is not None
    assert report.level.versions == (1,)


def test_removing_a_field_marketing_reads_names_marketing_the_field_and_a_proof(
    scenario: Scenario,
) -> None:
    report = scenario.check("CUSTOMER_CREATED.v3-removes-email")
    assert not report.ok
    assert report.broken_consumers == ["marketing"]
    marketing = report.consumers[1]
    assert any(
        f.message == "marketing reads email as a string; this version removes it"
        for f in marketing.findings
    ), marketing.findings
    assert marketing.counterexample is not None
    message = marketing.counterexample.message
    producer = json.loads(scenario.text("CUSTOMER_CREATED.v3-removes-email"))
    contract = json.loads(scenario.text("contracts/marketing.CUSTOMER_CREATED"))
    # Oracles: the producer schema accepts the example, the contract cannot take it.
    if scenario.fmt == "json":
        jsonschema.validate(message, producer)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(message, contract)
    else:
        buffer = io.BytesIO()
        fastavro.schemaless_writer(buffer, fastavro.parse_schema(producer), message)
        buffer.seek(0)
        with pytest.raises(fastavro.read.SchemaResolutionError):
            fastavro.schemaless_reader(
                buffer, fastavro.parse_schema(producer), fastavro.parse_schema(contract)
            )


@pytest.mark.parametrize("level", list(CompatibilityLevel))
def test_a_contract_break_is_breaking_under_every_level(
    scenario: Scenario, level: CompatibilityLevel
) -> None:
    report = scenario.check("CUSTOMER_CREATED.v3-removes-email", level)
    assert not report.ok
    assert report.broken_consumers == ["marketing"]


def test_removing_a_field_nobody_reads_is_accepted_under_none(scenario: Scenario) -> None:
    report = scenario.check("CUSTOMER_CREATED.v3-removes-fax", CompatibilityLevel.NONE)
    assert report.ok, report.findings()
    assert report.level is not None
    assert report.level.versions == ()


def test_under_a_strict_level_the_level_still_decides(scenario: Scenario) -> None:
    # FULL: version 2 (which requires fax) cannot read messages without it.
    report = scenario.check("CUSTOMER_CREATED.v3-removes-fax", CompatibilityLevel.FULL)
    assert not report.ok
    assert report.broken_consumers == []
    assert report.level is not None
    assert report.level.findings


def test_a_contract_needing_a_field_the_producer_does_not_send_is_refused(
    scenario: Scenario,
) -> None:
    contract = scenario.contract("data-analysis", "data-analysis.CUSTOMER_CREATED.needs-country")
    report = check_consumer_contract(
        "CUSTOMER_CREATED",
        contract,
        [VersionedSchema(2, scenario.schema("CUSTOMER_CREATED.v2-adds-optional-phone"))],
    )
    assert not report.ok
    assert report.level is None
    (verdict,) = report.consumers
    assert any(
        f.message
        == "data-analysis reads country as a string; the current producer schema does not send it"
        for f in verdict.findings
    ), verdict.findings
    assert verdict.counterexample is not None


def test_a_fourth_team_contract_is_accepted(scenario: Scenario) -> None:
    contract = scenario.contract("support", "support.CUSTOMER_CREATED")
    current = scenario.schema("CUSTOMER_CREATED.v2-adds-optional-phone")
    assert check_consumer_contract("CUSTOMER_CREATED", contract, [VersionedSchema(2, current)]).ok


def test_a_contract_before_any_producer_schema_is_accepted(scenario: Scenario) -> None:
    contract = scenario.contract("support", "support.CUSTOMER_CREATED")
    assert check_consumer_contract("CUSTOMER_CREATED", contract, []).ok


def test_consumer_examples_must_stay_valid_under_the_new_schema(scenario: Scenario) -> None:
    example = json.loads(
        (SCENARIO / scenario.fmt / "messages/CUSTOMER_CREATED.valid.json").read_text()
    )
    contracts = [scenario.contract("data-analysis", "data-analysis.CUSTOMER_CREATED", (example,))]
    assert invalid_examples(contracts[0]) == []
    if scenario.fmt == "json":
        wrong = ConsumerContract("x", scenario.schema("contracts/crm.EMAIL_SENT"), ({"email": 1},))
        assert "/email" in {f.pointer for f in invalid_examples(wrong)}
    report = check_producer_schema(
        "CUSTOMER_CREATED",
        scenario.schema("CUSTOMER_CREATED.v3-removes-fax"),
        live=[],
        level=CompatibilityLevel.NONE,
        contracts=contracts,
    )
    # The example still carries fax, which the new schema does not allow (a closed record/model).
    assert not report.ok
    assert {f.kind for f in report.consumers[0].findings} == {FindingKind.EXAMPLE_INVALID}


def test_field_readers_say_who_reads_what(scenario: Scenario) -> None:
    readers = {
        field.path: consumers
        for field, consumers in field_readers(
            scenario.schema("CUSTOMER_CREATED.v2-adds-optional-phone"),
            scenario.customer_created_contracts(),
        )
    }
    assert readers["customer_id"] == ["data-analysis", "marketing"]
    assert readers["email"] == ["marketing"]
    assert readers["fax"] == []
    assert readers["phone"] == []


JSON_SATISFIED = [
    ("CUSTOMER_CREATED.v2-adds-optional-phone", "marketing.CUSTOMER_CREATED"),
    ("CUSTOMER_CREATED.v3-removes-fax", "data-analysis.CUSTOMER_CREATED"),
    ("CUSTOMER_CREATED.v2-adds-optional-phone", "support.CUSTOMER_CREATED"),
    ("EMAIL_SENT.v1", "crm.EMAIL_SENT"),
]


@pytest.mark.parametrize(("producer_name", "contract_name"), JSON_SATISFIED)
def test_a_satisfied_json_contract_accepts_every_generated_producer_message(
    producer_name: str, contract_name: str
) -> None:
    files = Scenario("json")
    producer = json.loads(files.text(producer_name))
    contract = ConsumerContract("team", files.schema(f"contracts/{contract_name}"))
    assert check_consumer_contract(
        "T", contract, [VersionedSchema(1, files.schema(producer_name))]
    ).ok
    oracle = jsonschema.Draft7Validator(json.loads(files.text(f"contracts/{contract_name}")))

    # The oracle: instances hypothesis-jsonschema draws from the producer schema, validated by
    # jsonschema under the contract.
    @given(from_schema(producer))
    @settings(max_examples=40)
    def every_message(message: object) -> None:
        assert list(oracle.iter_errors(message)) == []

    every_message()


def test_verdicts_are_memoised_per_pair_and_the_memo_is_bounded(scenario: Scenario) -> None:
    contract = scenario.contract("support", "support.CUSTOMER_CREATED")
    v1, v2 = (
        scenario.schema("CUSTOMER_CREATED.v1"),
        scenario.schema("CUSTOMER_CREATED.v2-adds-optional-phone"),
    )
    cache = VerdictCache(capacity=2)
    # Version 3 re-registers version 1's schema: the same pair, decided once.
    producers = [VersionedSchema(1, v1), VersionedSchema(2, v2), VersionedSchema(3, v1)]
    first = check_consumer_contract("CUSTOMER_CREATED", contract, producers, cache=cache)
    assert (cache.misses, cache.hits) == (2, 1)
    again = check_consumer_contract("CUSTOMER_CREATED", contract, producers, cache=cache)
    assert (cache.misses, cache.hits) == (2, 4)
    assert again == first
    other = scenario.contract("marketing", "marketing.CUSTOMER_CREATED")
    check_consumer_contract("CUSTOMER_CREATED", other, producers, cache=cache)
    assert cache.misses == 4
    assert len(cache) == 2  # the least recently used pairs were dropped


def test_a_broken_contract_names_every_version_it_fails_on(scenario: Scenario) -> None:
    contract = scenario.contract("data-analysis", "data-analysis.CUSTOMER_CREATED.needs-country")
    producers = [
        VersionedSchema(1, scenario.schema("CUSTOMER_CREATED.v1")),
        VersionedSchema(2, scenario.schema("CUSTOMER_CREATED.v2-adds-optional-phone")),
    ]
    report = check_consumer_contract("CUSTOMER_CREATED", contract, producers)
    (verdict,) = report.consumers
    assert {f.version for f in verdict.findings} == {1, 2}
    assert "producer versions 1, 2 do not satisfy" in report.summary()
