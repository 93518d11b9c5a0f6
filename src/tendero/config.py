"""The one place tendero reads its environment: ``TENDERO_*`` variables and an optional ``.env``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "dev-secret-change-me"


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
    rate_limit_per_minute: int = Field(100, ge=1)
    max_body_bytes: int = Field(10 * 1024 * 1024, ge=1024, description="JSON request bodies")
    max_upload_bytes: int = Field(2 * 1024 * 1024 * 1024, ge=1024, description="file uploads")
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: str = "INFO"
    secret_key: str = DEFAULT_SECRET
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

    @model_validator(mode="after")
    def _fill_defaults(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.home / 'tendero.db').resolve()}"
        if not self.artifacts:
            self.artifacts = str((self.home / "artifacts").resolve())
        if self.environment == "production" and self.secret_key == DEFAULT_SECRET:
            raise ValueError("TENDERO_SECRET_KEY must be set to a private value in production")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    return Settings()


def reset_settings() -> None:
    """Forget the cached settings (after the environment changed, e.g. in tests)."""
    get_settings.cache_clear()
