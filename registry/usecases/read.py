"""Reads: schemas by id, topics and their versions, lookup of a schema under a topic."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from sqlmodel import Session, col, select

from registry.context import RegistryContext
from registry.errors import SchemaIdNotFound, SubjectNotFound, VersionNotFound
from registry.tables import SchemaRow, SubjectVersionRow
from registry.usecases import queries
from registry.usecases.model import MAX_INT, StoredSchema, SubjectVersion

LATEST = -1
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page:
    """Confluent pagination: `limit` -1 means all."""

    offset: int = 0
    limit: int = -1

    def apply(self, items: list[T]) -> list[T]:
        start = max(self.offset, 0)
        return items[start:] if self.limit < 0 else items[start : start + self.limit]


def get_schema(ctx: RegistryContext, schema_id: int) -> StoredSchema:
    """A schema by its global id, from memory when this process has seen it (ids never change)."""
    cached = ctx.schemas_by_id.get(schema_id)
    if cached is not None:
        return cached
    if (
        not 1 <= schema_id <= MAX_INT
    ):  # no such id, and no query with a number the column can't hold
        raise SchemaIdNotFound(f"Schema {schema_id} not found")
    found = ctx.db.read(lambda session: queries.schema_by_id(ctx, session, schema_id))
    if found is None:
        raise SchemaIdNotFound(f"Schema {schema_id} not found")
    return found


def subject_versions_of_schema(
    ctx: RegistryContext, schema_id: int, *, subject: str | None, deleted: bool
) -> list[SubjectVersion]:
    """Every (subject, version) that registered this schema id."""

    if not 1 <= schema_id <= MAX_INT:
        raise SchemaIdNotFound(f"Schema {schema_id} not found")

    def query(session: Session) -> list[SubjectVersion]:
        schema = queries.schema_by_id(ctx, session, schema_id)
        if schema is None:
            raise SchemaIdNotFound(f"Schema {schema_id} not found")
        if subject and "\x00" in subject:  # no topic has NUL in its name; PostgreSQL can't query it
            return []
        statement = select(SubjectVersionRow).where(SubjectVersionRow.schema_id == schema_id)
        if subject:
            statement = statement.where(SubjectVersionRow.subject == subject)
        if not deleted:
            statement = statement.where(col(SubjectVersionRow.deleted).is_(False))
        rows = session.exec(
            statement.order_by(col(SubjectVersionRow.subject), col(SubjectVersionRow.version))
        ).all()
        return [SubjectVersion(r.subject, r.version, schema, r.deleted) for r in rows]

    return ctx.db.read(query)


def list_subjects(
    ctx: RegistryContext, *, prefix: str, deleted: bool, deleted_only: bool, page: Page
) -> list[str]:
    """Topics with at least one live version (or soft-deleted ones, when asked), sorted."""

    def query(session: Session) -> list[str]:
        statement = select(SubjectVersionRow.subject).distinct()
        if deleted_only:
            statement = statement.where(col(SubjectVersionRow.deleted).is_(True))
        elif not deleted:
            statement = statement.where(col(SubjectVersionRow.deleted).is_(False))
        names = sorted(session.exec(statement).all())
        # `:*:` is Confluent's "every context"; Accord has only the default context.
        if prefix and prefix != ":*:":
            names = [n for n in names if n.startswith(prefix)]
        return page.apply(names)

    return ctx.db.read(query)


def list_schemas(
    ctx: RegistryContext, *, prefix: str, deleted: bool, latest_only: bool, page: Page
) -> list[SubjectVersion]:
    """Every registered (subject, version) with its schema, ordered by subject then version."""

    def query(session: Session) -> list[SubjectVersion]:
        statement = select(SubjectVersionRow, SchemaRow).join(
            SchemaRow, col(SchemaRow.id) == col(SubjectVersionRow.schema_id)
        )
        if not deleted:
            statement = statement.where(col(SubjectVersionRow.deleted).is_(False))
        if "\x00" in prefix:  # no topic has NUL in its name; PostgreSQL cannot query it
            return []
        if prefix and prefix != ":*:":
            statement = statement.where(col(SubjectVersionRow.subject).startswith(prefix))
        rows = session.exec(
            statement.order_by(col(SubjectVersionRow.subject), col(SubjectVersionRow.version))
        ).all()
        found = [
            SubjectVersion(v.subject, v.version, queries.stored_schema(s), v.deleted)
            for v, s in rows
        ]
        if latest_only:
            newest: dict[str, SubjectVersion] = {}
            for item in found:
                newest[item.subject] = item
            found = list(newest.values())
        return page.apply(found)

    return ctx.db.read(query)


def _versions(
    ctx: RegistryContext, subject: str, *, cache_checked: bool = False
) -> tuple[SubjectVersion, ...]:
    """A topic's versions from the cache, else from the database. `cache_checked`: the caller
    already asked the cache and was told to refresh; asking again would return the stale list
    that the cache hands everyone else while this refresh runs."""
    if not cache_checked:
        cached = ctx.subject_versions.get(subject)
        if cached is not None:
            return cached
    return ctx.db.read(lambda session: queries.versions_of(ctx, session, subject))


def list_versions(
    ctx: RegistryContext, subject: str, *, deleted: bool, deleted_only: bool, page: Page
) -> list[int]:
    versions = _versions(ctx, subject)
    visible = versions if deleted else queries.live(versions)
    if not visible:
        raise _subject_not_found(ctx, subject)
    if deleted_only:
        visible = tuple(v for v in visible if v.deleted)
    return page.apply([v.version for v in visible])


def get_version(
    ctx: RegistryContext,
    subject: str,
    version: int,
    *,
    deleted: bool = False,
    cache_checked: bool = False,
) -> SubjectVersion:
    """Version `version` (or LATEST: the newest live one) of a topic.

    Soft-deleted versions are found only with `deleted`; a topic whose versions are all
    soft-deleted is "not found" unless `deleted` is set. `cache_checked`: after `cached_version`
    returned None (see `_versions`).
    """
    versions = _versions(ctx, subject, cache_checked=cache_checked)
    try:
        return _pick_version(versions, subject, version, deleted=deleted)
    except SubjectNotFound:
        raise _subject_not_found(ctx, subject) from None


# Kafka serializers' default subject names: `{topic}-value` and `{topic}-key`.
_KAFKA_SUFFIXES = ("-value", "-key")


def _subject_not_found(ctx: RegistryContext, subject: str) -> SubjectNotFound:
    """40401 for `subject`; when it is a Kafka-style `{topic}-value`/`-key` name and the topic
    itself exists, the message says what to configure (Accord's subjects are topic names)."""
    for suffix in _KAFKA_SUFFIXES:
        topic = subject.removesuffix(suffix)
        if topic != subject and topic and queries.live(_versions(ctx, topic)):
            return SubjectNotFound(
                subject,
                f"Topic '{topic}' exists: Accord's subjects are topic names, not Kafka's "
                f"'{{topic}}{suffix}'. Set the serializer's 'subject.name.strategy' to return the "
                "topic (confluent-kafka: lambda ctx, record_name: ctx.topic).",
            )
    return SubjectNotFound(subject)


def cached_version(
    ctx: RegistryContext, subject: str, version: int, *, deleted: bool = False
) -> SubjectVersion | None:
    """`get_version` answered from memory without blocking, or None when memory has no answer."""
    versions = ctx.subject_versions.get(subject)
    if versions is None:
        return None
    try:
        return _pick_version(versions, subject, version, deleted=deleted)
    except (SubjectNotFound, VersionNotFound):
        return None


def cached_schema(ctx: RegistryContext, schema_id: int) -> StoredSchema | None:
    """`get_schema` answered from memory without blocking, or None."""
    return ctx.schemas_by_id.get(schema_id)


def _pick_version(
    versions: tuple[SubjectVersion, ...], subject: str, version: int, *, deleted: bool
) -> SubjectVersion:
    visible = versions if deleted else queries.live(versions)
    if not visible:
        raise SubjectNotFound(subject)
    if version == LATEST:
        live = queries.live(versions)
        if not live:
            raise VersionNotFound("latest", subject)
        return live[-1]
    found = next((v for v in visible if v.version == version), None)
    if found is None:
        raise VersionNotFound(version, subject)
    return found


def lookup(
    ctx: RegistryContext,
    subject: str,
    schema_type: str | None,
    schema_text: str | None,
    *,
    deleted: bool,
    references: int = 0,
) -> SubjectVersion:
    """Which version of `subject` holds this schema (same canonical form)? The newest such one."""
    parsed = queries.parse_proposed(schema_type, schema_text, references=references)
    versions = _versions(ctx, subject)
    visible = versions if deleted else queries.live(versions)
    if not visible:
        raise _subject_not_found(ctx, subject)
    for candidate in reversed(visible):
        if candidate.schema.schema_type != parsed.schema_type.value:
            continue
        if candidate.schema.fingerprint == parsed.fingerprint:
            return candidate
    raise SchemaIdNotFound("Schema not found")
