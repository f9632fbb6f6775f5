"""The ticket page: header and live clocks, the whole timeline (windowed), the customer panel,
triage and routing explanations, the composer with the reply checker's flags; and its fragments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from otklik.agents.queries import list_agents
from otklik.core import clock
from otklik.core.schemas import MAX_ID
from otklik.core.taxonomy import Category, Channel, Urgency
from otklik.messages.actions import reply_channel
from otklik.messages.queries import list_messages, list_messages_before
from otklik.quality import Flag, check_reply
from otklik.quality.actions import reply_context
from otklik.quality.policy import Decision, decide
from otklik.quality.queries import stored_levels
from otklik.tickets.models import Ticket
from otklik.tickets.queries import TicketFilter, access_ticket, list_tickets
from otklik.tickets.schemas import LinkOut
from otklik.web.agent import plugins
from otklik.web.agent.deps import Desk, DeskDep, FormDep
from otklik.web.agent.views import (
    DELIVERY,
    IDENTITY,
    REASON,
    STATUS,
    WINDOW,
    Entry,
    clocks,
    entry,
    fill,
    last_inbound_id,
    segments,
)
from otklik.web.common import DB, State
from otklik.web.presence import ViewerBoard
from otklik.web.ui import render

router = APIRouter(include_in_schema=False)
TicketId = Annotated[int, Path(ge=1, le=MAX_ID)]
MessageId = Annotated[int, Query(ge=0, le=MAX_ID)]
MODES = ("public", "note", "holding")


@dataclass
class Composer:
    """The reply form as it stands: its text, mode, flags and what stopped it being sent."""

    text: str = ""
    mode: str = "public"
    minutes: int = 15
    flags: tuple[Flag, ...] | None = None
    decision: Decision | None = None
    error: str = ""
    new_inbound: bool = False
    #: the channel's policy blocked the draft: the agent may fix it or send it with a reason
    blocked: bool = False
    override: str = ""


def board(request: Request) -> ViewerBoard:
    found: ViewerBoard = request.app.state.agent_presence
    return found


def check_flags(db: Session, ticket: Ticket, composer: Composer, lang: str) -> None:
    """The reply checker's flags on the draft, and the level the channel's policy gives each
    (``quality.check_reply`` and ``quality.policy.decide``, as ``check_before_send`` will judge it).
    Internal notes are not checked."""
    if not composer.text.strip() or composer.mode == "note":
        composer.flags, composer.decision = (), None
        return
    context = reply_context(db, ticket)
    result = check_reply(
        composer.text, customer_message=context.customer_message, public=ticket.is_public, message_lang=lang,
        earlier_replies=context.earlier_replies,
    )  # fmt: skip
    stored = stored_levels(db, reply_channel(db, ticket))
    composer.flags = result.flags
    composer.decision = decide((f.code for f in result.flags), stored, public=ticket.is_public)


def flags_context(composer: Composer) -> dict[str, Any]:
    return {
        "flags": composer.flags,
        "decision": composer.decision,
        "segments": segments(composer.text, composer.flags or ()),
    }


def ticket_context(db: Session, desk: Desk, ticket: Ticket, composer: Composer | None = None) -> dict[str, Any]:
    now = clock.now()
    rows, earlier = list_messages_before(db, ticket.id, limit=WINDOW)
    entries = [entry(m, desk.lang) for m in rows]
    composer = composer or Composer()
    if composer.flags is None and composer.text:
        check_flags(db, ticket, composer, desk.lang)
    past, _ = list_tickets(db, desk.principal, TicketFilter(customer_id=ticket.customer_id), limit=11, cursor=None)
    links = [LinkOut.of(link) for link in sorted([*ticket.links_out, *ticket.links_in], key=lambda k: k.id)]
    return desk.page(
        ticket=ticket,
        entries=entries,
        earlier=earlier,
        last_id=entries[-1].id if entries else 0,
        seen_inbound=last_inbound_id(entries),
        clocks=clocks(ticket, now),
        now=now,
        past=[t for t in past if t.id != ticket.id][:10],
        links=links,
        explanations=plugins.explanations(db, ticket, desk.lang),
        agents=[a for a in list_agents(db) if a.active and a.id != ticket.assignee_id],
        canned=plugins.canned_replies(db, desk.lang),
        categories=list(Category),
        urgencies=list(Urgency),
        channels=Channel,
        composer=composer,
        status_names=STATUS,
        delivery_names=DELIVERY,
        identity_names=IDENTITY,
        reason_names=REASON,
        section="ticket",
        **flags_context(composer),
    )


def ticket_page(db: Session, desk: Desk, ticket: Ticket, *, composer: Composer | None = None, status: int = 200,
                error: str = "") -> HTMLResponse:  # fmt: skip
    context = ticket_context(db, desk, ticket, composer)
    return render("agent/ticket.html", lang=desk.lang, status=status, error=error, **context)


@router.get("/agent/tickets/{ticket_id}")
def page(ticket_id: TicketId, desk: DeskDep, db: DB, request: Request) -> Response:
    ticket = access_ticket(db, desk.principal, ticket_id)
    board(request).viewing(ticket.id, desk.agent.id, desk.agent.name, clock.now())
    return ticket_page(db, desk, ticket)


@router.get("/agent/tickets/{ticket_id}/timeline")
def timeline(ticket_id: TicketId, desk: DeskDep, db: DB, after: MessageId = 0, before: MessageId = 0) -> Response:
    """Timeline items: the newer ones after ``after`` (live updates) or the window before ``before``."""
    ticket = access_ticket(db, desk.principal, ticket_id)
    earlier = False
    if before:
        rows, earlier = list_messages_before(db, ticket.id, before_id=before, limit=WINDOW)
    else:
        rows = list_messages(db, ticket.id, after_id=after, limit=WINDOW)
    entries: list[Entry] = [entry(m, desk.lang) for m in rows]
    return render(
        "agent/_timeline.html", lang=desk.lang, ticket=ticket, entries=entries, earlier=earlier and bool(before),
        delivery_names=DELIVERY, csrf=desk.session.csrf,
    )  # fmt: skip


@router.get("/agent/tickets/{ticket_id}/panel")
def panel(ticket_id: TicketId, desk: DeskDep, db: DB) -> Response:
    """The header with status, owner and live clocks (refreshed when the ticket changes)."""
    ticket = access_ticket(db, desk.principal, ticket_id)
    return render(
        "agent/_panel.html", lang=desk.lang, ticket=ticket, clocks=clocks(ticket, clock.now()), status_names=STATUS
    )


@router.post("/agent/tickets/{ticket_id}/check")
def check(ticket_id: TicketId, desk: DeskDep, form: FormDep, db: DB) -> Response:
    """The reply checker on the draft as it is typed: the flags area alone."""
    ticket = access_ticket(db, desk.principal, ticket_id)
    mode = form.get("mode") if form.get("mode") in MODES else "public"
    composer = Composer(text=form.get("text")[:100_000], mode=mode)
    check_flags(db, ticket, composer, desk.lang)
    return render("agent/_flags.html", lang=desk.lang, ticket=ticket, composer=composer, **flags_context(composer))


@router.post("/agent/tickets/{ticket_id}/typing")
def typing(ticket_id: TicketId, desk: DeskDep, form: FormDep, db: DB, state: State, request: Request) -> Response:
    """The agent types: colleagues see it; on a public reply the web chat customer sees «печатает…» too."""
    ticket = access_ticket(db, desk.principal, ticket_id)
    now = clock.now()
    on = bool(form.get("text").strip())
    board(request).typing(ticket.id, desk.agent.id, desk.agent.name, now, on=on)
    public = form.get("mode", "public") != "note"
    state.typing.agent(ticket.id, desk.agent.name if on and public else None, now)
    return Response(status_code=204)


@router.get("/agent/tickets/{ticket_id}/canned")
def canned(ticket_id: TicketId, desk: DeskDep, db: DB, reply: Annotated[str, Query(max_length=200)] = "") -> Response:
    """The composer's text area with a canned reply filled in (variables replaced; then checked as typed)."""
    ticket = access_ticket(db, desk.principal, ticket_id)
    chosen = next((c for c in plugins.canned_replies(db, desk.lang) if c.id == reply), None)
    values = {
        "customer_name": ticket.customer.name,
        "agent_name": desk.agent.name,
        "ticket_number": ticket.number,
    }
    text, unknown = fill(chosen.body, values) if chosen else ("", [])
    return render("agent/_textarea.html", lang=desk.lang, ticket=ticket, composer=Composer(text=text),
                  unknown=unknown)  # fmt: skip
