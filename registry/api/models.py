"""Wire models of the Confluent API: camelCase on the wire through aliases, snake_case in Python."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from registry.errors import (
    InvalidCompatibilityLevel,
    InvalidMode,
    ServiceError,
    UnprocessableSchema,
)
from registry.usecases.model import MAX_INT, Mode

_JAVA_INT_TEXT = re.compile(r"-?[0-9]+", re.ASCII)


class Wire(BaseModel):
    """Unknown fields are ignored, as every Confluent entity does (`ignoreUnknown=true`)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")
    # The row of the error table a malformed body of this model answers (registry.api.errors).
    invalid_body: ClassVar[type[ServiceError]] = UnprocessableSchema

    def wire(self) -> dict[str, Any]:
        """The JSON body: aliases, and no null fields (Confluent omits them)."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


class ErrorMessage(Wire):
    """Every error on the Confluent routes: exactly these two fields."""

    error_code: int = Field(examples=[40401])
    message: str = Field(examples=["Subject 'orders-value' not found."])


class SchemaReference(Wire):
    name: str
    subject: str
    version: int


class RegisterSchemaRequest(Wire):
    """Body of register, lookup and the compatibility checks."""

    schema_: str | None = Field(default=None, alias="schema", description="the schema text")
    schema_type: str | None = Field(
        default=None, alias="schemaType", description="AVRO (when absent) or JSON"
    )
    references: list[SchemaReference] | None = None
    id: int | None = Field(
        default=None, le=MAX_INT, description="only honoured in IMPORT mode; 0 or less: absent"
    )
    version: int | None = Field(
        default=None,
        le=MAX_INT,
        description="IMPORT mode: the version to create; otherwise must be the next. "
        "0 or less: absent",
    )
    metadata: dict[str, Any] | None = None
    rule_set: dict[str, Any] | None = Field(default=None, alias="ruleSet")

    @field_validator("id", "version", mode="before")
    @classmethod
    def _ascii_digits(cls, value: object) -> object:
        # A number sent as a string is only ASCII digits: int() would also take `+1`, `1_0` and
        # other scripts' digits. A boolean is no number, though pydantic would read true as 1.
        if isinstance(value, bool):
            raise ValueError(f"{str(value).lower()} is not an integer")
        if isinstance(value, str) and _JAVA_INT_TEXT.fullmatch(value) is None:
            raise ValueError(f"{value!r} is not an integer written in ASCII digits")
        return value

    @field_validator("id", "version")
    @classmethod
    def _absent_when_not_positive(cls, value: int | None) -> int | None:
        # Java clients have sent -1/0 for "not set"; Confluent reads those as absent.
        return value if value is not None and value > 0 else None


class RegisterSchemaResponse(Wire):
    id: int
    version: int | None = None
    subject: str | None = None
    schema_type: str | None = Field(default=None, alias="schemaType")
    schema_: str | None = Field(default=None, alias="schema")
    pubsub: list[str] | None = Field(
        default=None,
        description="Accord's extension, with Pub/Sub enforcement on: what Pub/Sub will do "
        "with the topic's versions (e.g. refuse this one's messages until a cutover)",
    )


class SchemaString(Wire):
    """A schema by id (`/schemas/ids/{id}`)."""

    schema_: str = Field(alias="schema")
    schema_type: str = Field(alias="schemaType")


class SchemaEntry(Wire):
    """A version of a subject (`/subjects/{s}/versions/{v}`, lookup, `/schemas`)."""

    subject: str
    version: int
    id: int
    schema_type: str = Field(alias="schemaType")
    schema_: str = Field(alias="schema")
    deleted: bool | None = None


class SubjectVersionEntry(Wire):
    subject: str
    version: int


class ConfigResponse(Wire):
    """GET /config: the level is named `compatibilityLevel` here (PUT says `compatibility`)."""

    compatibility_level: str = Field(alias="compatibilityLevel")
    compatibility_policy: str | None = Field(default=None, alias="compatibilityPolicy")
    # A topic's own Pub/Sub settings, when it has them (PUT /config/{topic}).
    pubsub_revisions: str | None = Field(default=None, alias="pubsubRevisions")
    pubsub_encoding: str | None = Field(default=None, alias="pubsubEncoding")
    contract_scope: str | None = Field(default=None, alias="contractScope")


class ConfigUpdateRequest(Wire):
    invalid_body = InvalidCompatibilityLevel
    compatibility: str | None = Field(default=None, description="a compatibility level")
    # Accepted too: some tools send back what GET returned.
    compatibility_level: str | None = Field(default=None, alias="compatibilityLevel")
    compatibility_policy: str | None = Field(
        default=None, alias="compatibilityPolicy", description="STRICT or LENIENT (JSON Schema)"
    )
    pubsub_revisions: str | None = Field(
        default=None,
        alias="pubsubRevisions",
        description="per topic: the versions Pub/Sub accepts, ALL_LIVE (default) or LATEST",
    )
    pubsub_encoding: str | None = Field(
        default=None,
        alias="pubsubEncoding",
        description="per topic: the encoding Pub/Sub expects, BINARY (default) or JSON",
    )
    contract_scope: str | None = Field(
        default=None,
        alias="contractScope",
        description="per topic: the producer versions a consumer contract must read, "
        "ALL_LIVE (default: every live version) or LATEST",
    )


class ConfigUpdateResponse(Wire):
    """PUT /config echoes what was set."""

    compatibility: str | None = None
    compatibility_policy: str | None = Field(default=None, alias="compatibilityPolicy")
    pubsub_revisions: str | None = Field(default=None, alias="pubsubRevisions")
    pubsub_encoding: str | None = Field(default=None, alias="pubsubEncoding")
    contract_scope: str | None = Field(default=None, alias="contractScope")


class ModeBody(Wire):
    mode: Mode = Field(examples=[Mode.READWRITE])


class ModeUpdateRequest(Wire):
    invalid_body = InvalidMode
    mode: str | None = None


class CompatibilityCheckResponse(Wire):
    is_compatible: bool
    messages: list[str] | None = None


class ServerClusterId(Wire):
    scope: dict[str, Any]
    id: str


class ServerVersion(Wire):
    version: str
    commit_id: str = Field(alias="commitId")


class Health(Wire):
    status: str
