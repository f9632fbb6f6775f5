"""The customer portal: sign in by a one-time link, see every ticket across channels with its owner,
promised times and the next answer we owe, answer «решено / не решено», rate, escalate to a lead.

Server-rendered (Jinja2 + Babel, ``otklik.web.ui``), without a single script. ``install(app)`` mounts
the routes and turns a missing session, a refused form or a domain refusal on a portal page into a
page (elsewhere the app's handlers answer as before).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from otklik.core.errors import DomainError
from otklik.web.portal import auth, pages, tickets
from otklik.web.portal.deps import PortalLoginRequired, PortalRefused, portal_lang
from otklik.web.portal.pages import render
from otklik.web.ui import N_, tr

Handler = Callable[[Request, Exception], Awaitable[Response]]
NO_SUCH_PAGE = N_("There is no such page. Check the address you opened.")


def _is_portal(request: Request) -> bool:
    return request.url.path == "/portal" or request.url.path.startswith("/portal/")


async def login_required(request: Request, exc: Exception) -> Response:
    return RedirectResponse("/portal/login", status_code=303)


async def refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PortalRefused)
    lang = portal_lang(request)
    page = render("refused.html", lang=lang, status=exc.status, message=tr(lang, exc.message, **exc.params))
    if exc.status == 429 and "seconds" in exc.params:
        page.headers["Retry-After"] = str(exc.params["seconds"])
    return page


def install(app: FastAPI) -> None:
    """Routes and handlers on ``app``; call after the other pages installed theirs (it wraps them)."""
    for module in (pages, auth, tickets):
        app.include_router(module.router)
    app.add_exception_handler(PortalLoginRequired, login_required)
    app.add_exception_handler(PortalRefused, refused)
    previous: Handler | None = app.exception_handlers.get(DomainError)  # type: ignore[assignment]  # starlette's loose handler type

    async def domain_error(request: Request, exc: Exception) -> Response:
        if _is_portal(request) and isinstance(exc, DomainError):
            lang = portal_lang(request)
            return render("refused.html", lang=lang, status=exc.status, message=exc.message(lang, page=True))
        assert previous is not None
        return await previous(request, exc)

    if previous is not None:
        app.add_exception_handler(DomainError, domain_error)
    previous_http: Handler | None = app.exception_handlers.get(HTTPException)  # type: ignore[assignment]  # as above

    async def no_such_page(request: Request, exc: Exception) -> Response:
        """An address under /portal that leads nowhere is a page in the customer's language."""
        if _is_portal(request) and isinstance(exc, HTTPException) and exc.status_code == 404:
            lang = portal_lang(request)
            return render("refused.html", lang=lang, status=404, message=tr(lang, NO_SUCH_PAGE))
        assert previous_http is not None
        return await previous_http(request, exc)

    if previous_http is not None:
        app.add_exception_handler(HTTPException, no_such_page)
