"""JSON Schema as an Accord format: parse (drafts 4, 6, 7, 2019-09, 2020-12), canonical form, validate, encode."""

from contracts.json_schema.drafts import DEFAULT_DRAFT, draft_of, specification_for
from contracts.json_schema.fast_path import fast_validator
from contracts.json_schema.format import JSON_SCHEMA, JsonSchemaFormat
from contracts.json_schema.json_values import json_value_problems
from contracts.json_schema.keywords import (
    SCHEMA_KEYWORDS,
    SCHEMA_LIST_KEYWORDS,
    SCHEMA_MAP_KEYWORDS,
    children,
    join_pointer,
    pointer_token,
    subschemas,
)
from contracts.json_schema.refs import root_uri
from contracts.json_schema.safe_patterns import SAFE_DRAFTS
from contracts.json_schema.schema import JsonSchema

__all__ = [
    "DEFAULT_DRAFT",
    "JSON_SCHEMA",
    "SAFE_DRAFTS",
    "SCHEMA_KEYWORDS",
    "SCHEMA_LIST_KEYWORDS",
    "SCHEMA_MAP_KEYWORDS",
    "JsonSchema",
    "JsonSchemaFormat",
    "children",
    "draft_of",
    "fast_validator",
    "join_pointer",
    "json_value_problems",
    "pointer_token",
    "root_uri",
    "specification_for",
    "subschemas",
]
