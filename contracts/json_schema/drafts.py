"""The JSON Schema drafts Accord accepts, and which one a schema declares."""

from __future__ import annotations

import re
from typing import Any

import referencing
import referencing.exceptions
import referencing.jsonschema
from jsonschema import (
    Draft4Validator,
    Draft6Validator,
    Draft7Validator,
    Draft201909Validator,
    Draft202012Validator,
)
from jsonschema.protocols import Validator

from contracts.errors import InvalidSchema

# `$schema` (without a trailing '#', scheme-insensitive) -> validator class. Confluent's default is
# draft 7, so a schema without `$schema` is draft 7.
_DRAFTS: dict[str, type[Validator]] = {
    "json-schema.org/draft-04/schema": Draft4Validator,
    "json-schema.org/draft-06/schema": Draft6Validator,
    "json-schema.org/draft-07/schema": Draft7Validator,
    "json-schema.org/draft/2019-09/schema": Draft201909Validator,
    "json-schema.org/draft/2020-12/schema": Draft202012Validator,
}


DEFAULT_DRAFT: type[Validator] = Draft7Validator


def draft_of(schema: object) -> type[Validator]:
    """The validator class `$schema` asks for; InvalidSchema when it names a draft we do not handle."""
    if not isinstance(schema, dict) or "$schema" not in schema:
        return DEFAULT_DRAFT
    uri = schema["$schema"]
    if not isinstance(uri, str):
        raise InvalidSchema("$schema must be a string naming a JSON Schema draft", "/$schema")
    key = re.sub(r"^https?://", "", uri.strip()).rstrip("#")
    draft = _DRAFTS.get(key)
    if draft is None:
        raise InvalidSchema(
            f"$schema {uri!r} is not a supported JSON Schema draft; Accord handles drafts 4, 6, "
            "7 (the default), 2019-09 and 2020-12",
            "/$schema",
        )
    return draft


def specification_for(draft: type[Validator]) -> referencing.Specification[Any]:
    specifications: dict[type[Validator], referencing.Specification[Any]] = {
        Draft4Validator: referencing.jsonschema.DRAFT4,
        Draft6Validator: referencing.jsonschema.DRAFT6,
        Draft7Validator: referencing.jsonschema.DRAFT7,
        Draft201909Validator: referencing.jsonschema.DRAFT201909,
    }
    return specifications.get(draft, referencing.jsonschema.DRAFT202012)


def _draft_name(draft: type[Validator]) -> str:
    names: dict[type[Validator], str] = {
        Draft4Validator: "draft 4",
        Draft6Validator: "draft 6",
        Draft7Validator: "draft 7",
        Draft201909Validator: "draft 2019-09",
        Draft202012Validator: "draft 2020-12",
    }
    return names.get(draft, "JSON Schema")
