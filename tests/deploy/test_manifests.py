"""The Dockerfile, deploy/compose.yaml and deploy/k8s/ agree: image, port, command, probes, user,
and every environment variable is a registry setting (no Docker engine here: they are read)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import yaml

from contracts import __version__
from registry.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
K8S = ROOT / "deploy" / "k8s"
PORT = 8081
SERVE = ["serve", "--host", "0.0.0.0", "--port", str(PORT)]
IMAGE = f"accord-registry:{__version__}"


def load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text())
    assert isinstance(document, dict)
    return document


def k8s(kind: str) -> dict[str, Any]:
    (found,) = [d for d in (load(p) for p in sorted(K8S.glob("*.yaml"))) if d["kind"] == kind]
    return found


def setting(variable: str) -> str:
    """The Settings field an ACCORD_* variable sets; fails for a variable the registry ignores."""
    assert variable.startswith("ACCORD_"), variable
    name = variable.removeprefix("ACCORD_").lower()
    assert name in Settings.model_fields, f"{variable} is not a registry setting"
    return name


def test_the_dockerfile_is_multi_stage_with_oci_labels_and_the_server_extra_only() -> None:
    stages = re.findall(r"^FROM (\S+)(?: AS (\S+))?$", DOCKERFILE, re.MULTILINE)
    assert len(stages) == 2
    assert stages[0][1] == "builder"
    assert "python -m build --wheel" in DOCKERFILE
    assert "COPY --from=builder /wheels" in DOCKERFILE
    runtime = DOCKERFILE.split("FROM python:3.11-slim\n", 1)[1]
    assert '"${wheel}[server]"' in runtime
    assert "COPY contracts" not in runtime  # the runtime has the wheel, not the sources
    for label in ("title", "version", "source", "licenses", "description"):
        assert f"org.opencontainers.image.{label}=" in runtime
    assert f"ARG VERSION={__version__}" in runtime
    assert f"EXPOSE {PORT}" in runtime
    assert "USER 10001:10001" in runtime
    assert "/readyz" in runtime.split("HEALTHCHECK", 1)[1]
    for variable in re.findall(r"\b(ACCORD_[A-Z_]+)=", DOCKERFILE):
        setting(variable)


def test_compose_runs_the_image_over_postgres_with_health_checks_and_a_volume() -> None:
    compose = load(ROOT / "deploy" / "compose.yaml")
    postgres, registry = compose["services"]["postgres"], compose["services"]["registry"]
    assert "pg_isready" in postgres["healthcheck"]["test"]
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]
    assert registry["image"] == IMAGE
    assert (
        ROOT / "deploy" / registry["build"]["context"] / registry["build"]["dockerfile"]
    ).is_file()
    assert registry["command"] == SERVE
    assert registry["ports"] == [f"{PORT}:{PORT}"]
    assert registry["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "/readyz" in " ".join(registry["healthcheck"]["test"])
    env = registry["environment"]
    for variable in env:
        setting(variable)
    user, password, db = (
        postgres["environment"][k] for k in ("POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB")
    )
    assert env["ACCORD_DATABASE_URL"] == f"postgresql://{user}:{password}@postgres:5432/{db}"


def test_kubernetes_probes_ports_env_and_secret_agree() -> None:
    deployment, service, secret = k8s("Deployment"), k8s("Service"), k8s("Secret")
    pod = deployment["spec"]["template"]
    assert (
        deployment["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
    )
    assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    (container,) = pod["spec"]["containers"]
    assert container["image"] == IMAGE
    assert container["args"] == SERVE
    (port,) = container["ports"]
    assert port["containerPort"] == PORT
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": port["name"]}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": port["name"]}
    assert service["spec"]["ports"][0]["targetPort"] == port["name"]
    assert pod["spec"]["securityContext"]["runAsUser"] == 10001  # the Dockerfile's USER
    for entry in container["env"]:
        setting(entry["name"])
        ref = entry["valueFrom"]["secretKeyRef"]
        assert ref["name"] == secret["metadata"]["name"]
        assert ref["key"] in secret["stringData"]
    names = {entry["name"] for entry in container["env"]}
    assert {"ACCORD_DATABASE_URL", "ACCORD_ADMIN_TOKEN"} <= names
    # The placeholder token would pass the registry's own check: replacing it is the operator's.
    Settings(admin_token=secret["stringData"]["admin-token"])


def test_the_app_answers_the_probed_paths(tmp_path: Path) -> None:
    from starlette.exceptions import StarletteDeprecationWarning

    from registry import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StarletteDeprecationWarning)
        from fastapi.testclient import TestClient

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'accord.db'}"))
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 200
        assert client.get("/healthz").status_code == 200
