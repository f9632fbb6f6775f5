"""CORS for the public endpoints only: shops' pages call the chat; nobody's page calls the agent API.

``OTKLIK_PUBLIC_ORIGINS`` lists the shop origins (``https://shop.example``), comma-separated;
the default ``*`` lets any page embed the widget, which suits the demo and a public widget.
No credentials are ever allowed: the visitor token is a header, not a cookie.
"""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

PUBLIC_PREFIX = "/api/v1/public/"


def parse_origins(raw: str) -> list[str]:
    """``"https://a.example, https://b.example"`` → the list; ``*`` anywhere → any origin; empty → none."""
    origins = [o.strip().rstrip("/") for o in raw.split(",") if o.strip()]
    return ["*"] if "*" in origins else origins


class PublicCORS:
    """Routes requests under ``/api/v1/public/`` through Starlette's CORS handling; others pass untouched."""

    def __init__(self, app: ASGIApp, *, origins: list[str], headers: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["GET", "POST"],
            allow_headers=headers,
            expose_headers=["Retry-After"],
            allow_credentials=False,
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope.get("path", "")).startswith(PUBLIC_PREFIX):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
