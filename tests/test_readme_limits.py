"""The README's Limits section states the numbers the code enforces: each is rendered from its constant."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from contracts import limits
from contracts.patterns import PATTERN_BUDGET_SECONDS
from registry import Settings, names
from registry.usecases.compatibility import DECISION_ATTEMPTS
from registry.usecases.model import MAX_INT

README = Path(__file__).resolve().parent.parent / "README.md"


def limits_section() -> str:
    text = README.read_text(encoding="utf-8")
    found = re.search(r"^## Limits\n(.*?)^## ", text, re.MULTILINE | re.DOTALL)
    assert found is not None, "README.md has no '## Limits' section"
    assert text.count("\n## Limits\n") == 1, "one Limits section, not several"
    return " ".join(found.group(1).split())  # line breaks are not part of a sentence


def mib(size: int) -> str:
    assert size % (1024 * 1024) == 0
    return f"{size // (1024 * 1024)} MiB"


DEFAULTS = Settings()
INT_DIGITS = sys.get_int_max_str_digits() or 4300  # 0 means unlimited; Python's default is 4300

# (the phrase the README must contain, rendered from the constant; what it is)
PHRASES = [
    (f"`ACCORD_MAX_REQUEST_BYTES` ({mib(DEFAULTS.max_request_bytes)} by default)", "body size"),
    (f"`max_subject_length` ({DEFAULTS.max_subject_length})", "subject length"),
    (f"at most {names.MAX_CONSUMER_LENGTH} characters", "consumer length"),
    (f"1 to {names.MAX_TEAM_LENGTH} ASCII letters", "team name length"),
    (f"[1, 2^{MAX_INT.bit_length()}-1]", "ids and versions"),
    (f"importing id {MAX_INT}", "the top id"),
    (f"imported version is {MAX_INT}", "the top version"),
    (f"nest at most {limits.MAX_DEPTH} levels (`contracts.MAX_DEPTH`)", "depth"),
    (f"deeper than {limits.MAX_DEPTH} levels", "message depth"),
    (f"at most {INT_DIGITS:,} digits", "integer digits in a schema"),
    (f"integers of more than {INT_DIGITS:,} digits", "integer digits in a message"),
    (f"a `fixed` is at most {mib(limits.MAX_AVRO_FIXED_SIZE)}", "Avro fixed"),
    (f"precision at most {limits.MAX_DECIMAL_PRECISION:,} digits", "Avro decimal"),
    (f"a budget of {PATTERN_BUDGET_SECONDS} s", "pattern budget"),
    (f"at most {limits.MAX_EXAMPLE_STRING} characters per string", "example strings"),
    (f"{limits.MAX_EXAMPLE_BYTES} bytes per Avro `bytes`/`fixed` value", "example bytes"),
    (f"{limits.MAX_EXAMPLE_ITEMS} items per array", "example arrays"),
    (f"{limits.MAX_EXAMPLE_PROPERTIES:,} fields per record or object", "example records"),
    (f"{limits.MAX_EXAMPLE_DIGITS} digits per number", "example numbers"),
    (f"{limits.MAX_EXAMPLE_DEPTH} levels deep", "example depth"),
    (f"{limits.MAX_EXAMPLE_SIZE:,} characters in all", "example size"),
    (f"at most {limits.MAX_GENERATED_VALUES:,} values in all", "counterexample search"),
    (f"at most {limits.MAX_FINDINGS_RENDERED} per consumer", "findings per report"),
    (f"cut at {limits.MAX_MESSAGE_LENGTH:,} characters", "finding sentences"),
    (f"up to {DECISION_ATTEMPTS} times", "decision attempts"),
]


@pytest.mark.parametrize(("phrase", "what"), PHRASES, ids=[what for _, what in PHRASES])
def test_the_readme_states_the_enforced_number(phrase: str, what: str) -> None:
    assert phrase in limits_section(), f"README Limits ({what}) should say: {phrase}"
