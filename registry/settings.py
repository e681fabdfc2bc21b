"""Registry settings, validated once at start-up (ACCORD_* variables, a TOML file, or code)."""

from __future__ import annotations

import difflib
import ipaddress
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from contracts import CompatibilityLevel, CompatibilityPolicy
from registry.pubsub.topology import template_problem

DEFAULT_DATABASE_URL = "sqlite:///accord.db"
# Names a TOML settings file read beneath the variables (`accord serve --config FILE` sets it, so
# that every worker process reads the same file). Not a setting itself.
CONFIG_FILE_VARIABLE = "ACCORD_CONFIG_FILE"


class SettingsError(ValueError):
    """Settings that cannot start a registry; the message names each variable or file key."""


def variable(field: str) -> str:
    """The environment variable of a settings field: `database_url` -> `ACCORD_DATABASE_URL`."""
    return f"ACCORD_{field.upper()}"


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
    # One JSON object per line (request id, route, status, duration, team) for log pipelines, or
    # plain text for a person at a terminal.
    log_format: Literal["json", "text"] = "json"
    # Whether Prometheus may scrape `/metrics` without credentials once auth is on. Metrics carry
    # no topic, team or schema names (their labels are route templates, statuses and reasons),
    # only traffic volumes; set false to ask for a team token or the admin token there too.
    metrics_public: bool = True
    # Proxies whose X-Forwarded-For/-Proto the server believes (uvicorn's forwarded-allow-ips):
    # comma-separated addresses or networks, or `*` behind a load balancer that is the only way in.
    trusted_proxies: str = "127.0.0.1"
    # The path prefix a load balancer serves the registry under (`/registry`) and removes before
    # forwarding (uvicorn's root_path): the OpenAPI document names it.
    root_path: str = ""

    @field_validator("incompatible_error_code", mode="before")
    @classmethod
    def _code_from_text(cls, value: object) -> object:
        # The environment gives text; a Literal of ints does not coerce it by itself.
        return int(value) if isinstance(value, str) and value.strip().isdigit() else value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_case(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    # Messages below never name the field: the loader prefixes the variable or file key.
    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return normalise_database_url(value.strip())

    @field_validator("admin_token")
    @classmethod
    def _strong_admin_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().strip()) < 16:
            raise ValueError("must be at least 16 characters (use a random secret)")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses(cls, value: str) -> str:
        entries = [entry.strip() for entry in value.split(",") if entry.strip()]
        if not entries:
            raise ValueError("must name at least one address or network, or be '*'")
        for entry in entries:
            if entry == "*":
                continue
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"{entry!r} is not an IP address or network (e.g. 10.0.0.0/8), nor '*'"
                ) from None
        return ",".join(entries)

    @field_validator("root_path")
    @classmethod
    def _prefix(cls, value: str) -> str:
        value = value.strip()
        if value in {"", "/"}:
            return ""
        if not value.startswith("/") or value.endswith("/") or "//" in value:
            raise ValueError(
                f"{value!r} must be a path prefix starting with '/' and not ending with one "
                "(e.g. /registry)"
            )
        if any(char in value for char in "?#%\\ ") or not value.isprintable():
            raise ValueError(f"{value!r} may hold only plain path characters")
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
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        config_file: str | Path | None = None,
        **overrides: object,
    ) -> Settings:
        """Read the TOML file (`config_file`, else $ACCORD_CONFIG_FILE, if either is set), then
        ACCORD_<FIELD> variables over it (e.g. ACCORD_DATABASE_URL), then `overrides` over both.
        Raise SettingsError naming the variable or file key of every invalid value."""
        env = os.environ if environ is None else environ
        config_file = config_file or env.get(CONFIG_FILE_VARIABLE) or None
        values: dict[str, object] = {}
        sources: dict[str, str] = {}
        if config_file is not None:
            for name, value in _read_file(Path(config_file), cls.model_fields).items():
                values[name] = value
                sources[name] = f"{config_file}: key {name}"
        for name in cls.model_fields:
            raw = env.get(variable(name))
            if raw is not None and raw != "":
                values[name] = raw
                sources[name] = variable(name)
        # Google's clients read PUBSUB_EMULATOR_HOST; Accord honours it too unless told otherwise.
        if "pubsub_emulator_host" not in values and env.get("PUBSUB_EMULATOR_HOST"):
            values["pubsub_emulator_host"] = env["PUBSUB_EMULATOR_HOST"]
            sources["pubsub_emulator_host"] = "PUBSUB_EMULATOR_HOST"
        for name, value in overrides.items():
            if value is not None:
                values[name] = value
                sources[name] = "--" + name.replace("_", "-")
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            problems = []
            for error in exc.errors():
                field = str(error["loc"][0]) if error["loc"] else ""
                where = sources.get(field, variable(field) if field else "settings")
                message = error["msg"].removeprefix("Value error, ")
                problems.append(f"{where}: {message}")
            raise SettingsError("; ".join(problems)) from None


def _read_file(path: Path, fields: Mapping[str, Any]) -> dict[str, object]:
    """The settings in a TOML file: top-level keys named as the fields (`database_url = ...`)."""
    try:
        with path.open("rb") as file:
            document = tomllib.load(file)
    except OSError as exc:
        raise SettingsError(f"{path}: cannot read the settings file ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML ({exc})") from None
    problems = []
    for key, value in document.items():
        if key not in fields:
            close = difflib.get_close_matches(key, list(fields), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"{path}: unknown key {key!r}{hint}")
        elif isinstance(value, dict | list):
            problems.append(f"{path}: key {key} must be a single value, not a table or array")
    if problems:
        raise SettingsError("; ".join(problems))
    return dict(document)
