"""The ticket page behind a follow link: the conversation, its owner and status, read-only. Times
are in the desk's time zone (Europe/Moscow by default), as on every other page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from otklik.channels.webvisitor import ticket_of_link
from otklik.messages.models import Direction, Message
from otklik.messages.queries import list_messages
from otklik.tickets.models import Ticket
from otklik.web.deps import DB, PageLang, State
from otklik.web.i18n import text
from otklik.web.pages import render
from otklik.web.ui import format_when

router = APIRouter(tags=["public"])


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
    messages = [_message_view(m, lang) for m in list_messages(db, ticket.id, limit=500) if m.public]
    view = _ticket_view(ticket, lang)
    return render("follow.html", lang=lang, private=True, ticket=view, messages=messages, created=new)
