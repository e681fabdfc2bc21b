"""Avro payloads: the encoding names, the JSON encoding of a message, and decoding with fastavro."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import fastavro
from fastavro import _read_py
from fastavro._logical_writers_py import LOGICAL_WRITERS
from fastavro.read import SchemaResolutionError

from contracts.avro.checks import Check
from contracts.avro.defaults import _python_default
from contracts.avro.model import Array, AvroType, Enum, Fixed, Map, Record, Union
from contracts.errors import EncodingError, MessageRejected
from contracts.formats import Encoding
from contracts.limits import depth_sentence, too_deep

if TYPE_CHECKING:
    from contracts.avro.schema import AvroSchema


def _encoding_of(encoding: str | None) -> Encoding:
    if encoding is None or encoding == "binary":
        return "binary"
    if encoding == "json":
        return "json"
    raise EncodingError(f"unknown encoding {encoding!r}; Avro payloads are 'binary' or 'json'")


def _union_label(node: AvroType) -> str:
    return node.fullname if isinstance(node, Record | Enum | Fixed) else node.kind


def _to_json(node: AvroType, value: Any, checks: dict[int, Check]) -> Any:
    """Avro's JSON encoding of a valid message (unions wrapped as {"type": value}, bytes as
    \\u0000-\\u00ff strings, omitted fields as their defaults). Written here because fastavro's JSON
    writer loses empty map keys and writes a bytes default as text."""
    if isinstance(node, Union):
        branch = next(b for b in node.branches if checks[id(b)](value))
        inner = _to_json(branch, value, checks)
        return None if inner is None else {_union_label(branch): inner}
    if isinstance(node, Record):
        return {
            f.name: _to_json(f.type, value[f.name], checks)
            if f.name in value
            else _to_json(f.type, _python_default(f.type, f.default), checks)
            for f in node.fields
        }
    if isinstance(node, Array):
        return [_to_json(node.items, item, checks) for item in value]
    if isinstance(node, Map):
        return {key: _to_json(node.values, item, checks) for key, item in value.items()}
    if isinstance(node, Enum):
        return value
    if node.logical is not None:
        spec: dict[str, Any] = {"type": node.kind, "logicalType": node.logical}
        spec.update(precision=node.precision, scale=node.scale)
        if isinstance(node, Fixed):
            spec["size"] = node.size
        value = LOGICAL_WRITERS[f"{node.kind}-{node.logical}"](value, spec)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value


def decode_payload(
    writer: AvroSchema,
    data: bytes,
    *,
    encoding: Encoding | None = None,
    reader: AvroSchema | None = None,
) -> object:
    """A message read from `data` as written with `writer` (resolved against `reader` if given)."""
    encoding = _encoding_of(encoding)
    reader_schema = reader.fastavro_schema if reader is not None else None
    # fastavro's compiled reader recurses in C once per nested record and crashes the process
    # on a payload thousands of levels deep: a recursive schema is read by its pure-Python
    # reader, which stops at the interpreter's recursion limit, and the result is measured.
    deep = writer.recursive or (reader is not None and reader.recursive)
    try:
        if encoding == "binary":
            buffer = io.BytesIO(data)
            read = _read_py.schemaless_reader if deep else fastavro.schemaless_reader
            message = read(buffer, writer.fastavro_schema, reader_schema)
            if buffer.tell() != len(data):
                raise EncodingError(
                    f"the payload has {len(data) - buffer.tell()} bytes left over after the "
                    "message: it was not written with this schema"
                )
        else:
            lines = data.decode().strip()
            if not lines or "\n" in lines:
                raise EncodingError("an Avro JSON payload holds exactly one message on one line")
            message = next(
                iter(
                    fastavro.json_reader(io.StringIO(lines), writer.fastavro_schema, reader_schema)
                )
            )
    except EncodingError:
        raise
    except RecursionError:
        raise EncodingError(depth_sentence("the payload")) from None
    except SchemaResolutionError as exc:
        assert reader is not None  # resolution happens only against a reader
        from contracts.avro.compatibility import check_avro

        findings = check_avro(reader, writer)
        if findings:  # the reader cannot read what this writer writes: say where and why
            raise MessageRejected(findings) from exc
        raise EncodingError(f"the payload cannot be read with the reader schema: {exc}") from exc
    except Exception as exc:  # garbage in: say what happened, never leak a raw exception
        raise EncodingError(
            f"the payload could not be decoded with this schema ({type(exc).__name__}: {exc})"
        ) from exc
    if deep and too_deep(message) is not None:
        raise EncodingError(depth_sentence("the payload"))
    return message
