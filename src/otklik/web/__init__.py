"""The web doors, one package per audience: ``public`` (anyone: the chat widget and its stream, the
web form, the follow page), ``agent`` (the agents' pages and their typing API), ``portal`` (customers
signed in). What they share lives at this level: sessions and forms, live streams (``sse``), presence,
pages and words.

``install(app)`` mounts it all on the app: routes, the 429 handler, CORS for ``/api/v1/public/``.
"""

from __future__ import annotations

from fastapi import FastAPI

from otklik.core.config import get_settings
from otklik.core.shared import Shared
from otklik.web.agent import install as install_agent_pages
from otklik.web.agent import typing_api
from otklik.web.common import VISITOR_HEADER, WebState
from otklik.web.cors import PublicCORS, parse_origins
from otklik.web.errors import RateLimited, rate_limited
from otklik.web.portal import install as install_portal
from otklik.web.presence import TypingBoard
from otklik.web.public import assets, chat, follow, form


def install(app: FastAPI) -> None:
    """Routes, the ``Retry-After`` handler and the public CORS policy on ``app``."""
    shared: Shared = app.state.shared  # process memory or PostgreSQL, ADR 0005
    app.state.web = WebState(limiter=shared.limiter, typing=TypingBoard(shared.signals))
    for module in (assets, chat, form, follow, typing_api):
        app.include_router(module.router)
    app.add_exception_handler(RateLimited, rate_limited)
    app.add_middleware(
        PublicCORS,
        origins=parse_origins(get_settings().public_origins),
        headers=["Content-Type", "Accept-Language", "Last-Event-ID", VISITOR_HEADER],
    )
    install_agent_pages(app)  # the agents' workspace and admin pages (otklik.web.agent)
    install_portal(app)  # the customer portal (otklik.web.portal); wraps the handlers above
