"""Signing in without a password: ask for a link by e-mail, open it, press «Войти»; sign out.

The request page answers the same words whether the address is known or not (no account
enumeration), and is limited per address and per e-mail. A link opens a confirmation page first
and is spent only by its POST, so mail scanners that fetch links do not burn it.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from otklik.core import clock
from otklik.core.actors import Actor
from otklik.core.config import get_settings
from otklik.core.limiter import Rate
from otklik.core.taxonomy import Channel, IdentityKind
from otklik.customers.portal import (
    do_create_portal_link,
    do_end_portal_sessions,
    do_use_portal_link,
    live_portal_link,
)
from otklik.customers.queries import find_identity
from otklik.customers.rules import normalise_identity
from otklik.tickets.portal import portal_link_ref, portal_settings
from otklik.web.common import DB, State, client_address
from otklik.web.portal import session
from otklik.web.portal.deps import FormDep, PortalRefused, portal_lang, session_customer
from otklik.web.portal.pages import render
from otklik.web.ui import tr

router = APIRouter(include_in_schema=False)
log = logging.getLogger("otklik.portal")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
PORTAL_LOGIN = Actor.system("portal-login")


def link_base(request: Request) -> str | None:
    """Where an e-mailed link points: ``OTKLIK_PUBLIC_BASE_URL``. Without it only a loopback address
    is trusted (the demo): a link built from a stranger's Host header would carry a live token to
    their site."""
    configured = get_settings().public_base_url
    if configured:
        return configured
    if request.url.hostname in LOOPBACK:
        return str(request.base_url)
    log.error("portal sign-in link not sent: set OTKLIK_PUBLIC_BASE_URL (the request came for %s)", request.url.netloc)
    return None


def _with_session(request: Request, state: State, page: Response, data: session.PortalSession) -> Response:
    session.write(page, request, state.secret(), data)
    return page


def _anonymous(request: Request, state: State) -> session.PortalSession:
    return session.read(request, state.secret()) or session.anonymous()


def _login_page(request: Request, state: State, *, status: int = 200, **context: object) -> Response:
    data = _anonymous(request, state)
    context.setdefault("email", "")
    context.setdefault("error", "")
    context.setdefault("sent", False)
    page = render("login.html", lang=portal_lang(request), status=status, csrf=data.csrf, **context)
    return _with_session(request, state, page, data)


@router.get("/portal/login")
def login_form(request: Request, state: State) -> Response:
    return _login_page(request, state)


def _login_wait(state: State, address: str, email: str) -> int:
    """One sign-in request spent per e-mail (whoever asks: a mailbox is not flooded) and per address."""
    settings, now = portal_settings(), clock.now()
    per_email = state.limiter.hit(
        f"portal-login:{email.lower()}", now, Rate(settings.login_burst, settings.login_per_minute)
    )
    per_address = state.limiter.hit(
        f"portal-login-ip:{address}", now, Rate(settings.login_ip_burst, settings.login_ip_per_minute)
    )
    return max(per_email, per_address)


@router.post("/portal/login")
def login(request: Request, form: FormDep, state: State, db: DB) -> Response:
    """Always the same neutral answer; a link goes out only to an address we know."""
    lang = portal_lang(request)
    email = form.get("email").strip()[:320]
    normal = normalise_identity(IdentityKind.EMAIL, email)
    if normal is None:
        error = tr(lang, "This does not look like an email address.")
        return _login_page(request, state, status=422, email=email, error=error)
    wait = _login_wait(state, client_address(request), normal)
    if wait:
        error = tr(lang, "Too many attempts. Try again in %(seconds)s s.", seconds=wait)
        page = _login_page(request, state, status=429, email=email, error=error)
        page.headers["Retry-After"] = str(wait)
        return page
    identity = find_identity(db, IdentityKind.EMAIL.value, normal)
    base = link_base(request)
    if identity is not None and identity.customer.merged_into_id is None and base is not None:
        do_create_portal_link(
            db, identity.customer, channel=Channel.EMAIL.value, recipient=identity.value, base_url=base,
            actor=PORTAL_LOGIN, at=clock.now(), minutes=portal_settings().link_minutes,
        )  # fmt: skip
        db.commit()
    return _login_page(request, state, sent=True, minutes=portal_settings().link_minutes)


@router.get("/portal/in/{token}")
def enter_form(token: str, request: Request, state: State, db: DB) -> Response:
    """The confirmation page of a live link; a spent, expired or forged one says so (410)."""
    ref = portal_link_ref(state.secret(), token)
    link = live_portal_link(db, ref, clock.now()) if ref is not None else None
    data = _anonymous(request, state)
    lang = portal_lang(request)
    minutes = portal_settings().link_minutes
    if link is None:
        page = render("enter.html", lang=lang, status=410, csrf=data.csrf, valid=False, minutes=minutes, token="")
    else:
        page = render("enter.html", lang=lang, csrf=data.csrf, valid=True, minutes=minutes, token=token)
    return _with_session(request, state, page, data)


@router.post("/portal/in/{token}")
def enter(token: str, request: Request, form: FormDep, state: State, db: DB) -> Response:
    """Spend the link and start the customer's session (a new CSRF token: no session fixation)."""
    settings = portal_settings()
    wait = state.limiter.hit(
        f"portal-enter:{client_address(request)}",
        clock.now(),
        Rate(settings.login_ip_burst, settings.login_ip_per_minute),
    )
    if wait:
        raise PortalRefused(429, "Too many attempts. Try again in %(seconds)s s.", seconds=wait)
    ref = portal_link_ref(state.secret(), token)
    now = clock.now()
    link = live_portal_link(db, ref, now) if ref is not None else None
    customer = do_use_portal_link(db, link, at=now) if link is not None else None
    if customer is None:
        db.rollback()
        return RedirectResponse(f"/portal/in/{token}", status_code=303)
    db.commit()
    answer = RedirectResponse("/portal", status_code=303)
    return _with_session(request, state, answer, session.signed_in(customer.id, customer.session_generation))


@router.post("/portal/logout")
def logout(request: Request, form: FormDep, state: State, db: DB) -> Response:
    """Sign out: this browser's cookie is cleared and every portal session of the customer ends, so a
    copied cookie no longer opens their tickets either."""
    customer = session_customer(db, session.read(request, state.secret()))
    if customer is not None:
        do_end_portal_sessions(db, customer, at=clock.now())
        db.commit()
    return _with_session(request, state, RedirectResponse("/portal/login", status_code=303), session.anonymous())
