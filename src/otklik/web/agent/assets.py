"""The agents' pages' own static files, served by the app: htmx (pinned, see docs/subsystems/agent-ui.md),
our script and our stylesheet. No CDN, no build step."""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter
from fastapi.responses import Response

from otklik.web.ui import HERE

router = APIRouter(include_in_schema=False)
ASSETS = {
    "htmx.min.js": "text/javascript; charset=utf-8",
    "agent.js": "text/javascript; charset=utf-8",
    "agent.css": "text/css; charset=utf-8",
}
#: htmx as published on npm (htmx.org 2.0.11, licence 0BSD); the test suite checks these bytes
HTMX_VERSION = "2.0.11"
HTMX_SHA256 = "d6fdc75f204e6bdefa99b69bf1e6d4ac69b8a364f77929f45c13476b4000f717"


@lru_cache(maxsize=len(ASSETS))
def read(name: str) -> bytes:
    return (HERE / "static" / name).read_bytes()


@router.get("/static/ui/{name}")
def asset(name: str) -> Response:
    if name not in ASSETS:
        return Response(status_code=404)
    headers = {"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"}
    return Response(read(name), media_type=ASSETS[name], headers=headers)
