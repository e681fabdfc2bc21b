"""Accord's extensions beside the Confluent API: consumer contracts, the check, who reads what."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from contracts.report import WireCheckReport
from registry.api.errors import documented
from registry.api.models import RegisterSchemaRequest, Wire
from registry.api.params import Consumer, Ctx, CurrentPrincipal, Flag, Subject
from registry.api.wire import RegistryJSONResponse
from registry.usecases import compatibility, consumers
from registry.usecases.consumers import StoredContract

router = APIRouter(tags=["consumer contracts"])

NewTopic = Annotated[Flag, Query(alias="newTopic")]


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
    responses=documented(400, 404, 409, 415, 422, 500),
    description="Register a new version of a consumer's contract (404 on a subject with no live "
    "version). 409, with the check report "
    "under `report`, when a producer version it must read (every live version, or only the "
    "latest under `contractScope` LATEST) does not satisfy it; each finding names its version.",
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
    response_model=WireCheckReport,
    responses=documented(400, 404, 415, 422, 500),
    description="Check a proposed producer schema against the subject's compatibility level and "
    "every consumer contract; answers the report (`ok`, per-consumer findings, counterexamples). "
    "Stores nothing. A subject with no live version is a 404 (with a 'did you mean') unless "
    "`newTopic=true` states that a first version is intended.",
)
async def check(
    ctx: Ctx,
    principal: CurrentPrincipal,
    subject: Subject,
    body: RegisterSchemaRequest,
    new_topic: NewTopic = False,
) -> Response:
    report = await run_in_threadpool(
        lambda: compatibility.check_producer(
            ctx, principal, subject, body.schema_type, body.schema_, new_topic=new_topic
        )
    )
    return RegistryJSONResponse(report.to_dict())


class MatrixProblem(Wire):
    kind: str
    field: str | None = None


class MatrixCellResponse(Wire):
    version: int
    consumer: str
    contract_version: int = Field(alias="contractVersion")
    ok: bool
    problems: list[MatrixProblem]


@router.get(
    "/subjects/{subject}/matrix",
    response_model=list[MatrixCellResponse],
    responses=documented(404, 422, 500),
    description="Every live producer version against every consumer's current contract: `ok`, or "
    "the failing findings' kinds and fields. 404 on a subject with no live version.",
)
async def matrix(ctx: Ctx, subject: Subject) -> Response:
    cells = await run_in_threadpool(consumers.contract_matrix, ctx, subject)
    return RegistryJSONResponse(
        [
            MatrixCellResponse(
                version=c.version,
                consumer=c.consumer,
                contract_version=c.contract_version,
                ok=not c.problems,
                problems=[MatrixProblem(kind=k, field=f) for k, f in c.problems],
            ).wire()
            for c in cells
        ]
    )


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
