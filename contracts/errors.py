"""The one exception tree of contracts/: what callers catch when a schema or message is unusable."""

from __future__ import annotations

from collections.abc import Sequence

from contracts.findings import Finding, render_pointer


class ContractsError(Exception):
    """Base of every error raised by contracts/."""


class InvalidSchema(ContractsError):
    """A schema text that cannot be used: says what is wrong and where (a path into the schema)."""

    def __init__(self, message: str, path: str | Sequence[str | int] = "") -> None:
        if not isinstance(path, str):
            path = render_pointer(path)
        self.message = message
        self.path = path or "/"
        super().__init__(f"{message} (at {self.path})" if path else message)


class UnsupportedSchemaType(ContractsError):
    """A schemaType Accord does not handle (e.g. PROTOBUF)."""

    def __init__(self, schema_type: str, *, known: Sequence[str] = ("AVRO", "JSON")) -> None:
        self.schema_type = schema_type
        super().__init__(
            f"Unsupported schemaType {schema_type!r}: Accord handles {' and '.join(known)} schemas"
        )


class EncodingError(ContractsError):
    """A message that cannot be encoded or a payload that cannot be decoded with the given schema."""


class MessageRejected(EncodingError):
    """A message its schema refuses (from `encode`), or a payload the reader schema refuses (from
    `decode` with a reader). `findings` says every problem and where; the same list `validate`
    returns. Clients turn it into their own `InvalidMessage` / `ContractViolation` at the edge."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        self.findings: tuple[Finding, ...] = tuple(findings)
        super().__init__(
            "the message does not match the schema: " + "; ".join(str(f) for f in self.findings)
        )
