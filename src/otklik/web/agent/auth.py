"""Login, logout and the language switch of the agents' pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from otklik.agents.actions import actor_of, check_credentials, do_end_sessions
from otklik.agents.security import login_wait
from otklik.core import clock
from otklik.core.config import get_settings
from otklik.core.errors import DomainError
from otklik.web.agent.deps import FormDep, session_agent, ui_lang
from otklik.web.agent.session import (
    logged_in,
    logged_out,
    read_session,
    write_session,
)
from otklik.web.browser import LANG_COOKIE, is_secure
from otklik.web.common import DB, State, client_address
from otklik.web.ui import LANGS, render, tr

router = APIRouter(include_in_schema=False)


def safe_next(raw: str | None) -> str:
    """Only a path of ours: never another site («//evil», «https://…», «/\\evil»)."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw or any(ord(c) < 32 for c in raw):
        return "/agent"
    return raw


def _login_page(request: Request, state: State, *, status: int = 200, error: str = "", email: str = "") -> Response:
    """The form, with a CSRF token of the visitor's (new or kept) anonymous session."""
    secret = state.secret()
    data = read_session(request, secret)
    if data is None:
        data = logged_out(None)
    lang = ui_lang(request)
    page = render(
        "agent/login.html",
        lang=lang,
        status=status,
        csrf=data.csrf,
        error=error,
        email=email,
        next=safe_next(request.query_params.get("next")),
    )
    write_session(page, request, secret, data)
    return page


@router.get("/agent/login")
def login_form(request: Request, state: State) -> Response:
    return _login_page(request, state)


@router.post("/agent/login")
def login(request: Request, form: FormDep, state: State, db: DB) -> Response:
    """Argon2 check of e-mail and password; 429 past the per-address+e-mail limit; a new session on success."""
    lang = ui_lang(request)
    email = form.get("email").strip()[:320]
    wait = login_wait(state.limiter, client_address(request), email, settings=get_settings(), now=clock.now())
    if wait:
        page = _login_page(
            request, state, status=429, email=email,
            error=tr(lang, "Too many attempts. Try again in %(seconds)s s.", seconds=wait),
        )  # fmt: skip
        page.headers["Retry-After"] = str(wait)
        return page
    try:
        agent = check_credentials(db, email=email, password=form.get("password")[:1000])
    except DomainError:
        return _login_page(request, state, status=401, email=email, error=tr(lang, "Wrong email or password."))
    target = safe_next(form.get("next"))
    answer = RedirectResponse(target, status_code=303)
    write_session(answer, request, state.secret(), logged_in(agent))
    return answer


@router.post("/agent/logout")
def logout(request: Request, form: FormDep, state: State, db: DB) -> Response:
    """Sign out: this browser's cookie is cleared and every session of the agent ends, so a copy of
    the cookie (another device, a stolen one) no longer opens the desk either."""
    data = read_session(request, state.secret())
    agent = session_agent(db, data)
    if agent is not None:
        do_end_sessions(db, agent, actor=actor_of(agent))
        db.commit()
    answer = RedirectResponse("/agent/login", status_code=303)
    write_session(answer, request, state.secret(), logged_out(data))
    return answer


@router.get("/ui/lang/{lang}")
def switch_lang(request: Request, lang: str, next: Annotated[str | None, Query()] = None) -> Response:
    """Remember the chosen language (a plain cookie: nothing secret in it) and go back."""
    answer = RedirectResponse(safe_next(next), status_code=303)
    if lang in LANGS:
        answer.set_cookie(
            LANG_COOKIE, lang, max_age=365 * 86400, path="/", httponly=True, samesite="lax", secure=is_secure(request)
        )
    return answer
