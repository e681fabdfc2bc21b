"""The import direction of ARCHITECTURE.md, checked so that it cannot erode quietly.

clients -> contracts <- registry; clients reach registry only lazily, from `accord serve`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# package -> top-level modules it must never import
FORBIDDEN = {
    "contracts": {
        "registry",
        "clients",
        "fastapi",
        "starlette",
        "sqlmodel",
        "sqlalchemy",
        "alembic",
        "httpx",
        "google",
        "grpc",
        "uvicorn",
        "psycopg",
    },
    "registry": {"clients"},
    "clients": {"registry", "fastapi", "sqlmodel", "sqlalchemy", "alembic"},
}
# The one sanctioned crossing: `accord serve` imports the registry inside its function.
LAZY_ALLOWED = {("clients/cli/serve.py", "registry")}


def imports_of(path: Path) -> list[tuple[str, bool]]:
    """(top-level module, imported at module level?) for every import in a file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    top_level = {id(node) for node in tree.body}
    found: list[tuple[str, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(a.name.split(".")[0], id(node) in top_level) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module.split(".")[0], id(node) in top_level))
    return found


def package_files(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def violations(package: str, files: list[Path], root: Path = ROOT) -> list[str]:
    """`file imports module` for every import in `files` that `package` must not make."""
    found = []
    for path in files:
        rel = path.relative_to(root).as_posix()
        for module, at_top in imports_of(path):
            if module not in FORBIDDEN[package]:
                continue
            if (rel, module) in LAZY_ALLOWED and not at_top:
                continue
            found.append(f"{rel} imports {module}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_respect_the_architecture(package: str) -> None:
    found = violations(package, package_files(package))
    assert not found, "imports against ARCHITECTURE.md:\n" + "\n".join(found)


def test_a_forbidden_import_is_reported(tmp_path: Path) -> None:
    """Guards the guard: a synthetic module of each kind of import is judged as the real ones are."""
    module = tmp_path / "contracts" / "leaky.py"
    module.parent.mkdir()
    module.write_text(
        "import os\n"
        "import sqlalchemy.orm\n"
        "from fastapi import FastAPI\n"
        "from . import sibling\n"
        "def later() -> None:\n"
        "    import httpx\n"
    )
    assert violations("contracts", [module], root=tmp_path) == [
        "contracts/leaky.py imports sqlalchemy",
        "contracts/leaky.py imports fastapi",
        "contracts/leaky.py imports httpx",
    ]


def test_only_the_sanctioned_crossing_may_be_lazy(tmp_path: Path) -> None:
    """`accord serve` may import the registry inside its function, never at module level; no
    other clients module may import it at all."""
    serve = tmp_path / "clients" / "cli" / "serve.py"
    serve.parent.mkdir(parents=True)
    other = tmp_path / "clients" / "other.py"
    serve.write_text("def serve() -> None:\n    import registry\n")
    other.write_text("def run() -> None:\n    from registry import create_app\n")
    assert violations("clients", [serve, other], root=tmp_path) == [
        "clients/other.py imports registry"
    ]
    serve.write_text("import registry\n")
    assert violations("clients", [serve], root=tmp_path) == [
        "clients/cli/serve.py imports registry"
    ]


def test_no_class_name_means_two_things_across_packages() -> None:
    """`clients`' exception names are public API: a registry class by the same name (the
    registry's 40403 `SchemaNotFound` beside the client's) would say two things with one word."""
    from clients import errors as client_errors
    from registry import errors as registry_errors

    def names_of(module: object) -> set[str]:
        return {
            name
            for name, value in vars(module).items()
            if isinstance(value, type) and issubclass(value, Exception)
        }

    assert names_of(client_errors) & names_of(registry_errors) == set()
