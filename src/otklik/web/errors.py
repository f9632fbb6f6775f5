"""Refusals of the public endpoints: worded from the web catalogue, mapped to problem+json.

``PublicError`` is a ``DomainError``, so the app's one mapper renders it; only ``RateLimited``
needs its own handler, for the ``Retry-After`` header.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from otklik.core.errors import DomainError
from otklik.core.i18n import pick_lang
from otklik.web.i18n import text


class PublicError(DomainError):
    """A refusal with its own status, worded from ``otklik.web.i18n``."""

    def __init__(self, status: int, code: str, *, field: str | None = None, **params: Any) -> None:
        super().__init__(code, field=field, **params)
        self.status = status

    def message(self, lang: str = "ru", *, page: bool = False) -> str:
        return text(self.code, lang, **self.params)  # worded for pages already


class RateLimited(PublicError):
    """Too many requests from one visitor or address; ``retry_after`` whole seconds until the next one."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(429, "rate_limited", retry_after=retry_after)
        self.retry_after = retry_after


def problem(status: int, lang: str, *, code: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """RFC 9457 problem+json, in the same shape as the API's."""
    body = {
        "type": f"/problems/{code}",
        "title": text(f"title.{status}", lang),
        "status": status,
        "detail": detail,
        "code": code,
    }
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


async def rate_limited(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RateLimited)
    lang = pick_lang(request.headers.get("accept-language"))
    headers = {"Retry-After": str(exc.retry_after)}
    return problem(429, lang, code=exc.code, detail=exc.message(lang), headers=headers)
