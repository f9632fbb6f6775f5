"""Rendering the portal's pages: the shared Babel templates (``otklik.web.ui``), our stylesheet, and
headers stricter than the agents' pages: the portal runs no script at all, never sends its address
to another site (sign-in links carry a token) and is never cached or framed."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from otklik.web.ui import render_text

HERE = Path(__file__).parent
#: no script source at all: customer and agent text can only ever be text
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'; object-src 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # the sign-in page's address holds its token: it may travel to us only (and «no-referrer» would
    # make browsers send ``Origin: null`` with our own forms, which the CSRF check refuses)
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex",
}

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=1)
def stylesheet() -> bytes:
    return (HERE / "portal.css").read_bytes()


@lru_cache(maxsize=1)
def stylesheet_url() -> str:
    """Versioned by content, so browsers may keep it long."""
    return f"/portal/static/portal.css?v={hashlib.sha256(stylesheet()).hexdigest()[:12]}"


@router.get("/portal/static/portal.css")
def portal_css() -> Response:
    headers = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}
    return Response(stylesheet(), media_type="text/css; charset=utf-8", headers=headers)


def render(name: str, *, lang: str, status: int = 200, **context: Any) -> HTMLResponse:
    """``portal/<name>`` in ``lang`` with the portal's headers."""
    context.setdefault("csrf", "")
    context.setdefault("me", None)
    html = render_text(f"portal/{name}", lang=lang, stylesheet=stylesheet_url(), **context)
    return HTMLResponse(html, status_code=status, headers=HEADERS)
