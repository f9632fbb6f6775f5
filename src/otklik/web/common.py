"""What every web door needs per request: the database session, the app's ``WebState`` (flood
guard, typing, the secret), the page language, the caller's address; and the chat visitor behind a
token. The web layer sits beside ``otklik.api`` (independent layers), so it keeps its own small
session dependency; both call the same domain queries.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from otklik.channels.webvisitor import visitor_of
from otklik.core import clock
from otklik.core.config import get_settings
from otklik.core.db import request_session
from otklik.core.limiter import Limiter, MemoryLimiter, Rate
from otklik.web.errors import PublicError, RateLimited
from otklik.web.i18n import page_lang
from otklik.web.presence import TypingBoard
from otklik.web.secret import load_secret

VISITOR_HEADER = "X-Otklik-Visitor"


@dataclass
class WebState:
    """What the public side keeps per app: the flood guard, typing signals, the secret (read once)."""

    limiter: Limiter = field(default_factory=MemoryLimiter)
    typing: TypingBoard = field(default_factory=TypingBoard)
    _secret: bytes | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def secret(self) -> bytes:
        with self._lock:
            if self._secret is None:
                self._secret = load_secret(get_settings())
            return self._secret


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def get_db(request: Request) -> Iterator[Session]:
    """A session per request; handlers commit explicitly (ADR 0002)."""
    yield from request_session(request.app.state.session_factory)


DB = Annotated[Session, Depends(get_db)]


def get_reports_db(request: Request, db: DB) -> Iterator[Session]:
    """The session the dashboard reads with: the read replica when ``OTKLIK_REPORTS_DATABASE_URL``
    names one, else the request's own (as the API's reports do)."""
    yield from request_session(request.app.state.reports_session_factory, db)


ReportsDB = Annotated[Session, Depends(get_reports_db)]
State = Annotated[WebState, Depends(web_state)]


def get_page_lang(request: Request) -> str:
    return page_lang(request.query_params.get("lang"), request.headers.get("accept-language"))


PageLang = Annotated[str, Depends(get_page_lang)]


def client_address(request: Request) -> str:
    """The caller's address: behind a reverse proxy, the one it forwards when ``OTKLIK_TRUSTED_PROXIES``
    names that proxy (``otklik serve``), else the socket's."""
    return request.client.host if request.client else "unknown"


def guard(state: WebState, key: str) -> None:
    """Spend one request of ``key``'s allowance; ``RateLimited`` (429, Retry-After) when it is used up."""
    settings = get_settings()
    wait = state.limiter.hit(key, clock.now(), Rate(settings.public_rate_burst, settings.public_rate_per_minute))
    if wait:
        raise RateLimited(wait)


@dataclass(frozen=True, slots=True)
class Visitor:
    """A web chat visitor proven by their signed token; ``id`` is their web identity value."""

    id: str

    @property
    def key(self) -> str:
        return f"visitor:{self.id}"


def get_visitor(request: Request, state: State) -> Visitor:
    """The visitor named by the ``X-Otklik-Visitor`` token: 401 when it is missing or not ours."""
    token = request.headers.get(VISITOR_HEADER, "").strip()
    if not token:
        raise PublicError(401, "visitor_token_required")
    visitor_id = visitor_of(state.secret(), token)
    if visitor_id is None:
        raise PublicError(401, "visitor_token_invalid")
    return Visitor(visitor_id)


VisitorDep = Annotated[Visitor, Depends(get_visitor)]
