"""Avro as a registered schema format: parse text into an AvroSchema, check a reader against a writer."""

from __future__ import annotations

import json
from typing import Final

from contracts.avro.parse import _Parser
from contracts.avro.schema import AvroSchema
from contracts.errors import InvalidSchema
from contracts.findings import Finding
from contracts.formats import CompatibilityPolicy, ParsedSchema, SchemaType, register_format
from contracts.limits import depth_sentence, too_deep


class AvroFormat:
    """Avro as a `SchemaFormat`: parse text, and check a reader against a writer."""

    schema_type = SchemaType.AVRO

    def parse(self, text: str) -> AvroSchema:
        try:
            spec = json.loads(text)
        except (ValueError, TypeError) as exc:  # ValueError: also an integer of over 4300 digits
            raise InvalidSchema(f"schema is not valid JSON: {exc}") from None
        except RecursionError:
            raise InvalidSchema(depth_sentence("the schema document")) from None
        where = too_deep(spec)
        if where is not None:
            raise InvalidSchema(depth_sentence("the schema document"), tuple(where))
        parser = _Parser()
        try:
            root = parser.parse(spec, (), "")
        except RecursionError:
            raise InvalidSchema("the schema is nested too deeply") from None
        return AvroSchema(text, root, parser.named)

    def check(
        self,
        reader: ParsedSchema,
        writer: ParsedSchema,
        *,
        policy: CompatibilityPolicy = CompatibilityPolicy.STRICT,
    ) -> list[Finding]:
        from contracts.avro.compatibility import check_avro

        if not isinstance(reader, AvroSchema) or not isinstance(writer, AvroSchema):
            raise TypeError("AVRO.check needs two Avro schemas")
        return check_avro(reader, writer)


AVRO: Final = AvroFormat()
register_format(AVRO)
