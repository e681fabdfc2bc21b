"""Registry settings, validated once at start-up (from ACCORD_* environment variables or code)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from contracts import CompatibilityLevel, CompatibilityPolicy
from registry.pubsub.topology import template_problem

DEFAULT_DATABASE_URL = "sqlite:///accord.db"


def normalise_database_url(url: str) -> str:
    """Accept the URLs people paste (`postgresql://`, `postgres://`) and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Settings(BaseModel):
    """Everything the registry reads from its environment. Invalid values stop the start-up."""

    # Inputs stay out of validation errors: they may be secrets (admin token, database password).
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    database_url: str = DEFAULT_DATABASE_URL
    # Confluent answered an incompatible registration with error_code 409 up to CP 8.0.3 and with
    # 40901 since; 409 keeps the widest range of clients working (their own tests expect it).
    incompatible_error_code: Literal[409, 40901] = 409
    max_request_bytes: int = Field(default=1024 * 1024, ge=1024)
    max_subject_length: int = Field(default=255, ge=1, le=500)  # column width
    default_compatibility: CompatibilityLevel = CompatibilityLevel.BACKWARD
    default_compatibility_policy: CompatibilityPolicy = CompatibilityPolicy.STRICT
    # How long a replica may serve a subject's version list from memory. Several replicas share
    # one database, so a write on another replica becomes visible here within this time.
    read_cache_ttl_seconds: float = Field(default=1.0, ge=0.0)
    schema_cache_size: int = Field(default=10_000, ge=0)
    write_retries: int = Field(default=8, ge=1, le=100)
    migrate_on_start: bool = True
    cluster_id: str = "accord"
    # Auth is off (every caller may do everything) until an admin token is set; then every call
    # but liveness and health needs a team token or this one. SecretStr keeps it out
    # of reprs and logs.
    admin_token: SecretStr | None = None
    # Pub/Sub enforcement is off until a Google Cloud project is named; then topics' schemas are
    # synced to Pub/Sub with Application Default Credentials (or to the emulator named here, which
    # from_env also takes from PUBSUB_EMULATOR_HOST as Google's clients do).
    pubsub_project: str | None = None
    pubsub_emulator_host: str | None = None
    # The worker inside `accord serve`: how often it looks for work, how long a claimed row is its
    # own before another replica may take it over, and the longest wait between retries.
    # Off: this replica serves requests and one-shot syncs only (tests; a replica kept quiet).
    pubsub_worker: bool = True
    pubsub_poll_seconds: float = Field(default=2.0, gt=0.0, le=3600.0)
    # Longer than one topic's sync can take (a few calls of pubsub_call_timeout_seconds each).
    pubsub_lease_seconds: float = Field(default=300.0, ge=1.0, le=86400.0)
    pubsub_max_backoff_seconds: float = Field(default=300.0, ge=0.0, le=86400.0)
    pubsub_call_timeout_seconds: float = Field(default=30.0, gt=0.0, le=600.0)
    # Topology: one subscription per (topic, contracted team), named by the template, with a
    # dead-letter topic named by the other one; Pub/Sub's own bounds: 10..600 s, 5..100 attempts.
    pubsub_subscription_template: str = "{topic}.{team}"
    pubsub_dead_letter_template: str = "{subscription}.dead-letter"
    pubsub_ack_deadline_seconds: int = Field(default=60, ge=10, le=600)
    pubsub_max_delivery_attempts: int = Field(default=5, ge=5, le=100)

    @field_validator("incompatible_error_code", mode="before")
    @classmethod
    def _code_from_text(cls, value: object) -> object:
        # The environment gives text; a Literal of ints does not coerce it by itself.
        return int(value) if isinstance(value, str) and value.strip().isdigit() else value

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("database_url must not be empty")
        return normalise_database_url(value.strip())

    @field_validator("admin_token")
    @classmethod
    def _strong_admin_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().strip()) < 16:
            raise ValueError("admin_token must be at least 16 characters (use a random secret)")
        return value

    @field_validator("pubsub_project", "pubsub_emulator_host")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if "/" in value.strip() or any(c.isspace() for c in value.strip()):
            raise ValueError(
                f"{value.strip()!r} must be a bare project id or host:port (no '/', no spaces)"
            )
        return value.strip()

    @property
    def pubsub_enabled(self) -> bool:
        return self.pubsub_project is not None

    @field_validator("pubsub_subscription_template")
    @classmethod
    def _subscription_template(cls, value: str) -> str:
        names = {"topic", "team"}
        problem = template_problem(value, required=names, allowed=names)
        if problem is not None:
            raise ValueError(f"pubsub_subscription_template {value!r} {problem}")
        return value

    @field_validator("pubsub_dead_letter_template")
    @classmethod
    def _dead_letter_template(cls, value: str) -> str:
        # One dead-letter topic per subscription: each team sees only its own dead letters.
        problem = template_problem(value, required=set(), allowed={"subscription", "topic", "team"})
        if problem is None and "{subscription}" not in value and "{team}" not in value:
            problem = "must contain {subscription} or {team}"
        if problem is None and value == "{subscription}":
            problem = "must differ from the subscription's own name"
        if problem is not None:
            raise ValueError(f"pubsub_dead_letter_template {value!r} {problem}")
        return value

    @property
    def auth_enabled(self) -> bool:
        return self.admin_token is not None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Read ACCORD_<FIELD> variables (e.g. ACCORD_DATABASE_URL); `overrides` win over them."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for name in cls.model_fields:
            raw = env.get(f"ACCORD_{name.upper()}")
            if raw is not None and raw != "":
                values[name] = raw
        # Google's clients read PUBSUB_EMULATOR_HOST; Accord honours it too unless told otherwise.
        if "pubsub_emulator_host" not in values and env.get("PUBSUB_EMULATOR_HOST"):
            values["pubsub_emulator_host"] = env["PUBSUB_EMULATOR_HOST"]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)
