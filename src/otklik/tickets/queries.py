"""Reads of tickets: permission-checked fetch, the queue with keyset pagination."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, false, func, literal, or_, select, true, tuple_
from sqlalchemy.orm import Session, lazyload

from otklik.agents.rules import Principal, Role, can_see_ticket
from otklik.core.clock import as_utc
from otklik.core.db import UTCDateTime
from otklik.core.errors import Forbidden, InvalidInput, NotFound
from otklik.core.schemas import MAX_ID
from otklik.tickets.models import Ticket, TicketReference
from otklik.tickets.rules import STOPPED, Status


def lock_tickets_in_order(session: Session, ticket_ids: Iterable[int]) -> None:
    """Take the row locks of these tickets now, in ascending id order: the one global order in
    which every transaction that changes several tickets, or a ticket and something shared (the
    routing lock, a worker's batch), takes them, so two such transactions never deadlock. SQLite
    serialises its writers and takes no row locks: nothing to do there."""
    ids = sorted(set(ticket_ids))
    if ids and session.get_bind().dialect.name == "postgresql":
        session.execute(select(Ticket.id).where(Ticket.id.in_(ids)).order_by(Ticket.id).with_for_update()).all()


def get_ticket(session: Session, ticket_id: int) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound("ticket_not_found", ticket_id=ticket_id)
    return ticket


def access_ticket(session: Session, who: Principal, ticket_id: int) -> Ticket:
    """The ticket, if ``who`` may see it: 404 when it does not exist, 403 when it is another team's."""
    ticket = get_ticket(session, ticket_id)
    if not can_see_ticket(who, team_id=ticket.team_id, assignee_id=ticket.assignee_id):
        raise Forbidden("ticket_forbidden", ticket_id=ticket_id)
    return ticket


def find_active_ticket(session: Session, customer_id: int, channel: str) -> Ticket | None:
    """The customer's latest not-yet-closed ticket on ``channel``: a new message joins it."""
    return _latest_ticket(session, customer_id, channel, Ticket.status != Status.CLOSED.value)


def find_last_ticket(session: Session, customer_id: int, channel: str) -> Ticket | None:
    """The customer's latest ticket on ``channel``, closed or not: a chat that reopens shows where
    the conversation ended (a new message still starts a new ticket)."""
    return _latest_ticket(session, customer_id, channel, true())


def _latest_ticket(session: Session, customer_id: int, channel: str, status: ColumnElement[bool]) -> Ticket | None:
    return session.scalars(
        select(Ticket)
        .where(Ticket.customer_id == customer_id, Ticket.channel == channel, status)
        .order_by(Ticket.created_at.desc(), Ticket.id.desc())
        .limit(1)
        # intake needs the ticket itself; its collections load only if something reads them
        .options(lazyload(Ticket.references), lazyload(Ticket.links_out), lazyload(Ticket.links_in))
    ).first()


@dataclass(frozen=True, slots=True)
class TicketFilter:
    """What a queue asks for; every field narrows, None means any."""

    statuses: tuple[str, ...] = ()
    assignee: int | None = None
    unassigned: bool = False
    team_id: int | None = None
    channel: str | None = None
    category: str | None = None
    urgency: str | None = None
    customer_id: int | None = None
    q: str | None = None
    #: in any of these teams (an agent's «my team» queue)
    team_ids: tuple[int, ...] = ()
    #: a running SLA target (response or resolution) is due before this moment (past ones included)
    due_before: datetime | None = None
    #: ... and none of them before this one (with ``due_before``: «near breach», not yet breached)
    due_after: datetime | None = None
    #: a promise comes due before this moment (on hold), or came due and nobody has answered since
    follow_up_before: datetime | None = None
    #: ``activity`` (newest activity first) or ``priority`` (urgent first, then the earliest SLA due)
    order: str = "activity"


ORDERS = ("activity", "priority")
#: where a ticket with no running target sorts: after every real due time
NO_DUE = datetime(9999, 12, 31, tzinfo=UTC)


def _earliest(a: ColumnElement[Any], b: ColumnElement[Any]) -> ColumnElement[Any]:
    """The earlier of two nullable times (NULL only when both are), the same on both databases."""
    return case((a.is_(None), b), (b.is_(None), a), (a < b, a), else_=b)


def _priority_columns() -> tuple[ColumnElement[Any], ColumnElement[Any], ColumnElement[Any]]:
    """The queue's priority order as SQL: urgent first, then the earliest running SLA target (a
    breached one is earlier than any still running), then the oldest ticket."""
    rank = case((Ticket.urgency == "urgent", 0), else_=1)
    response = case(
        (Ticket.waiting_since.is_(None), None),
        (Ticket.first_response_at.is_(None), Ticket.first_response_due_at),
        else_=Ticket.next_response_due_at,
    )
    resolution = case((Ticket.status.in_(sorted(STOPPED)), None), else_=Ticket.resolution_due_at)
    due = func.coalesce(_earliest(response, resolution), literal(NO_DUE, UTCDateTime()))
    return rank, due, Ticket.id.expression


def priority_key(ticket: Ticket) -> tuple[int, datetime, int]:
    """``_priority_columns`` of one loaded ticket (what a cursor of the priority order holds)."""
    response = None
    if ticket.waiting_since is not None:
        response = ticket.first_response_due_at if ticket.first_response_at is None else ticket.next_response_due_at
    resolution = None if ticket.status in STOPPED else ticket.resolution_due_at
    dues = [d for d in (response, resolution) if d is not None]
    return (0 if ticket.urgency == "urgent" else 1), (min(dues) if dues else NO_DUE), ticket.id


def encode_cursor(ticket: Ticket, order: str = "activity") -> str:
    if order == "priority":
        rank, due, ticket_id = priority_key(ticket)
        raw = json.dumps(["p", rank, due.isoformat(), ticket_id]).encode()
    else:
        raw = json.dumps([ticket.updated_at.isoformat(), ticket.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_priority_cursor(cursor: str) -> tuple[int, datetime, int]:
    """The position a cursor of the priority order names (422 naming ``cursor`` otherwise)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        marker, rank, moment, ticket_id = json.loads(raw)
        position = int(rank), as_utc(datetime.fromisoformat(moment)), int(ticket_id)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, OverflowError):
        raise InvalidInput("invalid_cursor", field="cursor") from None
    if marker != "p" or position[0] not in (0, 1) or not 0 < position[2] <= MAX_ID:
        raise InvalidInput("invalid_cursor", field="cursor")
    return position


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The position a cursor names; anything we could not have issued is a 422 naming ``cursor``."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, ticket_id = json.loads(raw)
        position = as_utc(datetime.fromisoformat(moment)), int(ticket_id)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, OverflowError):
        raise InvalidInput("invalid_cursor", field="cursor") from None
    if not 0 < position[1] <= MAX_ID:
        raise InvalidInput("invalid_cursor", field="cursor")
    return position


def visible_to(who: Principal) -> ColumnElement[bool]:
    """The tickets ``who`` may see, as a condition (the same rule as ``can_see_ticket``)."""
    if who.role is Role.ADMIN:
        return literal(True)
    teams = Ticket.team_id.in_(sorted(who.team_ids)) if who.team_ids else false()
    return or_(Ticket.assignee_id == who.agent_id, Ticket.team_id.is_(None), teams)


def _due_before(moment: datetime) -> ColumnElement[bool]:
    """Some running target is due before ``moment``: the live response target or the resolution.

    Every term is false, never NULL, for a stopped clock, so the condition can be negated.
    """
    at = literal(moment, UTCDateTime())
    waiting = Ticket.waiting_since.is_not(None)
    first, following, resolution = Ticket.first_response_due_at, Ticket.next_response_due_at, Ticket.resolution_due_at
    return or_(
        and_(waiting, Ticket.first_response_at.is_(None), first.is_not(None), first < at),
        and_(waiting, Ticket.first_response_at.is_not(None), following.is_not(None), following < at),
        and_(resolution.is_not(None), resolution < at),
    )


def _follow_up_before(moment: datetime) -> ColumnElement[bool]:
    at = literal(moment, UTCDateTime())
    answered_since = Ticket.last_public_reply_at >= Ticket.requeued_at
    return or_(
        and_(Ticket.status == Status.ON_HOLD.value, Ticket.hold_until < at),
        and_(
            Ticket.status == Status.OPEN.value,
            Ticket.requeued_at.is_not(None),
            or_(Ticket.last_public_reply_at.is_(None), ~answered_since),
        ),
    )


def _search(q: str) -> ColumnElement[bool]:
    term = q.strip().lstrip("#")
    refs = select(TicketReference.ticket_id).where(TicketReference.value == term)
    clauses: list[ColumnElement[bool]] = [Ticket.id.in_(refs), Ticket.subject.icontains(term, autoescape=True)]
    if term.isascii() and term.isdigit() and len(term) < 19:
        clauses.append(Ticket.id == int(term))
    return or_(*clauses)


def tickets_query(who: Principal, flt: TicketFilter, cursor: str | None) -> Select[Ticket]:
    """The queue query: visible tickets matching ``flt`` in ``flt.order``, after ``cursor``."""
    query = select(Ticket).where(visible_to(who))
    if flt.statuses:
        query = query.where(Ticket.status.in_(flt.statuses))
    if flt.assignee is not None:
        query = query.where(Ticket.assignee_id == flt.assignee)
    if flt.unassigned:
        query = query.where(Ticket.assignee_id.is_(None))
    if flt.team_id is not None:
        query = query.where(Ticket.team_id == flt.team_id)
    for column, value in (
        (Ticket.channel, flt.channel),
        (Ticket.category, flt.category),
        (Ticket.urgency, flt.urgency),
        (Ticket.customer_id, flt.customer_id),
    ):
        if value is not None:
            query = query.where(column == value)
    if flt.q:
        query = query.where(_search(flt.q))
    if flt.team_ids:
        query = query.where(Ticket.team_id.in_(sorted(flt.team_ids)))
    if flt.due_before is not None:
        query = query.where(_due_before(flt.due_before))
    if flt.due_after is not None:
        query = query.where(~_due_before(flt.due_after))
    if flt.follow_up_before is not None:
        query = query.where(_follow_up_before(flt.follow_up_before))
    return _ordered(query, flt.order, cursor)


def _ordered(query: Select[Ticket], order: str, cursor: str | None) -> Select[Ticket]:
    """``query`` in ``order``, starting after ``cursor`` (keyset pagination: stable under inserts)."""
    if order == "priority":
        rank, due, ticket_id = _priority_columns()
        if cursor:
            at_rank, at_due, at_id = decode_priority_cursor(cursor)
            position = tuple_(literal(at_rank), literal(at_due, UTCDateTime()), literal(at_id))
            query = query.where(tuple_(rank, due, ticket_id) > position)
        return query.order_by(rank, due, ticket_id)
    if cursor:
        moment, last_id = decode_cursor(cursor)
        query = query.where(
            tuple_(Ticket.updated_at, Ticket.id) < tuple_(literal(moment, UTCDateTime()), literal(last_id))
        )
    return query.order_by(Ticket.updated_at.desc(), Ticket.id.desc())


def list_tickets(
    session: Session, who: Principal, flt: TicketFilter, *, limit: int, cursor: str | None
) -> tuple[list[Ticket], str | None]:
    """One page of the queue and the cursor of the next page (None on the last page)."""
    rows = list(session.scalars(tickets_query(who, flt, cursor).limit(limit + 1)).unique())
    more = len(rows) > limit
    page = rows[:limit]
    return page, (encode_cursor(page[-1], flt.order) if more and page else None)


def count_tickets(session: Session, who: Principal, flt: TicketFilter) -> int:
    """How many visible tickets match ``flt`` (a queue's badge)."""
    inner = tickets_query(who, flt, None).order_by(None).with_only_columns(Ticket.id).subquery()
    return int(session.scalar(select(func.count()).select_from(inner)) or 0)


def references_matching(session: Session, value: str) -> list[int]:
    """Ticket ids carrying the outside number ``value``."""
    return list(session.scalars(select(TicketReference.ticket_id).where(TicketReference.value == value)))
