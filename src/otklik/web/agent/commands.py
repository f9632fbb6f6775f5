"""What an agent does on a ticket page: reply, note, holding reply, hold with a promise, propose a
solution, transfer with a reason, take, triage, reopen. Each form posts here and, once committed,
is redirected back to the ticket (303); a refusal re-renders the page with the reason and the
draft kept."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from otklik.agents.queries import get_agent
from otklik.core import clock
from otklik.core.config import get_settings
from otklik.core.errors import DomainError
from otklik.core.taxonomy import Category, Urgency
from otklik.messages.actions import (
    check_promise,
    do_announce_owner,
    do_confirm_posted,
    do_holding_reply,
    do_promise,
    do_reply,
)
from otklik.messages.models import Direction, Message
from otklik.messages.queries import list_messages
from otklik.quality.actions import ReplyBlocked, check_before_send
from otklik.tickets import actions
from otklik.tickets.models import Ticket
from otklik.tickets.queries import access_ticket
from otklik.web.agent.deps import Desk, DeskDep, Fields, FormDep
from otklik.web.agent.ticket import MODES, Composer, TicketId, ticket_page
from otklik.web.agent.views import hold_until
from otklik.web.common import DB

router = APIRouter(include_in_schema=False)


def _done(ticket: Ticket, anchor: str = "") -> Response:
    return RedirectResponse(f"/agent/tickets/{ticket.id}{anchor}", status_code=303)


def _run(
    db: Session, desk: Desk, ticket: Ticket, change: Callable[[], str], composer: Composer | None = None
) -> Response:
    """Apply ``change`` and commit; a domain refusal re-renders the page with its reason."""
    try:
        anchor = change()
        db.commit()
    except DomainError as refused:
        db.rollback()
        ticket = access_ticket(db, desk.principal, ticket.id)
        if composer is not None and isinstance(refused, ReplyBlocked):
            composer.blocked = True
        return ticket_page(
            db, desk, ticket, composer=composer, status=refused.status, error=refused.message(desk.lang, page=True)
        )
    return _done(ticket, anchor)


def _newest_inbound(db: Session, ticket: Ticket, after: int) -> int:
    newer = [
        m.id for m in list_messages(db, ticket.id, after_id=after, limit=500) if m.direction == Direction.INBOUND.value
    ]
    return max(newer, default=0)


@router.post("/agent/tickets/{ticket_id}/reply")
def reply(ticket_id: TicketId, desk: DeskDep, form: FormDep, db: DB) -> Response:
    """A public reply, an internal note, or a holding reply («5 минут») with its own timer.

    Refused (the draft kept) when the customer wrote since the agent's page showed their last
    message — unless the agent confirms — and, on a channel whose policy blocks it, while the
    checker flags the draft.
    """
    ticket = access_ticket(db, desk.principal, ticket_id)
    mode = form.get("mode") if form.get("mode") in MODES else "public"
    text = form.get("text")
    composer = Composer(text=text, mode=mode, minutes=form.number("minutes") or 15)
    refused = _held_back(db, desk, ticket, composer, form)
    if refused is not None:
        return refused

    override = form.get("override_reason").strip()[:2000]
    composer.override = override

    def send() -> str:
        check_before_send(
            db, ticket, agent=desk.agent, text=text, public=mode != "note", override_reason=override or None,
            message_lang=desk.lang,
        )  # fmt: skip
        if mode == "holding":
            sent = do_holding_reply(db, ticket, agent=desk.agent, text=text, minutes=composer.minutes)
        else:
            sent = do_reply(db, ticket, agent=desk.agent, text=text, public=mode != "note")
        return f"#m-{sent.id}"

    return _run(db, desk, ticket, send, composer)


def _held_back(db: Session, desk: Desk, ticket: Ticket, composer: Composer, form: Fields) -> Response | None:
    """The page again, with the reason, when the draft must not go out yet; None when it may."""
    if not composer.text.strip():
        return ticket_page(db, desk, ticket, composer=composer, status=422, error=desk.t("Write the text first."))
    if composer.mode == "note":
        return None
    if not form.flag("confirm_new") and _newest_inbound(db, ticket, form.number("seen_inbound") or 0):
        composer.new_inbound = True
        message = desk.t("The customer wrote something new while you were typing. Read it, then send again.")
        return ticket_page(db, desk, ticket, composer=composer, status=409, error=message)
    return None


@router.post("/agent/tickets/{ticket_id}/hold")
def hold(ticket_id: TicketId, desk: DeskDep, form: FormDep, db: DB) -> Response:
    """On hold until a time; the promise goes to the customer in the agent's words, checked first."""
    ticket = access_ticket(db, desk.principal, ticket_id)
    now = clock.now()
    until = hold_until(form.get("until"), desk.zone or get_settings().desk_timezone, now)
    if until is None:
        return ticket_page(db, desk, ticket, status=422, error=desk.t("Give the date and time of the promise."))
    promise = form.get("promise")[:2000]
    override = form.get("override_reason").strip()[:2000]

    def change() -> str:
        words = check_promise(promise, until, now)
        check_before_send(
            db, ticket, agent=desk.agent, text=words, public=True, override_reason=override or None,
            message_lang=desk.lang,
        )  # fmt: skip
        sent = do_promise(db, ticket, agent=desk.agent, text=words, until=until, at=now)
        return f"#m-{sent.id}"

    return _run(db, desk, ticket, change)


