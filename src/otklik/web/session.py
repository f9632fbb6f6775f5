"""Browser sessions for the agents' pages: a signed cookie, CSRF tokens and the login limit.

The cookie holds ``{agent id, password stamp, issued at, CSRF token}`` as base64url JSON signed with
HMAC-SHA256 under a key derived from the desk secret (``channels.webvisitor.sign``, purpose
``agent-session``). It is ``HttpOnly``, ``SameSite=Lax``, ``Path=/`` and ``Secure`` whenever the
request came over https (or ``OTKLIK_SESSION_SECURE=on``). Nothing is stored server-side, so any
process verifies any cookie; the costs: a session ends by expiry (``OTKLIK_SESSION_HOURS``), by a
changed password (the stamp no longer matches), by deactivation, or by the browser dropping the
cookie at logout; a copied cookie stays valid until its expiry.

Every unsafe request carries the session's CSRF token (form field ``csrf_token`` or header
``X-CSRF-Token``); a foreign ``Origin`` is refused outright. Anonymous visitors of the login page
get a session without an agent, so the login form is protected the same way; logging in issues a
new token (no session fixation).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass, replace
from functools import lru_cache
from urllib.parse import parse_qs, urlsplit

from fastapi import Request, Response
from pydantic_settings import BaseSettings, SettingsConfigDict

from otklik.agents.models import Agent
from otklik.channels.webvisitor import sign, verify
from otklik.core import clock
from otklik.core.limiter import Limiter, Rate

COOKIE = "otklik_agent"
LANG_COOKIE = "otklik_lang"
PURPOSE = "agent-session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
#: a form post larger than this is refused unread
MAX_FORM_BYTES = 256 * 1024


class SessionSettings(BaseSettings):
    """The agents' pages: session lifetime, the Secure flag, login limits, the desk's time zone."""

    model_config = SettingsConfigDict(env_prefix="OTKLIK_", extra="ignore")

    #: a session lasts this long after login, whatever the activity
    session_hours: float = 12.0
    #: ``auto``: Secure when the request came over https (run uvicorn with --proxy-headers behind a proxy)
    session_secure: str = "auto"
    #: failed-or-not login attempts per address and e-mail: a burst, refilled at this many a minute
    login_rate_burst: int = 5
    login_rate_per_minute: float = 2.0
    #: the same per address, whatever the e-mail (one address guessing many accounts)
    login_ip_burst: int = 20
    login_ip_per_minute: float = 10.0


@lru_cache(maxsize=1)
def session_settings() -> SessionSettings:
    """Read once; tests call ``session_settings.cache_clear()`` after changing the environment."""
    return SessionSettings()


@dataclass(frozen=True, slots=True)
class SessionData:
    """What the cookie says: always a CSRF token; an agent once logged in."""

    csrf: str
    agent_id: int | None = None
    stamp: str = ""
    issued: int = 0


def new_csrf() -> str:
    return secrets.token_urlsafe(24)


def password_stamp(agent: Agent) -> str:
    """A short fingerprint of the password hash: a new password ends every old session."""
    return hashlib.sha256((agent.password_hash or "").encode()).hexdigest()[:16]


def encode(secret: bytes, data: SessionData) -> str:
    raw = json.dumps([data.csrf, data.agent_id, data.stamp, data.issued], separators=(",", ":")).encode()
    return sign(secret, PURPOSE, base64.urlsafe_b64encode(raw).decode().rstrip("="))


def decode(secret: bytes, cookie: str | None, *, now: float, max_age: float) -> SessionData | None:
    """The session in a cookie we signed, or None (missing, forged, damaged, expired)."""
    if not cookie or len(cookie) > 1000:
        return None
    payload = verify(secret, PURPOSE, cookie)
    if payload is None:
        return None
    try:
        csrf, agent_id, stamp, issued = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        return None
    if not isinstance(csrf, str) or not isinstance(issued, int) or not isinstance(stamp, str):
        return None
    if agent_id is not None and (not isinstance(agent_id, int) or not 0 <= now - issued <= max_age):
        return None
    return SessionData(csrf, agent_id, stamp, issued)


def max_age_seconds() -> int:
    return int(session_settings().session_hours * 3600)


def is_secure(request: Request) -> bool:
    mode = session_settings().session_secure.lower()
    if mode in {"on", "1", "true", "yes"}:
        return True
    if mode in {"off", "0", "false", "no"}:
        return False
    return request.url.scheme == "https"


def read_session(request: Request, secret: bytes) -> SessionData | None:
    return decode(secret, request.cookies.get(COOKIE), now=time.time(), max_age=max_age_seconds())


def write_session(response: Response, request: Request, secret: bytes, data: SessionData) -> None:
    """Set the cookie: HttpOnly, SameSite=Lax, Secure over https; it expires with the session."""
    response.set_cookie(
        COOKIE,
        encode(secret, data),
        max_age=max_age_seconds(),
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_secure(request),
    )


def logged_in(agent: Agent) -> SessionData:
    """A fresh session for ``agent``: a new CSRF token, so a token seen before login is worthless."""
    return SessionData(new_csrf(), agent.id, password_stamp(agent), int(time.time()))


def logged_out(data: SessionData | None) -> SessionData:
    return replace(data, agent_id=None, stamp="", csrf=new_csrf()) if data else SessionData(new_csrf())


def same_origin(request: Request) -> bool:
    """False when the browser says the request came from another site's page."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    parts = urlsplit(origin)
    host = request.headers.get("host", "")
    return parts.netloc == host and parts.scheme in {"http", "https"}


def csrf_valid(data: SessionData | None, token: str | None) -> bool:
    if data is None or not token:
        return False
    return hmac.compare_digest(data.csrf.encode(), token.encode())


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


def login_wait(limiter: Limiter, address: str, email: str) -> int:
    """Spend one login attempt of the address+e-mail and of the address; the seconds to wait, or 0."""
    settings = session_settings()
    now = clock.now()
    per_account = limiter.hit(
        f"login:{address}:{email.strip().lower()}", now, Rate(settings.login_rate_burst, settings.login_rate_per_minute)
    )
    per_address = limiter.hit(f"login:{address}", now, Rate(settings.login_ip_burst, settings.login_ip_per_minute))
    return max(per_account, per_address)
