"""Suite-wide settings: hypothesis runs derandomised with fixed example counts so CI is stable."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Derandomised everywhere (CI and local): a failure reproduces on every machine. Set
# ACCORD_HYPOTHESIS_PROFILE=explore locally to search with fresh randomness and more examples.
settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("explore", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("ACCORD_HYPOTHESIS_PROFILE", "ci"))
