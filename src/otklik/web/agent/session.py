"""Browser sessions for the agents' pages: a signed cookie, CSRF tokens and the login limit.

What the portal shares with it (the Secure flag, same-origin, CSRF names, capped forms) is in
``otklik.web.browser``.

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

from fastapi import Request, Response

from otklik.agents.models import Agent
from otklik.channels.webvisitor import sign, verify
from otklik.web.browser import is_secure, session_settings

COOKIE = "otklik_agent"
PURPOSE = "agent-session"


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
    """A short fingerprint of the password hash and the session generation: a new password or a
    sign-out ends every older session."""
    seed = f"{agent.password_hash or ''}|{agent.session_generation}"
    return hashlib.sha256(seed.encode()).hexdigest()[:16]


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


def csrf_valid(data: SessionData | None, token: str | None) -> bool:
    if data is None or not token:
        return False
    return hmac.compare_digest(data.csrf.encode(), token.encode())
