"""The built wheel installs in a fresh virtualenv with only the client extra, and `accord` runs."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

from contracts import __version__

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_the_wheel_installs_with_the_client_extra_alone(tmp_path: Path) -> None:
    # --no-isolation: the build backend of this environment; pip's own cache serves the installs.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    (wheel,) = tmp_path.glob("accord_registry-*.whl")
    assert wheel.name == f"accord_registry-{__version__}-py3-none-any.whl"
    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    subprocess.run(
        [
            env / "bin" / "pip",
            "install",
            "-q",
            "--no-compile",
            "-c",
            ROOT / "constraints.txt",
            f"{wheel}[client]",
        ],
        check=True,
        capture_output=True,
    )
    done = subprocess.run(
        [env / "bin" / "accord", "--version"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.stdout == f"accord {__version__}\n"
    # The client extra alone: the server's framework is not there.
    server = subprocess.run(
        [env / "bin" / "python", "-c", "import fastapi"],
        check=False,
        capture_output=True,
        cwd=tmp_path,
    )
    assert server.returncode != 0
