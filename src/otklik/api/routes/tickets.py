"""Tickets: the queue, one ticket, its timeline, and every action an agent takes on it."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from otklik.agents.queries import get_agent
from otklik.agents.rules import Role
from otklik.api.deps import DB, AuthDep, Lang, PathId, QueryId, Search
from otklik.bot.notes import shown_text
from otklik.core import audit
from otklik.core.config import get_settings
from otklik.core.errors import InvalidInput
from otklik.core.schemas import MAX_ID
from otklik.core.taxonomy import Category, Channel, Urgency
from otklik.messages.actions import check_promise, do_announce_owner, do_holding_reply, do_promise, do_reply
from otklik.messages.queries import list_messages
from otklik.messages.schemas import MessageOut, MessagePage, ReplyIn
from otklik.quality.actions import check_before_send
from otklik.quality.policy_schemas import ReplyOut
from otklik.tickets import actions
from otklik.tickets.queries import TicketFilter, access_ticket, list_tickets
from otklik.tickets.rules import Status
from otklik.tickets.schemas import (
    AssignIn,
    HoldIn,
    ReferenceIn,
    SolveIn,
    TicketOut,
    TicketPage,
    TransferIn,
    TriageIn,
    VerdictIn,
)

router = APIRouter(prefix="/tickets", tags=["tickets"])


_STATUS = "|".join(s.value for s in Status)
#: ``open,pending_customer``: statuses separated by commas (blanks around them allowed)
STATUS_LIST = rf"^\s*(({_STATUS})?\s*)(,\s*(({_STATUS})\s*)?)*$"


def _statuses(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    values = tuple(s.strip() for s in raw.split(",") if s.strip())
    allowed = {s.value for s in Status}
    bad = [v for v in values if v not in allowed]
    if bad:
        raise InvalidInput(
            "invalid_field", field="status", reason=f"{', '.join(bad)} ∉ {{{', '.join(sorted(allowed))}}}"
        )
    return values


def _assignee(raw: str | None, me: int) -> tuple[int | None, bool]:
    if raw is None or raw == "":
        return None, False
    if raw == "me":
        return me, False
    if raw == "none":
        return None, True
    if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_ID:
        return int(raw), False
    raise InvalidInput("invalid_field", field="assignee", reason="me | none | <id>")


@router.get("", response_model=TicketPage)
def list_(
    db: DB,
    auth: AuthDep,
    status: Annotated[str | None, Query(pattern=STATUS_LIST)] = None,
    assignee: Annotated[str | None, Query(pattern=r"^(|me|none|[1-9][0-9]{0,17})$")] = None,
    channel: Channel | None = None,
    team: QueryId = None,
    category: Category | None = None,
    urgency: Urgency | None = None,
    customer: QueryId = None,
    q: Search = None,
    limit: Annotated[int, Query(ge=1)] = 50,
    cursor: str | None = None,
    order: Literal["activity", "priority"] = "activity",
) -> TicketPage:
    """Visible tickets, newest activity first, or with ``order=priority`` urgent first, then the
    earliest SLA target due (breached first); ``next_cursor`` fetches the next page."""
    assignee_id, unassigned = _assignee(assignee, auth.agent.id)
    flt = TicketFilter(
        _statuses(status), assignee_id, unassigned, team, channel, category, urgency, customer, q, order=order
    )
    page, next_cursor = list_tickets(
        db, auth.principal, flt, limit=min(limit, get_settings().page_size_max), cursor=cursor
    )
    return TicketPage(items=[TicketOut.of(t) for t in page], next_cursor=next_cursor)


@router.get("/{ticket_id}", response_model=TicketOut)
def read(ticket_id: PathId, db: DB, auth: AuthDep) -> TicketOut:
    return TicketOut.of(access_ticket(db, auth.principal, ticket_id))


@router.get("/{ticket_id}/messages", response_model=MessagePage)
def messages(
    ticket_id: PathId,
    db: DB,
    auth: AuthDep,
    lang: Lang,
    after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> MessagePage:
    """The timeline in order; pass the last id as ``after`` (``next_cursor``) for more. The bot's
    hand-off notes read in the caller's language (Accept-Language)."""
    access_ticket(db, auth.principal, ticket_id)
    rows = list_messages(db, ticket_id, after_id=after, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    items = [MessageOut.of(m, text=shown_text(m, lang)) for m in rows]
    return MessagePage(items=items, next_cursor=str(rows[-1].id) if more else None)


@router.post("/{ticket_id}/replies", status_code=201, response_model=ReplyOut)
def reply(ticket_id: PathId, body: ReplyIn, db: DB, auth: AuthDep, lang: Lang) -> ReplyOut:
    """A public reply (queued for delivery; the ticket then waits for the customer) or a note.
    A public reply passes the channel's quality policy first: 422 ``reply_blocked`` lists the
    blocking flags unless ``override_reason`` is given; warnings come back under ``quality``."""
    ticket = access_ticket(db, auth.principal, ticket_id)
    verdict = check_before_send(
        db, ticket, agent=auth.agent, text=body.text, public=body.public, override_reason=body.override_reason,
        message_lang=lang,
    )  # fmt: skip
    if body.follow_up_minutes is not None:
        message = do_holding_reply(
            db, ticket, agent=auth.agent, text=body.text, minutes=body.follow_up_minutes, public=body.public
        )
    else:
        message = do_reply(db, ticket, agent=auth.agent, text=body.text, public=body.public)
    db.commit()
    return ReplyOut.checked(message, verdict, lang)


@router.post("/{ticket_id}/notes", status_code=201, response_model=MessageOut)
def note(ticket_id: PathId, body: ReplyIn, db: DB, auth: AuthDep) -> MessageOut:
    """An internal note: never shown to the customer, never changes the status."""
    ticket = access_ticket(db, auth.principal, ticket_id)
    message = do_reply(db, ticket, agent=auth.agent, text=body.text, public=False)
    db.commit()
    return MessageOut.of(message)


@router.post("/{ticket_id}/solve", response_model=TicketOut)
def solve(ticket_id: PathId, body: SolveIn, db: DB, auth: AuthDep) -> TicketOut:
    """Propose a solution; with ``text`` the final public reply is stored first."""
    ticket = access_ticket(db, auth.principal, ticket_id)
    if body.text is not None:
        check_before_send(
            db, ticket, agent=auth.agent, text=body.text, public=True, override_reason=body.override_reason
        )
        do_reply(db, ticket, agent=auth.agent, text=body.text, public=True)
    actions.do_propose_solution(db, ticket, actor=auth.actor)
    db.commit()
    return TicketOut.of(ticket)


@router.post("/{ticket_id}/hold", response_model=TicketOut)
def hold(ticket_id: PathId, body: HoldIn, db: DB, auth: AuthDep, lang: Lang) -> TicketOut:
    """Promise the customer something by ``until``: the promise goes to them as a public reply in
    the agent's words (checked by the channel's quality policy, 422 ``reply_blocked`` unless
    ``override_reason``), and the ticket waits on us, visibly."""
    ticket = access_ticket(db, auth.principal, ticket_id)
    promise = check_promise(body.promise, body.until)
    check_before_send(
        db, ticket, agent=auth.agent, text=promise, public=True, override_reason=body.override_reason,
        message_lang=lang,
    )  # fmt: skip
    do_promise(db, ticket, agent=auth.agent, text=promise, until=body.until)
    db.commit()
    return TicketOut.of(ticket)


@router.post("/{ticket_id}/assign", response_model=TicketOut)
def assign(ticket_id: PathId, body: AssignIn, db: DB, auth: AuthDep) -> TicketOut:
    ticket = access_ticket(db, auth.principal, ticket_id)
    target = get_agent(db, body.agent_id)
    actions.check_assign(auth.principal, ticket, target)
    actions.do_assign(db, ticket, target, actor=auth.actor, reason="assigned")
    do_announce_owner(db, ticket)
    db.commit()
    return TicketOut.of(ticket)


@router.post("/{ticket_id}/transfer", response_model=TicketOut)
def transfer(ticket_id: PathId, body: TransferIn, db: DB, auth: AuthDep) -> TicketOut:
    """Hand the case to a colleague (any team) with a reason; the history stays."""
    ticket = access_ticket(db, auth.principal, ticket_id)
    target = get_agent(db, body.agent_id)
    actions.check_assign(auth.principal, ticket, target)
    actions.do_assign(db, ticket, target, actor=auth.actor, reason=body.reason)
    do_announce_owner(db, ticket)
    db.commit()
    return TicketOut.of(ticket)


@router.post("/{ticket_id}/triage", response_model=TicketOut)
def triage(ticket_id: PathId, body: TriageIn, db: DB, auth: AuthDep) -> TicketOut:
    ticket = access_ticket(db, auth.principal, ticket_id)
    owner = None
    if body.assignee_id is not None:
        owner = get_agent(db, body.assignee_id)
        actions.check_assign(auth.principal, ticket, owner)
    elif ticket.assignee_id is None:
        owner = auth.agent
    actions.do_triage(db, ticket, category=body.category, urgency=body.urgency, owner=owner, actor=auth.actor)
    do_announce_owner(db, ticket)
    db.commit()
    return TicketOut.of(ticket)


@router.post("/{ticket_id}/reopen", response_model=TicketOut)
def reopen(ticket_id: PathId, db: DB, auth: AuthDep) -> TicketOut:
    ticket = access_ticket(db, auth.principal, ticket_id)
    actions.do_reopen(db, ticket, actor=auth.actor)
    db.commit()
    return TicketOut.of(ticket)


@router.post("/{ticket_id}/customer-verdict", response_model=TicketOut)
def customer_verdict(ticket_id: PathId, body: VerdictIn, db: DB, auth: AuthDep) -> TicketOut:
    """An integration relays the customer's «решено / не решено» (recorded as the customer's)."""
    ticket = access_ticket(db, auth.principal, ticket_id)
    actions.do_customer_verdict(db, ticket, solved=body.solved, actor=actions.customer_actor(ticket.customer))
    db.commit()
    return TicketOut.of(ticket)


@router.post("/{ticket_id}/references", response_model=TicketOut)
def add_reference(ticket_id: PathId, body: ReferenceIn, db: DB, auth: AuthDep) -> TicketOut:
    ticket = access_ticket(db, auth.principal, ticket_id)
    actions.do_add_reference(db, ticket, kind=body.kind, value=body.value, actor=auth.actor)
    db.commit()
    return TicketOut.of(ticket)


@router.get("/{ticket_id}/audit")
def audit_log(ticket_id: PathId, db: DB, auth: AuthDep) -> dict[str, list[dict[str, object]]]:
    """Every recorded change of the ticket, oldest first (leads and admins)."""
    auth.require(Role.LEAD, Role.ADMIN)
    access_ticket(db, auth.principal, ticket_id)
    rows = audit.list_for_ticket(db, ticket_id)
    return {
        "items": [
            {
                "id": e.id,
                "action": e.action,
                "actor": {"kind": e.actor_kind, "id": e.actor_id, "name": e.actor_name},
                "data": e.data,
                "created_at": e.created_at.isoformat(),
            }
            for e in rows
        ]
    }
