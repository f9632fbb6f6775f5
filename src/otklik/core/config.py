"""Settings read from the environment (prefix ``OTKLIK_``), validated once."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of a running Otklik; the names are part of the outside contract."""

    model_config = SettingsConfigDict(env_prefix="OTKLIK_", extra="ignore")

    database_url: str = "sqlite:///./var/otklik.db"
    default_lang: str = "ru"
    page_size_max: int = 200
    smtp_url: str | None = None
    mail_from: str = "support@otklik.local"
    telegram_webhook_secret: str | None = None
    telegram_bot_token: str | None = None
    telegram_api_base: str = "https://api.telegram.org"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings; tests call ``get_settings.cache_clear()`` after changing env."""
    return Settings()
