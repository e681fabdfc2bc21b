"""References: the registry of a schema's resources, every $ref resolved, nesting bounded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import referencing
import referencing.exceptions
import referencing.jsonschema
from jsonschema.protocols import Validator
from referencing._core import Resolver

from contracts.errors import InvalidSchema
from contracts.json_schema.drafts import specification_for
from contracts.json_schema.keywords import children, join_pointer, subschemas
from contracts.limits import MAX_DEPTH, depth_sentence


def root_uri(schema: Any, draft: type[Validator]) -> str:
    """The base URI a schema declares for itself (`id` in draft 4, `$id` later), or ""."""
    if not isinstance(schema, dict):
        return ""
    uri = specification_for(draft).id_of(schema)
    return uri if isinstance(uri, str) else ""


def _build_registry(schema: Any, draft: type[Validator]) -> referencing.Registry[Any]:
    """A registry of this schema and its embedded `$id` resources only.

    Its default retrieval refuses every other URI, so no reference ever reaches the network.
    """
    resource = specification_for(draft).create_resource(schema)
    registry: referencing.Registry[Any] = referencing.Registry()
    return cast(
        referencing.Registry[Any], registry.with_resource(root_uri(schema, draft), resource).crawl()
    )


def _check_refs(schema: Any, draft: type[Validator], registry: referencing.Registry[Any]) -> None:
    """Every `$ref` (and the draft's `$dynamicRef` or `$recursiveRef`) must resolve inside the
    schema itself; remote references are refused."""
    keywords = tuple(k for k in ("$ref", "$dynamicRef", "$recursiveRef") if k in draft.VALIDATORS)
    _walk_refs(
        schema, (), specification_for(draft), registry.resolver(root_uri(schema, draft)), keywords
    )


def _walk_refs(
    schema: Any,
    path: tuple[str, ...],
    specification: referencing.Specification[Any],
    resolver: Resolver[Any],
    keywords: tuple[str, ...],
) -> None:
    if not isinstance(schema, dict):
        return
    resolver = resolver.in_subresource(specification.create_resource(schema))
    # $dynamicRef and $recursiveRef resolve like $ref when first met; a remote one would make the
    # validator fetch (and fail) at validation time, so it is refused here like a remote $ref.
    for keyword in keywords:
        ref = schema.get(keyword)
        if not isinstance(ref, str):
            continue
        try:
            resolver.lookup(ref)
        except referencing.exceptions.Unresolvable:
            where = join_pointer([*path, keyword])
            if ref.startswith("#"):
                raise InvalidSchema(
                    f"{keyword} {ref!r} points at nothing in this schema; define it under $defs "
                    "or definitions",
                    where,
                ) from None
            raise InvalidSchema(
                f"{keyword} {ref!r} refers to another document; Accord never fetches schemas "
                "over the network, so put the definition under $defs (or definitions) in this "
                "schema",
                where,
            ) from None
    for child_path, child in children(schema, path):
        _walk_refs(child, child_path, specification, resolver, keywords)


# Keywords that apply their subschema to the same instance: a cycle through these alone (and $ref)
# never reaches the end of the message, so validation would recurse forever.
_IN_PLACE = frozenset(
    {"allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependentSchemas", "dependencies"}
)

_REF_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")

_Edge = tuple[Any, Resolver[Any], tuple[str, ...], bool]  # subschema, resolver, path, in place


def _edges(
    schema: Any,
    path: tuple[str, ...],
    specification: referencing.Specification[Any],
    resolver: Resolver[Any],
) -> list[_Edge]:
    """The subschemas `schema` applies or holds, and what its references point at."""
    if not isinstance(schema, dict):
        return []
    resolver = resolver.in_subresource(specification.create_resource(schema))
    out: list[_Edge] = []
    for keyword in _REF_KEYWORDS:
        ref = schema.get(keyword)
        if isinstance(ref, str):
            try:
                resolved = resolver.lookup(ref)
            except referencing.exceptions.Unresolvable:
                continue  # $ref was checked already; a dynamic one may have no static target
            out.append((resolved.contents, resolved.resolver, (*path, keyword), True))
    for child_path, child in children(schema, path):
        keyword = child_path[len(path)]
        out.append((child, resolver, child_path, keyword in _IN_PLACE))
    return out


def _check_depth(schema: Any, draft: type[Validator], registry: referencing.Registry[Any]) -> None:
    """Subschemas nest at most MAX_DEPTH deep with references followed (a reference back to a
    schema being walked is recursion, bounded by the message), and no cycle of references and
    in-place keywords (allOf, not, if…) exists, since validation would never leave it.
    Iterative, with the height below each subschema remembered: linear in the schema's size."""
    specification = specification_for(draft)
    where = {id(sub): sub_path for sub_path, sub in subschemas(schema)}
    for in_place_only in (True, False):
        height: dict[int, int] = {}  # subschema -> levels below and including it
        active: set[int] = set()
        # Frames: (subschema, its remaining edges, [deepest height below it so far]).
        stack: list[tuple[Any, Iterator[_Edge], list[int]]] = []
        resolver = registry.resolver(root_uri(schema, draft))
        active.add(id(schema))
        stack.append((schema, iter(_edges(schema, (), specification, resolver)), [1]))
        while stack:
            node, remaining, best = stack[-1]
            edge = next(remaining, None)
            if edge is None:
                stack.pop()
                active.discard(id(node))
                height[id(node)] = best[0]
                if stack:
                    parent = stack[-1][2]
                    parent[0] = max(parent[0], best[0] + 1)
                continue
            child, child_resolver, child_path, in_place = edge
            if in_place_only and not in_place:
                continue
            location = join_pointer(where.get(id(child), child_path))
            if id(child) in active:
                if in_place_only:
                    raise InvalidSchema(
                        "this subschema is reached again through references and in-place "
                        "keywords (allOf, not, if…) alone: validation would never leave the "
                        "cycle, so no message could be checked against it",
                        location,
                    )
                continue  # recursion that descends into the message: bounded by its depth
            known = height.get(id(child))
            if known is None and not isinstance(child, dict):
                known = 1
            below = known if known is not None else 1
            if len(stack) + below > MAX_DEPTH:
                raise InvalidSchema(
                    depth_sentence(
                        f"the schema's subschemas ({len(stack) + below} levels, references "
                        "followed)"
                    ),
                    location,
                )
            if known is not None:
                best[0] = max(best[0], known + 1)
                continue
            active.add(id(child))
            stack.append(
                (child, iter(_edges(child, child_path, specification, child_resolver)), [1])
            )
