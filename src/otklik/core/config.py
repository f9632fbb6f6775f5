"""Settings read from the environment (prefix ``OTKLIK_``), validated once."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob of a running Otklik; the names are part of the outside contract."""

    model_config = SettingsConfigDict(env_prefix="OTKLIK_", extra="ignore")

    database_url: str = "sqlite:///./var/otklik.db"
    #: where reports (analytics) read from: a read replica of ``database_url``; unset = the database itself
    reports_database_url: str | None = None
    #: run the job worker inside ``otklik serve``: auto = yes on SQLite, no on PostgreSQL
    embedded_worker: str = "auto"
    worker_poll_seconds: float = 0.5
    #: who builds what a webhook or ``Prefer: respond-async`` acknowledged: ``request`` (the serving
    #: process, right after its answer: one process, the SQLite default) or ``worker`` (only the
    #: workers: a busy server spends its time acknowledging; the production deployment)
    intake_builder: str = "request"
    default_lang: str = "ru"
    #: demos and acceptance runs only: the moment this process's clock starts at (then it runs on)
    clock_start: datetime | None = None
    page_size_max: int = 200
    smtp_url: str | None = None
    mail_from: str = "support@otklik.local"
    #: inbound mail: an IMAP mailbox to poll, imaps://user:pass@host:993/INBOX (imap:// without TLS)
    imap_url: str | None = None
    imap_poll_seconds: float = 60.0
    #: the largest inbound mail taken (SMTP listener and IMAP), bytes
    mail_max_bytes: int = 25 * 1024 * 1024
    telegram_webhook_secret: str | None = None
    telegram_bot_token: str | None = None
    telegram_api_base: str = "https://api.telegram.org"
    #: per sender address: at most this many messages a minute and a (UTC) day
    rate_per_minute: int = 20
    rate_per_day: int = 200
    #: RSS/Atom feeds of public sites to poll for mentions (every 5 minutes), comma-separated
    public_feed_urls: str = ""
    #: messengers (Telegram, VK, WhatsApp, Viber): seconds to wait for the channel's API
    messenger_timeout_seconds: float = 15.0
    vk_secret: str | None = None
    vk_confirmation_code: str | None = None
    vk_access_token: str | None = None
    vk_api_base: str = "https://api.vk.com"
    vk_api_version: str = "5.199"
    whatsapp_app_secret: str | None = None
    whatsapp_verify_token: str | None = None
    whatsapp_access_token: str | None = None
    whatsapp_phone_number_id: str | None = None
    #: the Graph API with its version; media download links come from it
    whatsapp_api_base: str = "https://graph.facebook.com/v21.0"
    viber_auth_token: str | None = None
    viber_api_base: str = "https://chatapi.viber.com/pa"
    #: the name Viber shows on our messages (at most 28 characters)
    viber_sender_name: str = "Поддержка"
    #: signs visitor tokens and ticket links (HMAC); unset: generated once into ``secret_key_file``
    secret_key: str | None = None
    secret_key_file: str = "./var/secret_key"  # noqa: S105  (a path, not a secret)
    #: the one time zone people read times in: pages, the portal, notifications, notes, mail
    desk_timezone: str = "Europe/Moscow"
    #: addresses of the reverse proxies whose ``X-Forwarded-For`` / ``-Proto`` are believed, comma-separated
    #: (``127.0.0.1`` for nginx on the same machine); empty: none, every caller is who the socket says
    trusted_proxies: str = ""
    #: how long closed tickets keep their words, days after closing per channel: ``email=730,*=1095``
    #: (``*`` every other channel; empty: for ever). ``otklik retention`` shows, ``--apply`` erases.
    retention: str = ""
    #: shop origins allowed to call the web chat endpoints (CORS), comma-separated; ``*`` = any (demo)
    public_origins: str = "*"
    #: the desk's public address for links given to customers (default: the address they called)
    public_base_url: str | None = None
    #: web chat live updates: database poll interval, and how long one stream lasts before it reconnects
    webchat_poll_seconds: float = 1.0
    webchat_stream_seconds: float = 25.0
    #: public endpoints, per visitor (or address): a burst, refilled at this many a minute
    public_rate_burst: int = 10
    public_rate_per_minute: int = 20
    #: an agent's sign-in attempts (pages and ``POST /api/v1/auth/tokens`` alike) per address and e-mail:
    #: a burst, refilled at this many a minute; and per address, whatever the e-mail
    login_rate_burst: int = 5
    login_rate_per_minute: float = 2.0
    login_ip_burst: int = 20
    login_ip_per_minute: float = 10.0
    #: roles that may publish knowledge-base articles or change published ones (the bot sends them to
    #: customers word for word), comma-separated; admins always may, anyone may write drafts
    kb_publishers: str = "admin,lead"
    #: flood buckets and typing/viewing signals: auto = database on PostgreSQL (every process sees
    #: them), memory on SQLite (one server process); ADR 0005
    shared_state: str = "auto"
    #: every new ticket gets a routing job (owner by skill, load, presence, shift); off: the shared pool
    routing_enabled: bool = True
    #: the model reads every new ticket (category, urgency, references) in the worker; off: people triage
    triage_enabled: bool = True


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
