"""The ticket page behind a follow link: the conversation, its owner and status, and for a web form's
request (which has no other channel) a box to add to it. Times are in the
customer's zone, else the desk's (Europe/Moscow by default), by the one rule of ``clock.zone``."""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from otklik.channels.webvisitor import ticket_of_link, valid_client_id
from otklik.core import clock
from otklik.messages.models import Direction, Message
from otklik.messages.queries import list_messages
from otklik.tickets.models import Ticket
from otklik.web.common import DB, PageLang, State, client_address, guard
from otklik.web.errors import RateLimited
from otklik.web.i18n import text
from otklik.web.intake import follow_up, form_identity
from otklik.web.links import follow_url
from otklik.web.pages import render
from otklik.web.public.form import posted_fields
from otklik.web.schemas import MAX_PUBLIC_TEXT
from otklik.web.ui import format_when

router = APIRouter(tags=["public"], include_in_schema=False)  # pages, not API: HTML in, HTML out


def _message_view(message: Message, lang: str) -> dict[str, Any]:
    mine = message.direction == Direction.INBOUND.value
    if mine:
        author = text("follow.you", lang)
    else:
        author = message.author_agent.name if message.author_agent is not None else text("follow.support", lang)
    state = message.delivery_state
    return {
        "mine": mine,
        "author": author,
        "iso": message.created_at.isoformat(),
        "when": format_when(message.created_at, lang),
        "text": message.text,
        "delivery_state": state,
        "delivery": text(f"delivery.{state}", lang) if state and not mine else None,
    }


def _ticket_view(ticket: Ticket, lang: str) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "owner": ticket.assignee.name if ticket.assignee is not None else None,
        "hold_until": format_when(ticket.hold_until, lang) if ticket.hold_until is not None else None,
    }


@router.get("/t/{token}", response_class=HTMLResponse)
def follow(token: str, lang: PageLang, state: State, db: DB, new: bool = False) -> HTMLResponse:
    """A forged, damaged or other-purpose token is the same 404 as a deleted ticket."""
    ticket_id = ticket_of_link(state.secret(), token)
    ticket = db.get(Ticket, ticket_id) if ticket_id is not None else None
    if ticket is None:
        return render("missing.html", lang=lang, status=404, private=True)
    return _page(db, ticket, lang, created=new)


def _page(db: DB, ticket: Ticket, lang: str, *, status: int = 200, created: bool = False, **form: str) -> HTMLResponse:
    clock.view_in(ticket.customer.timezone)  # the link is the customer's: their zone, else the desk's
    messages = [_message_view(m, lang) for m in list_messages(db, ticket.id, limit=500) if m.public]
    reply = {"key": secrets.token_hex(8), "text": "", "error": "", **form} if form_identity(db, ticket) else None
    view = _ticket_view(ticket, lang)
    return render(
        "follow.html", lang=lang, status=status, private=True, ticket=view, messages=messages, created=created,
        reply=reply,
    )  # fmt: skip


async def follow_fields(request: Request) -> dict[str, str]:
    return await posted_fields(request, ("text", "key"))


@router.post("/t/{token}", response_class=HTMLResponse)
def follow_reply(
    token: str, request: Request, fields: Annotated[dict[str, str], Depends(follow_fields)], lang: PageLang,
    state: State, db: DB,
) -> Response:  # fmt: skip
    """A form customer adds to their request from its page (no JavaScript): stored, then 303 back to
    the page of the ticket it joined; an empty or too long text re-renders the page with the reason."""
    ticket_id = ticket_of_link(state.secret(), token)
    ticket = db.get(Ticket, ticket_id) if ticket_id is not None else None
    if ticket is None:
        return render("missing.html", lang=lang, status=404, private=True)
    words, key = fields.get("text", "").strip(), fields.get("key", "")
    key = key if valid_client_id(key) else secrets.token_hex(8)
    try:
        guard(state, f"follow:{client_address(request)}")
    except RateLimited as limited:
        page = _page(db, ticket, lang, status=429, text=words, key=key, error=limited.message(lang))
        page.headers["Retry-After"] = str(limited.retry_after)
        return page
    if not words or len(words) > MAX_PUBLIC_TEXT:
        reason = text("text_required", lang) if not words else text("text_too_long", lang, limit=MAX_PUBLIC_TEXT)
        return _page(db, ticket, lang, status=422, text=words[:MAX_PUBLIC_TEXT], key=key, error=reason)
    landed = follow_up(db, ticket, words, message_key=key)
    target = follow_url(request, state, landed.id)
    return RedirectResponse(target + ("?lang=en" if lang == "en" else ""), status_code=303)
