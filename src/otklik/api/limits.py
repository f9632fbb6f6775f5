"""How large a request body may be, per route, enforced while it is read and before any other work.

A declared ``Content-Length`` over the route's limit is answered 413 at once, nothing read; a body
without one (chunked) is counted as it arrives and cut off at the limit. Authentication, signature
checks and JSON parsing all come after, so an anonymous 300 MB post costs the server its limit, not
300 MB of memory. Every door is covered: the API, the webhooks and the pages.
"""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from otklik.api.errors import problem
from otklik.core.i18n import pick_lang, translate

KIB, MIB = 1024, 1024 * 1024
#: the longest path prefix decides; texts are at most 100,000 characters (600 KB as escaped JSON)
LIMITS: tuple[tuple[str, int], ...] = (
    ("/api/v1/public/", 128 * KIB),  # anyone: a chat message or the web form, 10,000 characters
    ("/api/v1/channels/", 1 * MIB),  # webhooks: updates are small; files are fetched by their ids
    ("/api/v1/", 2 * MIB),  # agents and integrations
)
#: pages (their forms are capped at 256 KB by the pages themselves) and anything else
DEFAULT_LIMIT = 1 * MIB


def limit_for(path: str) -> int:
    for prefix, limit in LIMITS:
        if path.startswith(prefix):
            return limit
    return DEFAULT_LIMIT


class BodyTooLarge(HTTPException):
    """Raised from inside the body's reading, so FastAPI passes it on as it is (an HTTPException)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413)
        self.limit = limit


def too_large(request: Request, limit: int) -> JSONResponse:
    lang = pick_lang(request.headers.get("accept-language"))
    return problem(413, lang, code="body_too_large", detail=translate("body_too_large", lang, limit=limit), limit=limit)


async def _too_large(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, BodyTooLarge)
    return too_large(request, exc.limit)


class BodyLimit:
    """The ASGI middleware: ``Content-Length`` checked first, the stream counted after."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await too_large(Request(scope), limit)(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counted, send)


def install(app: FastAPI) -> None:
    app.add_exception_handler(BodyTooLarge, _too_large)
    app.add_middleware(BodyLimit)
