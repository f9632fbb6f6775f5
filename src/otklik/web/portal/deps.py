"""What every portal page needs: the signed-in customer, the language, a CSRF-checked form."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from otklik.core import clock
from otklik.customers.models import Customer
from otklik.web.agent.deps import Fields
from otklik.web.browser import CSRF_FIELD, CSRF_HEADER, LANG_COOKIE, FormTooLarge, read_form, same_origin
from otklik.web.common import DB, State
from otklik.web.portal import session
from otklik.web.ui import LANGS, N_, pick, tr


class PortalLoginRequired(Exception):
    """No live customer session: the page sends the browser to the sign-in form."""


class PortalRefused(Exception):
    """A refusal shown as a portal page: ``message`` is a catalogue msgid, translated when shown."""

    def __init__(self, status: int, message: str, **params: Any) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.params = params


CSRF_FAILED = N_("This form has expired or came from another site. Reload the page and try again.")


def portal_lang(request: Request, customer: Customer | None = None) -> str:
    """``?lang=`` wins, then the chosen language (cookie), then the customer's own, then Russian."""
    chosen = request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)
    if customer is not None and not any(c in LANGS for c in chosen) and customer.lang in LANGS:
        return customer.lang
    return pick(*chosen)


@dataclass(frozen=True, slots=True)
class Me:
    """The signed-in customer as a page handler needs them."""

    customer: Customer
    session: session.PortalSession
    lang: str

    def t(self, message: str, **params: Any) -> str:
        return tr(self.lang, message, **params)

    def page(self, **context: Any) -> dict[str, Any]:
        """What the layout needs besides the page's own context."""
        return {"me": self.customer, "csrf": self.session.csrf, **context}


def get_me(request: Request, db: DB, state: State) -> Me:
    """The customer of a live session; ``PortalLoginRequired`` otherwise (expired, forged, merged away)."""
    data = session.read(request, state.secret())
    customer = session_customer(db, data)
    if customer is None or customer.merged_into_id is not None or data is None:
        raise PortalLoginRequired  # gone, merged away, or signed out since (on any device)
    return Me(customer, data, portal_lang(request, customer))


def session_customer(db: Session, data: session.PortalSession | None) -> Customer | None:
    """The customer whose portal session ``data`` is, unless they signed out since (on any device)."""
    if data is None or data.customer_id is None:
        return None
    customer = db.get(Customer, data.customer_id)
    return customer if customer is not None and customer.session_generation == data.generation else None


async def get_viewing_me(me: Annotated[Me, Depends(get_me)]) -> Me:
    """The page's times are read in the customer's zone (their setting; the desk's by default).
    Async on purpose: set in the request's task, the zone reaches the handler's thread."""
    clock.view_in(me.customer.timezone)
    return me


MeDep = Annotated[Me, Depends(get_viewing_me)]


async def checked_form(request: Request, state: State) -> Fields:
    """The posted form, once its CSRF token matches this portal session's and no other site sent it."""
    if not same_origin(request):
        raise PortalRefused(403, CSRF_FAILED)
    try:
        fields = Fields(await read_form(request))
    except FormTooLarge:
        raise PortalRefused(413, N_("The form is too large.")) from None
    token = fields.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER, "")
    data = session.read(request, state.secret())
    if data is None or not token or not hmac.compare_digest(data.csrf.encode(), token.encode()):
        raise PortalRefused(403, CSRF_FAILED)
    return fields


FormDep = Annotated[Fields, Depends(checked_form)]
