"""The fake's refusals: Pub/Sub's resource-name rules, switchable faults, and the per-method call count."""

from __future__ import annotations

import collections
import re
import threading
from dataclasses import dataclass, field

import grpc

# Pub/Sub's documented rule for topic, subscription and schema IDs: start with a letter; letters,
# digits and - _ . ~ + % only; 3 to 255 characters; never starting with "goog".
_RESOURCE_ID = re.compile(r"[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}")
# Project IDs are not checked beyond being one path segment: emulators accept any.
_PROJECT_ID = re.compile(r"[^/]+")


class Refusal(Exception):
    """A call the fake answers with a gRPC error, as Pub/Sub would."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def not_found(what: str, name: str) -> Refusal:
    return Refusal(grpc.StatusCode.NOT_FOUND, f"{what} not found (resource={name})")


def invalid(message: str) -> Refusal:
    return Refusal(grpc.StatusCode.INVALID_ARGUMENT, message)


def resource_id_problem(resource_id: str) -> str | None:
    """Why `resource_id` breaks Pub/Sub's name rule, or None when it is acceptable."""
    if resource_id.startswith("goog"):
        return 'must not start with "goog"'
    if not 3 <= len(resource_id) <= 255:
        return "must be between 3 and 255 characters"
    if not _RESOURCE_ID.fullmatch(resource_id):
        return "must start with a letter and contain only letters, digits and - _ . ~ + %"
    return None


def parse_name(name: str, collection: str) -> tuple[str, str]:
    """(project, id) of `projects/{project}/{collection}/{id}`, refusing what Pub/Sub refuses."""
    parts = name.split("/")
    if len(parts) != 4 or parts[0] != "projects" or parts[2] != collection or not parts[1]:
        raise invalid(
            f"Invalid [{collection}] name: (name={name}); expected projects/{{project}}/{collection}/{{id}}"
        )
    problem = resource_id_problem(parts[3])
    if problem is not None:
        raise invalid(f"Invalid [{collection}] name: (name={name}): the ID {problem}")
    return parts[1], parts[3]


def parse_project(parent: str) -> str:
    """The project of `projects/{project}`."""
    parts = parent.split("/")
    if len(parts) != 2 or parts[0] != "projects" or not _PROJECT_ID.fullmatch(parts[1]):
        raise invalid(f"Invalid [projects] name: (name={parent}); expected projects/{{project}}")
    return parts[1]


def project_of(name: str) -> str | None:
    """The project a resource name belongs to, if it names one."""
    parts = name.split("/")
    return parts[1] if len(parts) >= 2 and parts[0] == "projects" and parts[1] else None


@dataclass
class _Rule:
    code: grpc.StatusCode
    message: str
    remaining: int | None  # None: until cleared


@dataclass
class Faults:
    """Failures a test switches on. `refuse("Publish", UNAVAILABLE, times=2)` fails the next two
    Publish calls; method "*" matches every call; `unknown_projects` answer NOT_FOUND as Pub/Sub
    does for a project that does not exist. Every call, refused or not, is counted in `calls`
    (by gRPC method name) and `calls_by_resource` (by (method, resource name))."""

    unknown_projects: set[str] = field(default_factory=set)
    calls: collections.Counter[str] = field(default_factory=collections.Counter)
    calls_by_resource: collections.Counter[tuple[str, str]] = field(
        default_factory=collections.Counter
    )
    _rules: dict[str, list[_Rule]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def refuse(
        self, method: str, code: grpc.StatusCode, message: str = "", times: int | None = None
    ) -> None:
        text = message or {
            grpc.StatusCode.PERMISSION_DENIED: "User not authorized to perform this action.",
            grpc.StatusCode.UNAVAILABLE: "The service was unable to fulfill your request.",
        }.get(code, f"{code.name} (injected by the test fake)")
        with self._lock:
            self._rules.setdefault(method, []).append(_Rule(code, text, times))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self.unknown_projects.clear()

    def reset_calls(self) -> None:
        with self._lock:
            self.calls.clear()
            self.calls_by_resource.clear()

    def check(self, method: str, resource: str) -> None:
        """Count the call, then raise the Refusal a switched-on fault asks for."""
        with self._lock:
            self.calls[method] += 1
            self.calls_by_resource[(method, resource)] += 1
            for key in (method, "*"):
                rules = self._rules.get(key, [])
                if rules:
                    rule = rules[0]
                    if rule.remaining is not None:
                        rule.remaining -= 1
                        if rule.remaining <= 0:
                            rules.pop(0)
                    raise Refusal(rule.code, rule.message)
            project = project_of(resource)
        if project is not None and project in self.unknown_projects:
            raise Refusal(
                grpc.StatusCode.NOT_FOUND,
                f"Requested project not found or user does not have access to it (project={project}).",
            )