@router.post("/agent/tickets/{ticket_id}/messages/{message_id}/posted")
def posted(ticket_id: TicketId, message_id: TicketId, desk: DeskDep, form: FormDep, db: DB) -> Response:
    """«Опубликовано»: the agent posted a reply by hand and gives the post's link; only now is it
    sent and does the ticket wait for the customer."""
    ticket = access_ticket(db, desk.principal, ticket_id)
    message = db.get(Message, message_id)
    if message is None or message.ticket_id != ticket.id:
        return ticket_page(db, desk, ticket, status=404, error=desk.t("No such message on this ticket."))

    def change() -> str:
        do_confirm_posted(db, message, url=form.get("url"), agent=desk.agent)
        return f"#m-{message.id}"

    return _run(db, desk, ticket, change)


@router.post("/agent/tickets/{ticket_id}/solve")
def solve(ticket_id: TicketId, desk: DeskDep, form: FormDep, db: DB) -> Response:
    """Propose a solution (409 with the reason when the last public word is the customer's)."""
    ticket = access_ticket(db, desk.principal, ticket_id)

    def change() -> str:
        actions.do_propose_solution(db, ticket, actor=desk.actor)
        return ""

    return _run(db, desk, ticket, change)


@router.post("/agent/tickets/{ticket_id}/reopen")
def reopen(ticket_id: TicketId, desk: DeskDep, form: FormDep, db: DB) -> Response:
    ticket = access_ticket(db, desk.principal, ticket_id)

    def change() -> str:
        actions.do_reopen(db, ticket, actor=desk.actor)
        return ""

    return _run(db, desk, ticket, change)


def _assign(db: Session, desk: Desk, ticket: Ticket, agent_id: int | None, reason: str) -> Response:
    if agent_id is None:
        return ticket_page(db, desk, ticket, status=422, error=desk.t("Choose a colleague."))

    def change() -> str:
        target = get_agent(db, agent_id)
        actions.check_assign(desk.principal, ticket, target)
        actions.do_assign(db, ticket, target, actor=desk.actor, reason=reason)
        do_announce_owner(db, ticket)
        return ""

    return _run(db, desk, ticket, change)


@router.post("/agent/tickets/{ticket_id}/transfer")
def transfer(ticket_id: TicketId, desk: DeskDep, form: FormDep, db: DB) -> Response:
    """Hand the case to a colleague; the reason is required and stays in the history."""
    ticket = access_ticket(db, desk.principal, ticket_id)
    reason = form.get("reason").strip()[:1000]
    if len(reason) < 3:
        return ticket_page(db, desk, ticket, status=422, error=desk.t("Say why you transfer the ticket."))
    return _assign(db, desk, ticket, form.number("agent_id"), reason)


@router.post("/agent/tickets/{ticket_id}/take")
def take(ticket_id: TicketId, desk: DeskDep, form: FormDep, db: DB) -> Response:
    ticket = access_ticket(db, desk.principal, ticket_id)
    return _assign(db, desk, ticket, desk.agent.id, "taken")


def _choice(form: Fields, name: str, allowed: type[Category] | type[Urgency]) -> str | None:
    value = form.get(name)
    return value if value in {c.value for c in allowed} else None


@router.post("/agent/tickets/{ticket_id}/triage")
def triage(ticket_id: TicketId, desk: DeskDep, form: FormDep, db: DB) -> Response:
    """Category and urgency by hand; an unowned ticket becomes the agent's."""
    ticket = access_ticket(db, desk.principal, ticket_id)
    category, urgency = _choice(form, "category", Category), _choice(form, "urgency", Urgency)
    if category is None or urgency is None:
        return ticket_page(db, desk, ticket, status=422, error=desk.t("Choose a category and an urgency."))

    def change() -> str:
        owner = desk.agent if ticket.assignee_id is None else None
        actions.do_triage(
            db, ticket, category=Category(category), urgency=Urgency(urgency), owner=owner, actor=desk.actor
        )
        do_announce_owner(db, ticket)
        return ""

    return _run(db, desk, ticket, change)
