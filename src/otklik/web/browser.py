"""What every page door needs from the browser, whoever is behind it (agents, customers): the
session settings and the Secure flag, the same-origin check, the CSRF field names, the language
cookie, and a form body read with a size cap. Each audience keeps its own signed cookie
(``web/agent/session.py``, ``web/portal/session.py``).
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

from fastapi import Request
from pydantic_settings import BaseSettings, SettingsConfigDict

LANG_COOKIE = "otklik_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
#: a form post larger than this is refused unread
MAX_FORM_BYTES = 256 * 1024


class SessionSettings(BaseSettings):
    """Browser sessions of agents and customers: lifetime and the Secure flag."""

    model_config = SettingsConfigDict(env_prefix="OTKLIK_", extra="ignore")

    #: a session lasts this long after login, whatever the activity
    session_hours: float = 12.0
    #: ``auto``: Secure when the request came over https (behind a proxy: set OTKLIK_TRUSTED_PROXIES)
    session_secure: str = "auto"


@lru_cache(maxsize=1)
def session_settings() -> SessionSettings:
    """Read once; tests call ``session_settings.cache_clear()`` after changing the environment."""
    return SessionSettings()


def is_secure(request: Request) -> bool:
    mode = session_settings().session_secure.lower()
    if mode in {"on", "1", "true", "yes"}:
        return True
    if mode in {"off", "0", "false", "no"}:
        return False
    return request.url.scheme == "https"


def same_origin(request: Request) -> bool:
    """False when the browser says the request came from another site's page."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    parts = urlsplit(origin)
    host = request.headers.get("host", "")
    return parts.netloc == host and parts.scheme in {"http", "https"}


class FormTooLarge(Exception):
    pass


async def read_form(request: Request) -> dict[str, list[str]]:
    """An url-encoded form body (every value of each field), read with a size cap."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise FormTooLarge
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return {}
    return parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
