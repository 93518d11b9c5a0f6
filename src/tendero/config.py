"""The one place tendero reads its environment: ``TENDERO_*`` variables and an optional ``.env``."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import os
import secrets
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Every session secret tendero (or its docs) ever shipped, and the usual placeholders: a key from this
# list is public, so it is refused in production and on any address beyond loopback.
KNOWN_SECRETS = frozenset({"dev-secret-change-me", "change-me", "changeme", "secret", "secret-key", "tendero"})
MIN_SECRET_LENGTH = 16
SECRET_FILE = "secret_key"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TENDERO_", env_file=".env", extra="ignore")

    environment: Literal["development", "production"] = "development"
    home: Path = Path(".tendero")
    database_url: str = ""
    artifacts: str = ""
    job_runner: Literal["inprocess", "procrastinate"] = "inprocess"
    job_workers: int = Field(1, ge=1, le=64, description="concurrent jobs per in-process runner")
    job_attempts: int = Field(3, ge=1, le=20)
    job_lease_seconds: float = Field(10.0, gt=0, description="a running job not heard from for this long is recovered")
    redis_url: str = ""
    rate_limit_per_minute: int = Field(100, ge=1, description="requests a minute per verified API key")
    rate_limit_per_ip_per_minute: int = Field(
        300, ge=1, description="requests a minute per client address whose key is not verified yet"
    )
    login_attempts_per_minute: int = Field(10, ge=1, description="failed dashboard sign-ins a minute per account")
    login_attempts_per_ip_per_minute: int = Field(30, ge=1, description="failed dashboard sign-ins per address")
    metrics_token: str = Field("", description="when set, /metrics needs 'Authorization: Bearer <token>'")
    metrics_tenant_labels: bool = Field(False, description="label metrics with tenant and model names (opt-in)")
    forwarded_allow_ips: str = Field(
        "127.0.0.1", description="proxies whose X-Forwarded-For names the client (for per-address limits)"
    )
    max_body_bytes: int = Field(10 * 1024 * 1024, ge=1024, description="JSON request bodies")
    max_upload_bytes: int = Field(2 * 1024 * 1024 * 1024, ge=1024, description="file uploads")
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "INFO"
    secret_key: str = Field(
        "", description="signs dashboard sessions; empty: a random key made once and kept in TENDERO_HOME"
    )
    host: str = "127.0.0.1"
    port: int = 8000
    # the assistant's optional language model: any OpenAI-compatible chat-completions server
    llm_url: str = Field("", description="base URL, e.g. http://127.0.0.1:8080/v1 (llama.cpp, Ollama, vLLM)")
    llm_model: str = ""
    llm_api_key: str = ""
    llm_timeout_seconds: float = Field(5.0, gt=0, le=5.0)
    llm_rephrase: bool = False
    llm_cost_per_1k_tokens: float = Field(0.0, ge=0, description="prompt and completion, in the tenant's currency")
    extra_kinds: dict[str, str] = Field(
        default_factory=dict, description="more model kinds, name -> 'module:Class' (plugins)"
    )
    # automation: schedules, deliveries (webhooks, email) and retention
    scheduler: bool = Field(True, description="claim due schedule times and send deliveries in this process")
    scheduler_interval_seconds: float = Field(1.0, gt=0, le=60)
    delivery_attempts: int = Field(5, ge=1, le=20, description="default attempts of a delivery before dead-letter")
    delivery_backoff_seconds: float = Field(30.0, ge=0.01, le=3600, description="first retry delay; doubles after")
    delivery_timeout_seconds: float = Field(10.0, gt=0, le=120, description="webhook answer timeout")
    notify_private_targets: bool | None = Field(
        None,
        description="tenants' webhooks and mail servers on this machine or a private network: "
        "unset allows them in development and refuses them in production",
    )
    smtp_host: str = ""
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_from: str = ""
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_ca_file: str = ""
    retention_days: int = Field(90, ge=1, le=3650, description="what a tenant's retention schedule starts with")
    # reading tables (imports and dataset uploads): every read is bounded
    max_columns: int = Field(2_000, ge=1, description="columns of an imported or uploaded table")
    max_rows: int = Field(20_000_000, ge=1, description="rows of one import or dataset")
    max_dataset_cells: int = Field(50_000_000, ge=1, description="rows x columns of a dataset (held in memory)")
    max_read_seconds: float = Field(600.0, gt=0, description="reading and checking one file")
    # SQL sources: named connections an operator configured; never a URL from a request
    sql_sources: dict[str, str | dict[str, Any]] = Field(
        default_factory=dict,
        description="name -> URL (every tenant may use it) or {'url': URL, 'tenants': [names or ids]}",
    )
    sql_timeout_seconds: float = Field(60.0, gt=0, description="one query on a SQL source")
    sql_max_rows: int = Field(5_000_000, ge=1, description="rows one query on a SQL source may return")

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.home / 'tendero.db').resolve()}"
        if not self.artifacts:
            self.artifacts = str((self.home / "artifacts").resolve())
        if self.environment == "production" and self.secret_key and predictable_secret(self.secret_key):
            raise ValueError(SECRET_REFUSED)
        if self.sql_sources:  # refused here, at configuration: a bad name or URL, or tendero's own database
            from tendero.store.source_urls import check_configured_sources

            check_configured_sources(self.sql_sources, self.database_url)
        return self

    @property
    def private_targets_allowed(self) -> bool:
        if self.notify_private_targets is not None:
            return self.notify_private_targets
        return self.environment == "development"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()


def locale_language(supported: tuple[str, ...], default: str) -> str:
    """The terminal's language from the POSIX locale variables (``LC_ALL``, then ``LC_MESSAGES``, then ``LANG``),
    when it is one of ``supported``; ``default`` otherwise (``C``, ``POSIX``, unset or another language)."""
    import os

    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            code = value.split(".")[0].split("_")[0].lower()
            return code if code in supported else default
    return default


SECRET_REFUSED = (
    "TENDERO_SECRET_KEY is a known or short value (anyone could sign a dashboard session with it): set it to a "
    f"private random string of at least {MIN_SECRET_LENGTH} characters, or leave it unset to use the key "
    "generated in TENDERO_HOME"
)


def predictable_secret(value: str) -> bool:
    """A secret anyone could guess: one tendero ever shipped, a placeholder, or too short to resist a search."""
    return value.strip().lower() in KNOWN_SECRETS or len(value.strip()) < MIN_SECRET_LENGTH


def is_loopback(host: str) -> bool:
    """Whether a bind or server address is reachable only from this machine."""
    host = host.strip().strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def session_secret(settings: Settings | None = None) -> str:
    """The key that signs dashboard sessions: ``TENDERO_SECRET_KEY``, else the installation's own random key
    in ``TENDERO_HOME`` (made once, mode 0600), which every process of the installation reads."""
    settings = settings or get_settings()
    if settings.secret_key:
        return settings.secret_key
    return _home_secret(settings.home.resolve())


def check_secret_for(host: str, settings: Settings | None = None) -> None:
    """Refuse (ValueError) to serve on ``host`` beyond loopback, or in production, with a predictable secret."""
    settings = settings or get_settings()
    exposed = settings.environment == "production" or not is_loopback(host)
    if exposed and predictable_secret(session_secret(settings)):
        raise ValueError(SECRET_REFUSED)


@lru_cache(maxsize=8)
def _home_secret(home: Path) -> str:
    path = home / SECRET_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        handle, draft = tempfile.mkstemp(dir=home, prefix=".secret_key.")  # created 0600
        try:
            os.write(handle, secrets.token_urlsafe(48).encode())
            os.fsync(handle)
            os.close(handle)
            with contextlib.suppress(FileExistsError):  # atomic: the first process wins, the others read its key
                os.link(draft, path)
        finally:
            os.unlink(draft)
    if path.stat().st_mode & 0o077:
        logging.getLogger("tendero.config").warning("%s was readable by others; made it owner-only (0600)", path)
        path.chmod(0o600)
    value = path.read_text().strip()
    if len(value) < 32:
        raise ValueError(f"{path} is damaged (too short): delete it and a new key is made (dashboard sessions end)")
    return value


def reset_settings() -> None:
    """Forget the cached settings (after the environment changed, e.g. in tests)."""
    get_settings.cache_clear()
