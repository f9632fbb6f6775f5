"""Customers' browser sessions, kept apart from the agents': their own cookie and signing purpose.

The cookie ``otklik_portal`` holds ``{CSRF token, customer id, issued at}`` as base64url JSON signed
with HMAC-SHA256 under a key derived from the desk secret for the purpose ``portal-session`` (an
agent's cookie never opens the portal, nor the other way round). It is ``HttpOnly``,
``SameSite=Lax``, ``Path=/portal`` and ``Secure`` over https (``OTKLIK_SESSION_SECURE`` as for
agents). A session ends by expiry (``OTKLIK_PORTAL_SESSION_HOURS``), by signing out, or when the
customer is merged into another. Visitors of the sign-in pages get a session without a customer,
so those forms carry a CSRF token too; signing in issues a new token (no session fixation).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
import time
from dataclasses import dataclass

from fastapi import Request, Response

from otklik.channels.webvisitor import sign, verify
from otklik.tickets.portal import portal_settings
from otklik.web.browser import is_secure

COOKIE = "otklik_portal"
PURPOSE = "portal-session"
PATH = "/portal"


@dataclass(frozen=True, slots=True)
class PortalSession:
    """What the cookie says: always a CSRF token; a customer once signed in."""

    csrf: str
    customer_id: int | None = None
    issued: int = 0
    #: the customer's session generation when it was issued: a sign-out raises it, ending this session
    generation: int = 0


def anonymous() -> PortalSession:
    return PortalSession(secrets.token_urlsafe(24))


def signed_in(customer_id: int, generation: int = 0) -> PortalSession:
    """A fresh session: a new CSRF token, so a token seen before sign-in is worthless."""
    return PortalSession(secrets.token_urlsafe(24), customer_id, int(time.time()), generation)


def max_age_seconds() -> int:
    return int(portal_settings().session_hours * 3600)


def encode(secret: bytes, data: PortalSession) -> str:
    raw = json.dumps([data.csrf, data.customer_id, data.issued, data.generation], separators=(",", ":")).encode()
    return sign(secret, PURPOSE, base64.urlsafe_b64encode(raw).decode().rstrip("="))


def decode(secret: bytes, cookie: str | None, *, now: float, max_age: float) -> PortalSession | None:
    """The session in a cookie we signed for the portal, or None (missing, forged, damaged, expired)."""
    if not cookie or len(cookie) > 200:
        return None
    payload = verify(secret, PURPOSE, cookie)
    if payload is None:
        return None
    try:
        fields = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        csrf, customer_id, issued, generation = (*fields, 0) if len(fields) == 3 else fields  # 3: issued before
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        return None
    if not isinstance(csrf, str) or not csrf or not isinstance(issued, int) or not isinstance(generation, int):
        return None
    if customer_id is not None and (not isinstance(customer_id, int) or not 0 <= now - issued <= max_age):
        return None
    return PortalSession(csrf, customer_id, issued, generation)


def read(request: Request, secret: bytes) -> PortalSession | None:
    return decode(secret, request.cookies.get(COOKIE), now=time.time(), max_age=max_age_seconds())


def write(response: Response, request: Request, secret: bytes, data: PortalSession) -> None:
    """Set the cookie: HttpOnly, SameSite=Lax, only under /portal, Secure over https."""
    response.set_cookie(
        COOKIE,
        encode(secret, data),
        max_age=max_age_seconds(),
        path=PATH,
        httponly=True,
        samesite="lax",
        secure=is_secure(request),
    )
