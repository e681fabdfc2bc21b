"""The `accord` command line run in-process, its output captured."""

from __future__ import annotations

import io

from clients.cli import run


def accord(*argv: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `accord ARGV...`."""
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()
