"""The agents' workspace and the admin pages: server-rendered (Jinja2 + Babel), enhanced by htmx.

``install(app)`` mounts the routes, the presence board and the handlers that turn a missing
session, a failed CSRF check or a domain refusal into pages instead of JSON.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from otklik.core.errors import DomainError
from otklik.web.agent import admin, admin_kb, analytics, assets, auth, commands, live, queues, ticket
from otklik.web.agent.deps import AdminOnly, CsrfFailed, LoginRequired, ui_lang
from otklik.web.browser import FormTooLarge
from otklik.web.presence import ViewerBoard
from otklik.web.ui import N_, render, tr

Handler = Callable[[Request, Exception], Awaitable[Response]]
PAGES = ("/agent", "/admin")
NO_SUCH_PAGE = N_("There is no such page. Check the address or go back to the queues.")


def _is_page(request: Request) -> bool:
    return request.url.path.startswith(PAGES)


async def login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)
    target = f"/agent/login?next={quote(exc.next_path, safe='/')}"
    if request.headers.get("hx-request"):
        return Response(status_code=401, headers={"HX-Redirect": target})
    if request.url.path.endswith("/events"):
        return Response(status_code=401)
    return RedirectResponse(target, status_code=303)


def _refusal(request: Request, status: int, message: str) -> Response:
    lang = ui_lang(request)
    return render("agent/refused.html", lang=lang, status=status, message=tr(lang, message))


async def csrf_failed(request: Request, exc: Exception) -> Response:
    return _refusal(request, 403, N_("This form has expired or came from another site. Reload the page and try again."))


async def admin_only(request: Request, exc: Exception) -> Response:
    return _refusal(request, 403, N_("Only an admin may open this page."))


async def bad_period(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, analytics.BadPeriod)
    return _refusal(request, 422, exc.message)


async def form_too_large(request: Request, exc: Exception) -> Response:
    return _refusal(request, 413, N_("The form is too large."))


def install(app: FastAPI) -> None:
    """Routes and handlers on ``app``; a domain refusal on a page becomes a page, elsewhere stays JSON."""
    app.state.agent_presence = ViewerBoard(app.state.shared.signals)
    for module in (auth, queues, ticket, commands, live, admin, admin_kb, analytics, assets):
        app.include_router(module.router)
    app.add_exception_handler(LoginRequired, login_required)
    app.add_exception_handler(CsrfFailed, csrf_failed)
    app.add_exception_handler(AdminOnly, admin_only)
    app.add_exception_handler(FormTooLarge, form_too_large)
    app.add_exception_handler(analytics.BadPeriod, bad_period)
    previous: Handler | None = app.exception_handlers.get(DomainError)  # type: ignore[assignment]  # starlette's loose handler type

    async def domain_error(request: Request, exc: Exception) -> Response:
        if _is_page(request) and isinstance(exc, DomainError):
            lang = ui_lang(request)
            return render("agent/refused.html", lang=lang, status=exc.status, message=exc.message(lang, page=True))
        assert previous is not None
        return await previous(request, exc)

    if previous is not None:
        app.add_exception_handler(DomainError, domain_error)
    previous_http: Handler | None = app.exception_handlers.get(HTTPException)  # type: ignore[assignment]  # as above

    async def no_such_page(request: Request, exc: Exception) -> Response:
        """An address under /agent or /admin that leads nowhere is a page in the reader's language."""
        if _is_page(request) and isinstance(exc, HTTPException) and exc.status_code == 404:
            return _refusal(request, 404, NO_SUCH_PAGE)
        assert previous_http is not None
        return await previous_http(request, exc)

    if previous_http is not None:
        app.add_exception_handler(HTTPException, no_such_page)
