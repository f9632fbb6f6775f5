"""Settings read from the environment (prefix ``OTKLIK_``), validated once."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of a running Otklik; the names are part of the outside contract."""

    model_config = SettingsConfigDict(env_prefix="OTKLIK_", extra="ignore")

    database_url: str = "sqlite:///./var/otklik.db"
    #: run the job worker inside ``otklik serve``: auto = yes on SQLite, no on PostgreSQL
    embedded_worker: str = "auto"
    worker_poll_seconds: float = 0.5
    default_lang: str = "ru"
    page_size_max: int = 200
    smtp_url: str | None = None
    mail_from: str = "support@otklik.local"
    telegram_webhook_secret: str | None = None
    telegram_bot_token: str | None = None
    telegram_api_base: str = "https://api.telegram.org"


def wants_embedded_worker(settings: Settings) -> bool:
    """Whether ``otklik serve`` should run the worker in-process."""
    if settings.embedded_worker in {"on", "1", "true", "yes"}:
        return True
    if settings.embedded_worker in {"off", "0", "false", "no"}:
        return False
    return settings.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call ``get_settings.cache_clear()`` after changing env."""
    return Settings()
