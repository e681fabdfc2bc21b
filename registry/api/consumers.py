"""Accord's extensions beside the Confluent API: consumer contracts, the check, who reads what."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from contracts import FindingKind
from registry.api.errors import documented
from registry.api.models import RegisterSchemaRequest, Wire
from registry.api.params import Consumer, Ctx, CurrentPrincipal, Subject
from registry.api.wire import RegistryJSONResponse
from registry.usecases import consumers
from registry.usecases.consumers import StoredContract

router = APIRouter(tags=["consumer contracts"])


class ContractRequest(Wire):
    """A consumer contract: for an Avro topic the reader schema the team decodes with; for a JSON
    topic a JSON Schema of what it reads. `examples`: messages from the team's own tests."""

    schema_: str | None = Field(default=None, alias="schema", description="the contract text")
    schema_type: str | None = Field(
        default=None, alias="schemaType", description="AVRO (when absent) or JSON"
    )
    examples: list[Any] | None = None


class ContractResponse(Wire):
    subject: str
    consumer: str
    version: int
    schema_type: str = Field(alias="schemaType")
    schema_: str = Field(alias="schema")
    examples: list[Any] = Field(default_factory=list)


class FieldReaders(Wire):
    path: str = Field(description="dotted field path, e.g. customer.email; tags[] for items")
    type: str
    required: bool
    consumers: list[str]


class FindingModel(Wire):
    """One finding, as contracts/report.py's `finding_to_dict` writes it; paths are RFC 6901
    JSON pointers (the root is "")."""

    kind: FindingKind = Field(examples=["REQUIRED_FIELD_NOT_SENT"])
    path: str = Field(examples=["/fields/email"])
    message: str = Field(examples=["marketing reads email as a string; this version removes it"])
    keyword: str | None = Field(default=None, examples=["required"])
    field: str | None = Field(default=None, examples=["email"])
    reader_path: str | None = Field(default=None, alias="readerPath", examples=["/fields/2"])
    writer_path: str | None = Field(default=None, alias="writerPath", examples=[""])
    version: int | None = None


class CounterexampleModel(Wire):
    message: Any = Field(
        description="a message the producer schema allows and the contract rejects; null when "
        "it is too large to build (see `description`)"
    )
    reason: str = Field(description="what the decoder or validator said when it rejected it")
    description: str | None = Field(
        default=None, description="which messages break the contract, when none is built"
    )


class ConsumerVerdictModel(Wire):
    consumer: str
    ok: bool
    contract_version: int | None = Field(default=None, alias="contractVersion")
    findings: list[FindingModel]
    more_findings: int = Field(alias="moreFindings", description="findings not listed")
    counterexample: CounterexampleModel | None = None


class LevelVerdictModel(Wire):
    level: str
    ok: bool
    versions: list[int]
    findings: list[FindingModel]
    more_findings: int = Field(alias="moreFindings", description="findings not listed")


class CheckReportModel(Wire):
    """The check's report: `ok` is the verdict; `side` is producer (a proposed schema against the
    level and every contract) or consumer (a contract against the current producer schema)."""

    topic: str
    side: str
    ok: bool
    summary: str
    level: LevelVerdictModel | None = None
    consumers: list[ConsumerVerdictModel]


def _contract(stored: StoredContract) -> dict[str, Any]:
    return ContractResponse(
        subject=stored.subject,
        consumer=stored.consumer,
        version=stored.version,
        schema_type=stored.schema_type,
        schema_=stored.text,
        examples=list(stored.examples),
    ).wire()


@router.put(
    "/subjects/{subject}/consumers/{consumer}",
    response_model=ContractResponse,
    responses=documented(400, 409, 415, 422, 500),
    description="Register a new version of a consumer's contract. 409, with the check report "
    "under `report`, when the topic's current producer schema does not satisfy it.",
)
async def put_contract(
    ctx: Ctx,
    principal: CurrentPrincipal,
    subject: Subject,
    consumer: Consumer,
    body: ContractRequest,
) -> Response:
    stored = await run_in_threadpool(
        lambda: consumers.put_contract(
            ctx,
            principal,
            subject,
            consumer,
            schema_type=body.schema_type,
            schema_text=body.schema_,
            examples=body.examples,
        )
    )
    return RegistryJSONResponse(_contract(stored))


@router.get(
    "/subjects/{subject}/consumers",
    response_model=list[ContractResponse],
    responses=documented(422, 500),
    description="The current contract of every consumer of the subject.",
)
async def list_contracts(ctx: Ctx, subject: Subject) -> Response:
    found = await run_in_threadpool(consumers.list_contracts, ctx, subject)
    return RegistryJSONResponse([_contract(c) for c in found])


@router.get(
    "/subjects/{subject}/consumers/{consumer}",
    response_model=ContractResponse,
    responses=documented(404, 422, 500),
)
async def get_contract(ctx: Ctx, subject: Subject, consumer: Consumer) -> Response:
    found = await run_in_threadpool(consumers.get_contract, ctx, subject, consumer)
    return RegistryJSONResponse(_contract(found))


@router.delete(
    "/subjects/{subject}/consumers/{consumer}",
    response_model=list[int],
    responses=documented(404, 422, 500),
    description="Withdraw a contract; answers the versions withdrawn (history is kept).",
)
async def delete_contract(
    ctx: Ctx, principal: CurrentPrincipal, subject: Subject, consumer: Consumer
) -> Response:
    versions = await run_in_threadpool(consumers.delete_contract, ctx, principal, subject, consumer)
    return RegistryJSONResponse(versions)


@router.get(
    "/consumers/{consumer}",
    response_model=list[ContractResponse],
    responses=documented(422, 500),
    description="Every topic a consumer team reads, with its current contract on each.",
)
async def contracts_of_consumer(ctx: Ctx, consumer: Consumer) -> Response:
    found = await run_in_threadpool(consumers.contracts_of_consumer, ctx, consumer)
    return RegistryJSONResponse([_contract(c) for c in found])


@router.post(
    "/subjects/{subject}/check",
    response_model=CheckReportModel,
    responses=documented(400, 415, 422, 500),
    description="Check a proposed producer schema against the subject's compatibility level and "
    "every consumer contract; answers the report (`ok`, per-consumer findings, counterexamples). "
    "Stores nothing.",
)
async def check(ctx: Ctx, subject: Subject, body: RegisterSchemaRequest) -> Response:
    report = await run_in_threadpool(
        consumers.check_producer, ctx, subject, body.schema_type, body.schema_
    )
    return RegistryJSONResponse(report.to_dict())


@router.get(
    "/subjects/{subject}/fields",
    response_model=list[FieldReaders],
    responses=documented(404, 422, 500),
    description="Every field path of the latest schema, with the consumers that read it.",
)
async def fields(ctx: Ctx, subject: Subject) -> Response:
    found = await run_in_threadpool(consumers.topic_fields, ctx, subject)
    return RegistryJSONResponse(
        [
            FieldReaders(path=f.path, type=f.type, required=f.required, consumers=readers).wire()
            for f, readers in found
        ]
    )
