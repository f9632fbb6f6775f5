"""The widget script and the stylesheets, served from the package (no build step, no CDN)."""

from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter
from fastapi.responses import Response

from otklik.web.pages import HERE

router = APIRouter(tags=["public"])
ASSETS = {
    "widget.js": "text/javascript; charset=utf-8",
    "widget.css": "text/css; charset=utf-8",
    "site.css": "text/css; charset=utf-8",
}


@lru_cache(maxsize=len(ASSETS))
def _read(name: str) -> bytes:
    return (HERE / "static" / name).read_bytes()


def _asset(name: str) -> Response:
    headers = {
        "Cache-Control": "public, max-age=300",
        "X-Content-Type-Options": "nosniff",
        # any shop's page may load the widget and its stylesheet (inside the widget's shadow root)
        "Cross-Origin-Resource-Policy": "cross-origin",
        "Access-Control-Allow-Origin": "*",
    }
    return Response(_read(name), media_type=ASSETS[name], headers=headers)


@router.get("/widget.js", include_in_schema=False)
def widget_script() -> Response:
    """The one script tag a shop embeds: ``<script src=".../widget.js" data-otklik async></script>``."""
    return _asset("widget.js")


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> Response:
    if name not in ASSETS:
        return Response(status_code=404)
    return _asset(name)
